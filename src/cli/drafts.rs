//! `etjanst draft …`: the vault from the command line.

use std::io::{IsTerminal, Write};
use std::path::Path;

use age::secrecy::SecretString;
use etjanst::catalogue::{self, Catalogue};
use etjanst::fill::{self, Answers, Form, Mode};
use etjanst::vault::{KeySetup, LockedVault, OsKeychain, Passphrase, Unlock, Vault, VaultError};

use super::{DraftCommand, Failure};

impl From<VaultError> for Failure {
    fn from(e: VaultError) -> Self {
        // Wrong passphrase, damage and a busy vault are the citizen's situation, not bad input.
        let code = match e {
            VaultError::WrongPassphrase | VaultError::Damaged(_) | VaultError::AlreadyOpen => 1,
            _ => 2,
        };
        Failure {
            code,
            message: e.message(super::lang()),
        }
    }
}

fn read_secret_file(path: &Path) -> Result<SecretString, Failure> {
    let mut text = std::fs::read_to_string(path)
        .map_err(|e| Failure::from(format!("{}: {e}", path.display())))?;
    let line = text.lines().next().unwrap_or("").to_string();
    zeroize::Zeroize::zeroize(&mut text);
    Ok(SecretString::from(line))
}

/// A passphrase from a file, an environment variable or, on a terminal, a prompt.
fn passphrase(
    file: Option<&Path>,
    env: &str,
    prompt: &str,
    confirm: bool,
) -> Result<Option<Passphrase>, Failure> {
    let secret = if let Some(f) = file {
        Some(read_secret_file(f)?)
    } else if let Some(v) = std::env::var_os(env).filter(|v| !v.is_empty()) {
        Some(SecretString::from(v.to_string_lossy().into_owned()))
    } else if std::io::stdin().is_terminal() {
        // Both typings are wiped when dropped, the confirmation as soon as it is compared.
        let mut first =
            zeroize::Zeroizing::new(rpassword::prompt_password(prompt).map_err(|e| {
                Failure::from(etjanst::t!(
                    super::lang(),
                    "passphrase-unreadable",
                    error = e
                ))
            })?);
        if confirm {
            let again = zeroize::Zeroizing::new(
                rpassword::prompt_password(format!(
                    "{} ",
                    etjanst::t!(super::lang(), "prompt-again")
                ))
                .map_err(|e| {
                    Failure::from(etjanst::t!(
                        super::lang(),
                        "passphrase-unreadable",
                        error = e
                    ))
                })?,
            );
            if *again != *first {
                return Err(Failure::from(etjanst::t!(
                    super::lang(),
                    "passphrases-differ"
                )));
            }
        }
        Some(SecretString::from(std::mem::take(&mut *first)))
    } else {
        None
    };
    Ok(secret.map(Passphrase::typed))
}

/// Runs `f` while telling a person at a terminal that the (about one second) unlock is busy.
fn with_progress<T>(message: &str, f: impl FnOnce() -> T) -> T {
    let tty = std::io::stderr().is_terminal();
    if tty {
        eprint!("{message} …");
    }
    let out = f();
    if tty {
        eprintln!(" {}", etjanst::t!(super::lang(), "done"));
    }
    out
}

fn given_passphrase(file: Option<&Path>) -> Result<Option<Passphrase>, Failure> {
    if file.is_none() && std::env::var_os("ETJANST_PASSPHRASE").is_none_or(|v| v.is_empty()) {
        return Ok(None);
    }
    passphrase(file, "ETJANST_PASSPHRASE", "", false)
}

pub(super) fn open(
    dir: &Path,
    passphrase_file: Option<&Path>,
    create: bool,
) -> Result<Option<Vault>, Failure> {
    // Reading an empty data folder must not create a vault in it.
    if !create && !LockedVault::exists(dir) {
        return Ok(None);
    }
    let mut locked = LockedVault::open(dir)?;
    if !locked.is_created()? {
        if !create {
            return Ok(None);
        }
        // Several attempts below consume the handle; each failure releases the lock.
        if let Some(p) = given_passphrase(passphrase_file)? {
            return create_with_passphrase(locked, &p).map(Some);
        }
        if OsKeychain::available() {
            let setup = KeySetup {
                keychain: Some(&OsKeychain),
                passphrase: None,
            };
            match locked.create(setup) {
                Ok(v) => return Ok(Some(v)),
                Err(e) => {
                    eprintln!(
                        "etjanst: {}",
                        etjanst::t!(super::lang(), "keychain-failed", error = e)
                    );
                    locked = LockedVault::open(dir)?;
                }
            }
        }
        if !std::io::stdin().is_terminal() {
            return Err(Failure::input(etjanst::t!(super::lang(), "no-keychain")));
        }
        let p = passphrase(
            None,
            "",
            &format!("{} ", etjanst::t!(super::lang(), "prompt-choose")),
            true,
        )?
        .ok_or_else(|| Failure::input(etjanst::t!(super::lang(), "no-passphrase-given")))?;
        return create_with_passphrase(locked, &p).map(Some);
    }
    if locked.has_keychain()?
        && given_passphrase(passphrase_file)?.is_none()
        && OsKeychain::available()
    {
        match locked.unlock(Unlock::Keychain(&OsKeychain)) {
            Ok(v) => return Ok(Some(v)),
            Err(VaultError::Keychain(_) | VaultError::PassphraseNeeded) => {
                locked = LockedVault::open(dir)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    unlock_with_passphrase(locked, passphrase_file).map(Some)
}

/// A new vault whose key the passphrase protects (about a second of scrypt, shown).
fn create_with_passphrase(locked: LockedVault, p: &Passphrase) -> Result<Vault, Failure> {
    let setup = KeySetup {
        keychain: None,
        passphrase: Some(p),
    };
    Ok(with_progress(
        &etjanst::t!(super::lang(), "progress-protecting"),
        || locked.create(setup),
    )?)
}

fn unlock_with_passphrase(locked: LockedVault, file: Option<&Path>) -> Result<Vault, Failure> {
    let p = passphrase(
        file,
        "ETJANST_PASSPHRASE",
        &format!("{} ", etjanst::t!(super::lang(), "prompt-vault")),
        false,
    )?
    .ok_or_else(|| {
        Failure::from(VaultError::PassphraseNeeded)
            .with_hint("utan terminal: ange den med ETJANST_PASSPHRASE eller --passphrase-file")
    })?;
    Ok(with_progress(
        &etjanst::t!(super::lang(), "progress-unlocking"),
        || locked.unlock(Unlock::Passphrase(&p)),
    )?)
}

fn file_passphrase(file: Option<&Path>, confirm: bool) -> Result<Passphrase, Failure> {
    passphrase(
        file,
        "ETJANST_FILE_PASSPHRASE",
        &format!("{} ", etjanst::t!(super::lang(), "prompt-file")),
        confirm,
    )?
    .ok_or_else(|| {
        Failure::from(
            "ange filens lösenfras med ETJANST_FILE_PASSPHRASE eller --file-passphrase-file",
        )
    })
}

pub(super) fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

pub(crate) fn run(
    dir: &Path,
    passphrase_file: Option<&Path>,
    command: DraftCommand,
) -> Result<u8, Failure> {
    let mut out = std::io::stdout().lock();
    match command {
        DraftCommand::Save { flow, answers, id } => {
            let catalogue = Catalogue::open(dir)?;
            let flow_name = flow;
            let flow = super::fillable(&catalogue, &flow_name, fill::Lang::Sv)?;
            let mut parsed: Answers = super::forms::read_answers(flow, &flow_name, &answers)?;
            // A draft is saved whatever its state; format problems are shown, not enforced.
            let form = Form::new(flow);
            let report = fill::check(&form, &mut parsed, Mode::Draft, super::today());
            let mut vault = open(dir, passphrase_file, true)?.ok_or(VaultError::NotCreated)?;
            let mut draft = match &id {
                Some(id) => {
                    let d = vault.load(id)?;
                    if d.header.flow_id != flow.id {
                        return Err(Failure::from(etjanst::t!(
                            super::lang(),
                            "draft-other-flow",
                            id = id,
                            draft_flow = d.header.flow_id,
                            flow = flow_name
                        )));
                    }
                    d
                }
                None => vault.new_draft(flow)?,
            };
            draft.answers = parsed.to_json(flow);
            vault.save(&mut draft)?;
            if !report.is_valid() {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(
                    err,
                    "{}",
                    etjanst::t!(super::lang(), "draft-saved-with-errors")
                );
                let _ = super::forms::print_issues(&mut err, flow, &report.issues, super::lang());
            }
            writeln!(out, "{}", draft.id)?;
            // Saved either way; 1 says the answers have errors, as `check` does.
            Ok(if report.is_valid() { 0 } else { 1 })
        }
        DraftCommand::List { json } => {
            let drafts = match open(dir, passphrase_file, false)? {
                Some(v) => v.list()?,
                None => Vec::new(),
            };
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&drafts)?)?;
            } else if drafts.is_empty() {
                writeln!(out, "{}", etjanst::t!(super::lang(), "no-drafts"))?;
            } else {
                for d in &drafts {
                    match &d.header {
                        Some(h) => writeln!(out, "{}  {}  {}", d.id, time(d.updated), h.title)?,
                        None => writeln!(
                            out,
                            "{}  {}  ({})",
                            d.id,
                            time(d.updated),
                            etjanst::t!(super::lang(), "draft-damaged-short")
                        )?,
                    }
                }
            }
            Ok(0)
        }
        DraftCommand::Show { id, version } => {
            let vault = open(dir, passphrase_file, false)?
                .ok_or_else(|| VaultError::NotFound(id.clone()))?;
            let draft = vault.load_version(&id, version)?;
            writeln!(out, "{}", serde_json::to_string_pretty(&draft.answers)?)?;
            Ok(0)
        }
        DraftCommand::Delete { id } => {
            let mut vault = open(dir, passphrase_file, false)?
                .ok_or_else(|| VaultError::NotFound(id.clone()))?;
            vault.delete(&id)?;
            writeln!(
                out,
                "{}",
                etjanst::t!(super::lang(), "draft-deleted", id = id)
            )?;
            Ok(0)
        }
        DraftCommand::Export {
            id,
            output,
            file_passphrase_file,
        } => {
            let vault = open(dir, passphrase_file, false)?
                .ok_or_else(|| VaultError::NotFound(id.clone()))?;
            let p = file_passphrase(file_passphrase_file.as_deref(), true)?;
            let bytes = with_progress(&etjanst::t!(super::lang(), "progress-encrypting"), || {
                vault.export(&id, &p)
            })?;
            catalogue::write_atomic(&output, &bytes)?;
            Ok(0)
        }
        DraftCommand::Import {
            file,
            file_passphrase_file,
        } => {
            // Looked at before it is read: a huge file is refused without filling memory.
            let size = std::fs::metadata(&file)
                .map_err(|e| Failure::from(format!("{}: {e}", file.display())))?
                .len();
            if size > etjanst::vault::MAX_EXPORT_BYTES as u64 {
                return Err(VaultError::TooLarge {
                    max_mb: etjanst::vault::MAX_EXPORT_BYTES >> 20,
                }
                .into());
            }
            let bytes = std::fs::read(&file)
                .map_err(|e| Failure::from(format!("{}: {e}", file.display())))?;
            let p = file_passphrase(file_passphrase_file.as_deref(), false)?;
            let catalogue = Catalogue::open(dir)?;
            let flow_of = |id: &str| catalogue.flow(id).ok().cloned();
            let mut vault = open(dir, passphrase_file, true)?.ok_or(VaultError::NotCreated)?;
            let id = with_progress(&etjanst::t!(super::lang(), "progress-opening"), || {
                vault.import(&bytes, &p, &flow_of)
            })?;
            writeln!(out, "{id}")?;
            Ok(0)
        }
    }
}
