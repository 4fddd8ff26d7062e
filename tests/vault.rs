//! The draft vault: secrecy on disk, damage, crashes, two instances, versions, moving drafts.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use age::secrecy::{ExposeSecret, SecretString};
use etjanst::vault::{
    Draft, KeySetup, Keychain, LockedVault, Passphrase, Receipt, Unlock, Vault, VaultError,
};
use serde_json::json;

fn pass(s: &str) -> Passphrase {
    // A low scrypt cost keeps the tests fast; the default (about 1 s) is tested once below.
    Passphrase {
        secret: SecretString::from(s.to_string()),
        work_factor: Some(10),
    }
}

fn create(dir: &Path) -> Vault {
    LockedVault::open(dir)
        .unwrap()
        .create(KeySetup {
            keychain: None,
            passphrase: Some(&pass("rätt lösenfras")),
        })
        .unwrap()
}

fn unlock(dir: &Path, p: &str) -> Result<Vault, VaultError> {
    LockedVault::open(dir)?.unlock(Unlock::Passphrase(&pass(p)))
}

fn draft_of(vault: &Vault, flow: &str, answers: serde_json::Value) -> Draft {
    let c = common::catalogue();
    let mut d = vault.new_draft(c.flow(flow).unwrap()).unwrap();
    d.answers = json!({"flow": flow, "answers": answers});
    d
}

/// Every file below `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn assert_no_plaintext(dir: &Path, markers: &[&str]) {
    let all = files(dir);
    assert!(all.iter().any(|p| p.ends_with("vault.sqlite")));
    for path in &all {
        let bytes = std::fs::read(path).unwrap();
        for m in markers {
            let utf16le: Vec<u8> = m.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
            let utf16be: Vec<u8> = m.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
            for (form, needle) in [
                ("raw", m.as_bytes()),
                ("UTF-16LE", &utf16le),
                ("UTF-16BE", &utf16be),
            ] {
                assert!(
                    !contains(&bytes, needle),
                    "{m} found {form} in {}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn nothing_personal_is_readable_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let markers = [
        "MARKÖR-SVAR-7f3a",
        "MARKÖR-BILAGA-91cc",
        "MARKÖR-TITEL-0b2e",
        "MARKÖR-KVITTO-55d1",
        "MARKÖR-RADERAD-c0de",
        "MARKÖR-KOPIA-3e9b",
    ];
    let c = common::catalogue();
    let flow = c.flow("synpunkt").unwrap();
    {
        let mut vault = create(dir.path());
        for i in 0..5 {
            let mut d = draft_of(
                &vault,
                "synpunkt",
                json!({"text": format!("{} nr {i}", markers[0])}),
            );
            d.header.title = format!("{} {i}", markers[2]);
            d.header.editing = true;
            vault.save(&mut d).unwrap();
            let mut content = format!("%PDF-1.4 {} ", markers[1]).into_bytes();
            content.resize(200_000, b'x');
            vault
                .add_attachment(
                    &mut d,
                    flow,
                    "bilagor",
                    &format!("{}-{i}.pdf", markers[1]),
                    &content,
                )
                .unwrap();
        }
        let mut gone = draft_of(&vault, "synpunkt", json!({"text": markers[4]}));
        vault.save(&mut gone).unwrap();
        vault.delete(&gone.id).unwrap();
        let receipt = Receipt {
            flow_id: "synpunkt".into(),
            service_name: markers[3].into(),
            case_number: Some("2026-1234".into()),
            submitted: "2026-11-27T10:00:00".into(),
            sha256: "00".repeat(32),
            details: json!({}),
        };
        vault.store_receipt(&receipt).unwrap();
        // The copy of what was sent, kept with a receipt.
        let copy = format!("%PDF-1.7 {}", markers[5]);
        vault
            .submitted(
                "no-such-entry",
                &receipt,
                Some(("kopia.pdf", copy.as_bytes())),
            )
            .unwrap();
        // While the vault is open the WAL holds the newest pages: scan it too.
        assert_no_plaintext(dir.path(), &markers);
    }
    assert_no_plaintext(dir.path(), &markers);
    // And the data really is there for the owner.
    let vault = unlock(dir.path(), "rätt lösenfras").unwrap();
    let listed = vault.list().unwrap();
    assert_eq!(listed.len(), 5);
    assert!(
        listed[0]
            .header
            .as_ref()
            .unwrap()
            .title
            .starts_with(markers[2])
    );
    let (receipts, _) = vault.receipts().unwrap();
    assert_eq!(receipts[0].1.service_name, markers[3]);
    let copies: Vec<_> = receipts
        .iter()
        .filter_map(|(id, _)| vault.receipt_copy(id).unwrap())
        .collect();
    assert_eq!(copies.len(), 1, "one receipt was kept with its copy");
    assert_eq!(copies[0].0, "kopia.pdf");
    assert!(String::from_utf8_lossy(&copies[0].1).contains(markers[5]));
}

#[test]
fn wrong_passphrase_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let before = {
        let mut vault = create(dir.path());
        let mut d = draft_of(&vault, "synpunkt", json!({"text": "hej"}));
        vault.save(&mut d).unwrap();
        vault.list().unwrap()
    };
    let db = std::fs::read(dir.path().join("vault.sqlite")).unwrap();
    match unlock(dir.path(), "fel lösenfras") {
        Err(VaultError::WrongPassphrase) => {}
        Err(e) => panic!("expected WrongPassphrase, got {e}"),
        Ok(_) => panic!("a wrong passphrase unlocked the vault"),
    }
    assert_eq!(std::fs::read(dir.path().join("vault.sqlite")).unwrap(), db);
    let vault = unlock(dir.path(), "rätt lösenfras").unwrap();
    assert_eq!(vault.list().unwrap(), before);
}

fn tamper(dir: &Path, sql: &str, id: &str) {
    let conn = rusqlite::Connection::open(dir.join("vault.sqlite")).unwrap();
    let (updated, mut blob): (i64, Vec<u8>) = conn
        .query_row(
            &format!(
                "SELECT updated, {sql} FROM drafts WHERE id = ?1 ORDER BY updated DESC LIMIT 1"
            ),
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // Inside the ciphertext: the padding after it carries nothing.
    let i = 100;
    blob[i] ^= 0x01;
    conn.execute(
        &format!("UPDATE drafts SET {sql} = ?1 WHERE id = ?2 AND updated = ?3"),
        rusqlite::params![blob, id, updated],
    )
    .unwrap();
}

#[test]
fn a_flipped_byte_damages_one_draft_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = {
        let mut vault = create(dir.path());
        (0..3)
            .map(|i| {
                let mut d = draft_of(&vault, "synpunkt", json!({"text": format!("utkast {i}")}));
                vault.save(&mut d).unwrap();
                d.answers["answers"]["text"] = json!(format!("utkast {i}, version 2"));
                vault.save(&mut d).unwrap();
                d.id.clone()
            })
            .collect()
    };
    tamper(dir.path(), "body", &ids[0]);
    tamper(dir.path(), "header", &ids[1]);
    let vault = unlock(dir.path(), "rätt lösenfras").unwrap();
    assert!(matches!(vault.load(&ids[0]), Err(VaultError::Damaged(_))));
    // The version before the damaged autosave is still there.
    let older = vault.load_version(&ids[0], 1).unwrap();
    assert_eq!(older.answers["answers"]["text"], "utkast 0");
    let list = vault.list().unwrap();
    let by_id: HashMap<_, _> = list.iter().map(|s| (s.id.clone(), s)).collect();
    assert!(
        by_id[&ids[1]].header.is_none(),
        "a damaged header shows as damaged"
    );
    assert!(by_id[&ids[2]].header.is_some());
    assert_eq!(
        vault.load(&ids[2]).unwrap().answers["answers"]["text"],
        "utkast 2, version 2"
    );
}

#[test]
fn the_last_three_versions_are_kept_and_recovery_finds_open_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = create(dir.path());
    let mut d = draft_of(&vault, "synpunkt", json!({}));
    d.header.editing = true;
    for i in 0..6 {
        d.answers["answers"]["text"] = json!(format!("version {i}"));
        vault.save(&mut d).unwrap();
    }
    assert_eq!(vault.version_count(&d.id).unwrap(), 3);
    assert_eq!(
        vault.load(&d.id).unwrap().answers["answers"]["text"],
        "version 5"
    );
    assert_eq!(
        vault.load_version(&d.id, 2).unwrap().answers["answers"]["text"],
        "version 3"
    );
    assert!(matches!(
        vault.load_version(&d.id, 3),
        Err(VaultError::NotFound(_))
    ));
    let mut closed = draft_of(&vault, "felanmalan", json!({}));
    vault.save(&mut closed).unwrap();
    let recover: Vec<_> = vault
        .recoverable()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(recover, [d.id.clone()]);
    d.header.editing = false;
    vault.save(&mut d).unwrap();
    assert!(vault.recoverable().unwrap().is_empty());
}

#[test]
fn a_second_instance_is_told_the_vault_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let vault = create(dir.path());
    assert!(matches!(
        LockedVault::open(dir.path()),
        Err(VaultError::AlreadyOpen)
    ));
    let out = Command::new(env!("CARGO_BIN_EXE_etjanst"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "draft", "list"])
        .env("ETJANST_PASSPHRASE", "rätt lösenfras")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("redan öppna"));
    drop(vault);
    assert!(unlock(dir.path(), "rätt lösenfras").is_ok());
}

#[test]
fn attachments_respect_the_upload_limits() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = create(dir.path());
    let c = common::catalogue();
    let flow = c.flow("synpunkt").unwrap();
    let mut d = draft_of(&vault, "synpunkt", json!({}));
    vault.save(&mut d).unwrap();
    let refused = vault.add_attachment(&mut d, flow, "bilagor", "program.exe", b"MZ");
    assert!(
        matches!(&refused, Err(VaultError::Attachment(m)) if m.contains("filtyp")),
        "{refused:?}"
    );
    let big = vec![0u8; 5 * 1024 * 1024 + 1];
    let refused = vault.add_attachment(&mut d, flow, "bilagor", "stor.pdf", &big);
    assert!(
        matches!(&refused, Err(VaultError::Attachment(m)) if m.contains("för stor")),
        "{refused:?}"
    );
    for i in 0..3 {
        vault
            .add_attachment(&mut d, flow, "bilagor", &format!("foto{i}.jpg"), &[i; 1000])
            .unwrap();
    }
    let refused = vault.add_attachment(&mut d, flow, "bilagor", "foto4.jpg", b"x");
    assert!(
        matches!(&refused, Err(VaultError::Attachment(m)) if m.contains("högst 3")),
        "{refused:?}"
    );
    let saved = vault.load(&d.id).unwrap();
    let files = saved.answers["answers"]["bilagor"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    let (name, data) = vault
        .attachment(files[1]["attachment"].as_str().unwrap())
        .unwrap();
    assert_eq!((name.as_str(), data), ("foto1.jpg", vec![1u8; 1000]));
    assert!(
        vault
            .add_attachment(&mut d, flow, "text", "a.pdf", b"x")
            .is_err()
    );
}

#[test]
fn a_draft_moves_to_another_computer_in_one_encrypted_file() {
    let here = tempfile::tempdir().unwrap();
    let there = tempfile::tempdir().unwrap();
    let c = common::catalogue();
    let flow = c.flow("synpunkt").unwrap();
    let (file, answers) = {
        let mut vault = create(here.path());
        let mut d = draft_of(&vault, "synpunkt", json!({"text": "flyttas"}));
        vault.save(&mut d).unwrap();
        vault
            .add_attachment(&mut d, flow, "bilagor", "bild.png", b"PNG!")
            .unwrap();
        (
            vault.export(&d.id, &pass("filens fras")).unwrap(),
            d.answers.clone(),
        )
    };
    assert!(file.starts_with(b"age-encryption.org/v1"));
    assert!(!contains(&file, b"flyttas"));
    let mut other = create(there.path());
    let flow_of = |id: &str| c.flow(id).ok().cloned();
    assert!(matches!(
        other.import(&file, &pass("fel"), &flow_of),
        Err(VaultError::WrongPassphrase)
    ));
    assert!(matches!(
        other.import(b"inte en fil", &pass("x"), &flow_of),
        Err(VaultError::NotAnExport)
    ));
    assert!(
        other.list().unwrap().is_empty(),
        "failed imports add nothing"
    );
    let id = other.import(&file, &pass("filens fras"), &flow_of).unwrap();
    let moved = other.load(&id).unwrap();
    assert_eq!(moved.answers["answers"]["text"], answers["answers"]["text"]);
    let a = moved.answers["answers"]["bilagor"][0]["attachment"]
        .as_str()
        .unwrap();
    assert_ne!(
        a,
        answers["answers"]["bilagor"][0]["attachment"]
            .as_str()
            .unwrap()
    );
    assert_eq!(other.attachment(a).unwrap().1, b"PNG!");
}

/// A PDF blankett's draft is a draft like any other: encrypted, exported and imported with
/// its values, though no flow of the catalogue is its.
#[test]
fn a_blankett_draft_moves_like_a_form_draft() {
    let here = tempfile::tempdir().unwrap();
    let there = tempfile::tempdir().unwrap();
    let c = common::catalogue();
    let file = {
        let mut vault = create(here.path());
        let mut d = vault
            .new_blankett_draft(
                "bostadsanpassning",
                0,
                "Ansökan om bostadsanpassningsbidrag",
            )
            .unwrap();
        d.answers["answers"] = json!({"sokandens_namn": "Åsa Ängström", "intyg": true});
        vault.save(&mut d).unwrap();
        assert_eq!(
            etjanst::vault::blankett_of(&d.header.flow_id),
            Some(("bostadsanpassning", 0))
        );
        vault.export(&d.id, &pass("filens fras")).unwrap()
    };
    assert!(!contains(&file, "Ängström".as_bytes()));
    assert_no_plaintext(here.path(), &["Ängström"]);
    let mut other = create(there.path());
    let flow_of = |id: &str| c.flow(id).ok().cloned();
    let id = other.import(&file, &pass("filens fras"), &flow_of).unwrap();
    let moved = other.load(&id).unwrap();
    assert_eq!(moved.answers["answers"]["sokandens_namn"], "Åsa Ängström");
    assert_eq!(moved.answers["answers"]["intyg"], true);
    assert_eq!(
        etjanst::vault::blankett_of(&moved.header.flow_id),
        Some(("bostadsanpassning", 0))
    );
}

/// A keychain in memory, standing in for the operating system's.
#[derive(Default)]
struct MemoryKeychain(Mutex<HashMap<String, String>>);

impl Keychain for MemoryKeychain {
    fn get(&self, account: &str) -> Result<Option<SecretString>, String> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .get(account)
            .map(|s| SecretString::from(s.clone())))
    }
    fn set(&self, account: &str, secret: &SecretString) -> Result<(), String> {
        self.0
            .lock()
            .unwrap()
            .insert(account.into(), secret.expose_secret().to_string());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), String> {
        self.0.lock().unwrap().remove(account);
        Ok(())
    }
}

#[test]
fn keychain_unlocks_without_typing_and_a_passphrase_can_be_added() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = MemoryKeychain::default();
    {
        let mut vault = LockedVault::open(dir.path())
            .unwrap()
            .create(KeySetup {
                keychain: Some(&keychain),
                passphrase: None,
            })
            .unwrap();
        let mut d = draft_of(&vault, "synpunkt", json!({"text": "nyckelring"}));
        vault.save(&mut d).unwrap();
    }
    let locked = LockedVault::open(dir.path()).unwrap();
    assert!(locked.has_keychain().unwrap() && !locked.has_passphrase().unwrap());
    let mut vault = locked.unlock(Unlock::Keychain(&keychain)).unwrap();
    assert_eq!(vault.list().unwrap().len(), 1);
    vault.set_passphrase(&pass("reservfrasen")).unwrap();
    drop(vault);
    // On a computer whose keychain lost the key, the passphrase still opens it.
    let empty = MemoryKeychain::default();
    assert!(matches!(
        LockedVault::open(dir.path())
            .unwrap()
            .unlock(Unlock::Keychain(&empty)),
        Err(VaultError::PassphraseNeeded)
    ));
    assert_eq!(
        unlock(dir.path(), "reservfrasen")
            .unwrap()
            .list()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn default_passphrase_cost_is_about_a_second_of_scrypt() {
    let dir = tempfile::tempdir().unwrap();
    let p = Passphrase::new(SecretString::from("standardfrasen".to_string()));
    let start = std::time::Instant::now();
    drop(
        LockedVault::open(dir.path())
            .unwrap()
            .create(KeySetup {
                keychain: None,
                passphrase: Some(&p),
            })
            .unwrap(),
    );
    let spent = start.elapsed();
    // age calibrates to about one second; far less would mean the key is weakly wrapped.
    assert!(spent > Duration::from_millis(150), "{spent:?}");
}

fn payload(seq: u64) -> String {
    format!("{seq}:{}", "å".repeat((seq % 300) as usize))
}

/// Run as a child by `autosave_survives_200_sigkills`: autosaves four drafts in a loop and
/// prints each committed version.
#[test]
#[ignore = "child process of autosave_survives_200_sigkills"]
fn autosave_child() {
    let Some(dir) = std::env::var_os("ETJANST_CRASH_DIR") else {
        return;
    };
    let dir = Path::new(&dir);
    let locked = LockedVault::open(dir).unwrap();
    let mut vault = if locked.is_created().unwrap() {
        locked
            .unlock(Unlock::Passphrase(&pass("kraschfrasen")))
            .unwrap()
    } else {
        locked
            .create(KeySetup {
                keychain: None,
                passphrase: Some(&pass("kraschfrasen")),
            })
            .unwrap()
    };
    let mut drafts: Vec<Draft> = vault
        .list()
        .unwrap()
        .iter()
        .map(|s| vault.load(&s.id).unwrap())
        .collect();
    let c = common::catalogue();
    while drafts.len() < 4 {
        drafts.push(vault.new_draft(c.flow("synpunkt").unwrap()).unwrap());
    }
    loop {
        for d in &mut drafts {
            let seq = d.answers["seq"].as_u64().unwrap_or(0) + 1;
            d.answers = json!({"flow": "synpunkt", "seq": seq, "answers": {"text": payload(seq)}});
            d.header.title = format!("v{seq}");
            vault.save(d).unwrap();
            println!("commit {} {seq}", d.id);
        }
    }
}

#[test]
fn autosave_survives_200_sigkills() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut committed: HashMap<String, u64> = HashMap::new();
    let mut total_saves = 0u64;
    for round in 0..200 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "autosave_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("ETJANST_CRASH_DIR", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let seen = seen.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(rest) = line.strip_prefix("commit ") {
                        let (id, seq) = rest.split_once(' ').unwrap();
                        seen.lock()
                            .unwrap()
                            .push((id.to_string(), seq.parse::<u64>().unwrap()));
                    }
                }
            })
        };
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_millis(5 + (rng >> 33) % 60));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        for (id, seq) in seen.lock().unwrap().drain(..) {
            total_saves += 1;
            let e = committed.entry(id).or_default();
            *e = (*e).max(seq);
        }
        // The database opens, passes SQLite's own check, and every draft decrypts to a
        // version that was completely saved: header and body agree, the payload is whole.
        let locked = LockedVault::open(dir.path()).unwrap_or_else(|e| panic!("round {round}: {e}"));
        if !locked.is_created().unwrap() {
            // Killed before the key was first written: nothing can have been saved.
            assert!(committed.is_empty(), "round {round}");
            continue;
        }
        let vault = locked
            .unlock(Unlock::Passphrase(&pass("kraschfrasen")))
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let conn = rusqlite::Connection::open(dir.path().join("vault.sqlite")).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
        for s in vault.list().unwrap() {
            let header = s
                .header
                .unwrap_or_else(|| panic!("round {round}: damaged header"));
            let d = vault
                .load(&s.id)
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
            let seq = d.answers["seq"].as_u64().unwrap();
            assert_eq!(header.title, format!("v{seq}"), "round {round}");
            assert_eq!(d.answers["answers"]["text"], payload(seq), "round {round}");
            let last_printed = committed.get(&s.id).copied().unwrap_or(0);
            assert!(
                seq >= last_printed,
                "round {round}: a reported save was lost"
            );
        }
    }
    assert!(
        total_saves > 200,
        "the child really saved ({total_saves} saves)"
    );
}

/// "Lås" on a computer whose account several people share: afterwards the keychain no longer
/// opens the drafts, only the passphrase does (and puts the key back); a vault without a
/// passphrase is not locked, since nothing could open it again.
#[test]
fn lock_makes_the_keychain_forget_until_the_passphrase_is_typed() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = MemoryKeychain::default();
    let mut vault = LockedVault::open(dir.path())
        .unwrap()
        .create(KeySetup {
            keychain: Some(&keychain),
            passphrase: None,
        })
        .unwrap();
    let mut d = draft_of(&vault, "synpunkt", json!({"text": "låst"}));
    vault.save(&mut d).unwrap();
    assert!(matches!(
        vault.lock(&keychain),
        Err(VaultError::LockNeedsPassphrase)
    ));
    assert_eq!(
        keychain.0.lock().unwrap().len(),
        1,
        "a refused lock changed the keychain"
    );
    vault.set_passphrase(&pass("reservfrasen")).unwrap();
    assert!(vault.has_keychain_slot().unwrap());
    vault.lock(&keychain).unwrap();
    drop(vault);

    assert!(matches!(
        LockedVault::open(dir.path())
            .unwrap()
            .unlock(Unlock::Keychain(&keychain)),
        Err(VaultError::PassphraseNeeded)
    ));
    let mut vault = unlock(dir.path(), "reservfrasen").unwrap();
    vault.add_keychain(&keychain).unwrap();
    drop(vault);
    let vault = LockedVault::open(dir.path())
        .unwrap()
        .unlock(Unlock::Keychain(&keychain))
        .unwrap();
    assert_eq!(
        vault.load(&d.id).unwrap().answers["answers"]["text"],
        "låst"
    );
}
