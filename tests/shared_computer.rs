//! A library or family computer is shared: what one citizen leaves must be unreadable, and
//! unusable, for the next user of the same machine (issue 11).

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use age::secrecy::{ExposeSecret, SecretString};
use common::etjanst;
use etjanst::vault::{KeySetup, LockedVault, Passphrase, VaultError};
use serde_json::json;

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

fn pass(s: &str) -> Passphrase {
    Passphrase {
        secret: SecretString::from(s.to_string()),
        work_factor: Some(10),
    }
}

#[test]
fn output_files_cannot_be_redirected_or_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let victim = d.join("victim.txt");
    std::fs::write(&victim, "den andra användarens fil").unwrap();
    // The names an attacker could predict from the old writer: a planted link and a file.
    std::os::unix::fs::symlink(&victim, d.join("form.tmp")).unwrap();
    std::fs::write(d.join("report.tmp"), "mitt utkast").unwrap();
    let out = etjanst(
        d,
        &[
            "pdf",
            "synpunkt",
            "--blank",
            "-o",
            d.join("form.pdf").to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "den andra användarens fil"
    );
    assert!(
        std::fs::symlink_metadata(d.join("form.tmp"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(d.join("report.tmp")).unwrap(),
        "mitt utkast"
    );
    let pdf = std::fs::symlink_metadata(d.join("form.pdf")).unwrap();
    assert!(pdf.file_type().is_file());
    assert_eq!(mode(&d.join("form.pdf")), 0o600, "owner-only");

    // A link where the output goes is replaced, never followed.
    std::os::unix::fs::symlink(&victim, d.join("link.pdf")).unwrap();
    let out = etjanst(
        d,
        &[
            "pdf",
            "synpunkt",
            "--blank",
            "-o",
            d.join("link.pdf").to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "den andra användarens fil"
    );
    assert!(
        std::fs::symlink_metadata(d.join("link.pdf"))
            .unwrap()
            .file_type()
            .is_file()
    );

    // A folder as the output: refused, and nothing holding the answers is left anywhere.
    let outdir = d.join("utdata");
    std::fs::create_dir(&outdir).unwrap();
    let before: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    let out = etjanst(
        d,
        &[
            "pdf",
            "ekonomiskt-bistand",
            "--answers",
            &example("ekonomiskt-bistand"),
            "-o",
            outdir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("mapp"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(before, after, "no temporary file left");
    assert_eq!(std::fs::read_dir(&outdir).unwrap().count(), 0);
}

fn example(name: &str) -> String {
    common::forms_dir()
        .join("examples")
        .join(format!("{name}.json"))
        .to_string_lossy()
        .into_owned()
}

fn drafts(data: &Path, passphrase: &str, args: &[&str]) -> std::process::Output {
    common::etjanst_with(
        data,
        passphrase,
        &[("ETJANST_FILE_PASSPHRASE", "filens lösenfras")],
        args,
    )
}

#[test]
fn the_vault_is_readable_by_its_owner_only_and_needs_a_real_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Empty or very short passphrases are refused, with a hint, and create nothing.
    let empty = dir.path().join("tom.txt");
    std::fs::write(&empty, "").unwrap();
    for weak in ["", "kort", "aaaaaaaaaaaa"] {
        let out = drafts(
            &data,
            weak,
            &[
                "draft",
                "save",
                "synpunkt",
                "--answers",
                &example("synpunkt"),
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{weak:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("lösenfras"), "{weak:?}: {err}");
        if !weak.is_empty() {
            assert!(
                err.contains("minst 10 tecken"),
                "a strength hint: {weak:?}: {err}"
            );
        }
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_etjanst"))
        .arg("--data-dir")
        .arg(&data)
        .args([
            "--passphrase-file",
            "/dev/null",
            "draft",
            "save",
            "synpunkt",
            "--answers",
            &example("synpunkt"),
        ])
        .env_remove("ETJANST_PASSPHRASE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("minst 10 tecken"));
    assert!(
        !data.join("vault.sqlite").exists()
            || !LockedVault::open(&data).unwrap().is_created().unwrap()
    );

    let strong = "tre gröna äpplen";
    let saved = drafts(
        &data,
        strong,
        &[
            "draft",
            "save",
            "synpunkt",
            "--answers",
            &example("synpunkt"),
        ],
    );
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    let id = String::from_utf8_lossy(&saved.stdout).trim().to_string();
    assert_eq!(mode(&data), 0o700, "the data folder");
    let mut seen = 0;
    for entry in std::fs::read_dir(&data).unwrap().flatten() {
        let p = entry.path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("vault")
        {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
            seen += 1;
        }
    }
    assert!(seen >= 2, "vault.sqlite and its lock (and journal files)");
    // An export with a weak file passphrase is refused.
    let file = dir.path().join("utkast.etjanst");
    let weak_export = std::process::Command::new(env!("CARGO_BIN_EXE_etjanst"))
        .arg("--data-dir")
        .arg(&data)
        .args(["draft", "export", &id, "-o", file.to_str().unwrap()])
        .env("ETJANST_PASSPHRASE", strong)
        .env("ETJANST_FILE_PASSPHRASE", "kort")
        .env("ETJANST_SCRYPT_LOG_N", "10")
        .output()
        .unwrap();
    assert_eq!(weak_export.status.code(), Some(2));
    assert!(!file.exists());

    // A vault from before, readable by all, is tightened when opened.
    for entry in std::fs::read_dir(&data).unwrap().flatten() {
        std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(drafts(&data, strong, &["draft", "list"]).status.success());
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("vault.sqlite")), 0o600);
    let uid = std::fs::metadata(&data).unwrap().uid();
    assert_eq!(
        uid,
        std::fs::metadata(data.join("vault.sqlite")).unwrap().uid()
    );
}

/// The ciphertext lengths of every draft header and body.
fn sealed_lengths(db: &Path) -> Vec<(usize, usize)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT length(header), length(body) FROM drafts")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn lengths_do_not_tell_which_service_a_draft_is_for_and_deletes_leave_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let c = common::catalogue();
    let mut vault = LockedVault::open(dir.path())
        .unwrap()
        .create(KeySetup {
            keychain: None,
            passphrase: Some(&pass("tre gröna äpplen")),
        })
        .unwrap();
    for flow in [
        "synpunkt",
        "ekonomiskt-bistand",
        "eldstad",
        "matforgiftning",
    ] {
        let mut d = vault.new_draft(c.flow(flow).unwrap()).unwrap();
        d.answers = json!({"flow": flow, "answers": {}});
        vault.save(&mut d).unwrap();
    }
    let lengths = sealed_lengths(&dir.path().join("vault.sqlite"));
    assert_eq!(lengths.len(), 4);
    assert!(
        lengths.windows(2).all(|w| w[0] == w[1]),
        "headers and bodies padded to the same size: {lengths:?}"
    );

    // A second connection holds the database open, as the desktop window will.
    let other = rusqlite::Connection::open(dir.path().join("vault.sqlite")).unwrap();
    let _: i64 = other
        .query_row("SELECT count(*) FROM drafts", [], |r| r.get(0))
        .unwrap();
    let mut secret = vault.new_draft(c.flow("synpunkt").unwrap()).unwrap();
    secret.answers = json!({"flow": "synpunkt", "answers": {"text": "raderas snart"}});
    vault.save(&mut secret).unwrap();
    let body: Vec<u8> = other
        .query_row("SELECT body FROM drafts WHERE id = ?1", [&secret.id], |r| {
            r.get(0)
        })
        .unwrap();
    // A stretch of the ciphertext itself (the padding after it is zeros).
    let needle = &body[200..264];
    vault.delete(&secret.id).unwrap();
    for name in ["vault.sqlite", "vault.sqlite-wal"] {
        let path = dir.path().join(name);
        let bytes = std::fs::read(&path).unwrap_or_default();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "the deleted draft's ciphertext is still in {name}"
        );
    }
    drop(other);
}

/// An export file with its JSON changed, sealed again with the file passphrase.
fn tampered(file: &[u8], change: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let identity = age::scrypt::Identity::new(SecretString::from("filens lösenfras".to_string()));
    let plain = age::decrypt(&identity, file).unwrap();
    let mut doc: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    change(&mut doc);
    let mut r = age::scrypt::Recipient::new(SecretString::from("filens lösenfras".to_string()));
    r.set_work_factor(10);
    age::encrypt(&r, &serde_json::to_vec(&doc).unwrap()).unwrap()
}

#[test]
fn imports_do_not_trust_the_file() {
    let here = tempfile::tempdir().unwrap();
    let there = tempfile::tempdir().unwrap();
    let c = common::catalogue();
    let flow = c.flow("synpunkt").unwrap();
    let strong = pass("tre gröna äpplen");
    let setup = KeySetup {
        keychain: None,
        passphrase: Some(&strong),
    };
    let mut vault = LockedVault::open(here.path())
        .unwrap()
        .create(setup)
        .unwrap();
    let mut d = vault.new_draft(flow).unwrap();
    d.answers = json!({"flow": "synpunkt", "answers": {"text": "flyttas"}});
    vault.save(&mut d).unwrap();
    vault
        .add_attachment(&mut d, flow, "bilagor", "bild.png", b"PNG!")
        .unwrap();
    let file = vault.export(&d.id, &pass("filens lösenfras")).unwrap();
    let setup = KeySetup {
        keychain: None,
        passphrase: Some(&strong),
    };
    let mut other = LockedVault::open(there.path())
        .unwrap()
        .create(setup)
        .unwrap();
    let flow_of = |id: &str| c.flow(id).ok().cloned();
    let file_pass = pass("filens lösenfras");

    // Names with folders and terminal escapes, and a draft marked open in a window.
    let evil = tampered(&file, |doc| {
        doc["header"]["editing"] = true.into();
        doc["answers"]["answers"]["bilagor"][0]["name"] =
            "../../../../etc/\u{1b}[31mpwned\u{0}.png".into();
    });
    let id = other.import(&evil, &file_pass, &flow_of).unwrap();
    let imported = other.load(&id).unwrap();
    assert!(!imported.header.editing);
    let name = imported.answers["answers"]["bilagor"][0]["name"]
        .as_str()
        .unwrap();
    assert_eq!(name, "[31mpwned.png");
    let attachment = imported.answers["answers"]["bilagor"][0]["attachment"]
        .as_str()
        .unwrap();
    assert_eq!(other.attachment(attachment).unwrap().0, "[31mpwned.png");
    // A name whose type the flow does not take is refused like any other attachment.
    let script = tampered(&file, |doc| {
        doc["answers"]["answers"]["bilagor"][0]["name"] = "../../etc/pwned.sh".into();
    });
    assert!(matches!(
        other.import(&script, &file_pass, &flow_of),
        Err(VaultError::Attachment(_))
    ));

    // A flow this computer does not have.
    let unknown = tampered(&file, |doc| doc["header"]["flowId"] = "999999".into());
    assert!(matches!(
        other.import(&unknown, &file_pass, &flow_of),
        Err(VaultError::UnknownFlow(_))
    ));
    // An attachment beyond the flow's limits (synpunkt: 5 MB), whatever size it claims.
    let big = tampered(&file, |doc| {
        let b64 = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            vec![0u8; 6 << 20],
        );
        let key = doc["attachments"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap()
            .clone();
        doc["attachments"][&key]["data"] = b64.into();
    });
    assert!(matches!(
        other.import(&big, &file_pass, &flow_of),
        Err(VaultError::Attachment(_))
    ));
    // A huge file is refused before it is decrypted.
    let huge = vec![0u8; etjanst::vault::MAX_EXPORT_BYTES + 1];
    assert!(matches!(
        other.import(&huge, &file_pass, &flow_of),
        Err(VaultError::TooLarge { .. })
    ));
    assert_eq!(
        other.list().unwrap().len(),
        1,
        "refused imports add nothing"
    );
    let _ = strong.secret.expose_secret();
}

#[test]
fn a_deeply_nested_oeflow_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("djup.oeflow");
    let depth = 200_000;
    std::fs::write(
        &path,
        format!(
            "<Flow>{}{}</Flow>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        ),
    )
    .unwrap();
    let out = etjanst(dir.path(), &["import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nästlade"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
