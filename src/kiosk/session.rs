//! A visitor's session at a kiosk. Their drafts, attachments and PDFs live in a vault of
//! their own, in a folder of its own, locked with a random key that exists only in this
//! process's memory: a power cut or a killed app leaves ciphertext nobody can open, and the
//! next start removes it. Ending the session drops the vault and deletes the folder.

use std::path::{Path, PathBuf};
use std::time::Instant;

use age::secrecy::SecretString;

use crate::vault::{KeySetup, LockedVault, Passphrase, Vault, VaultError, random_id};

/// Why a session ended, for the log (which holds nothing about the visitor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// "Avsluta och radera".
    Visitor,
    /// The idle countdown ran out.
    Idle,
    /// The app was closed.
    Exit,
    /// The administrator left kiosk mode.
    Administrator,
}

impl EndReason {
    pub fn name(self) -> &'static str {
        match self {
            EndReason::Visitor => "visitor",
            EndReason::Idle => "idle",
            EndReason::Exit => "exit",
            EndReason::Administrator => "administrator",
        }
    }
}

/// What the log says of an ended session: no names, no answers, no file names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEnd {
    pub reason: EndReason,
    pub seconds: u64,
    pub pages_printed: u32,
    /// The session's folder could not be removed whole (named in the log for the
    /// administrator; its content is ciphertext whose key is gone).
    pub left_behind: Option<PathBuf>,
}

impl std::fmt::Display for SessionEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "kiosk session ended: reason={} seconds={} pages_printed={}",
            self.reason.name(),
            self.seconds,
            self.pages_printed
        )?;
        if let Some(dir) = &self.left_behind {
            write!(f, " left_behind={}", dir.display())?;
        }
        Ok(())
    }
}

pub struct Session {
    dir: PathBuf,
    started: Instant,
    pages_printed: u32,
}

/// Where sessions live under the data folder.
fn root(data_dir: &Path) -> PathBuf {
    data_dir.join("kiosk-sessions")
}

impl Session {
    /// Starts a session under `data_dir`, removing first whatever earlier sessions left (a
    /// power cut, a killed app). Returns the session and its vault, open.
    pub fn start(data_dir: &Path) -> Result<(Session, Vault), VaultError> {
        let root = root(data_dir);
        if root.exists() {
            let _ = std::fs::remove_dir_all(&root);
        }
        let dir = root.join(random_id()?);
        // 256 random bits: scrypt's cost would add nothing to a key nobody can guess.
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| VaultError::Crypto(format!("operativsystemets slumpkälla: {e}")))?;
        let passphrase = Passphrase {
            secret: SecretString::from(hex::encode(key)),
            work_factor: Some(10),
        };
        zeroize::Zeroize::zeroize(&mut key);
        let vault = LockedVault::open(&dir)?.create(KeySetup {
            keychain: None,
            passphrase: Some(&passphrase),
        })?;
        Ok((
            Session {
                dir,
                started: Instant::now(),
                pages_printed: 0,
            },
            vault,
        ))
    }

    /// Counts printed pages for the log.
    pub fn printed(&mut self, pages: u32) {
        self.pages_printed = self.pages_printed.saturating_add(pages);
    }

    /// The session's folder (its vault's).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Ends the session: its folder is deleted. The caller has dropped the session's vault
    /// first (an open SQLite file would come back).
    pub fn end(self, reason: EndReason) -> SessionEnd {
        let left_behind = match std::fs::remove_dir_all(&self.dir) {
            Ok(()) => None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(_) => Some(self.dir.clone()),
        };
        SessionEnd {
            reason,
            seconds: self.started.elapsed().as_secs(),
            pages_printed: self.pages_printed,
            left_behind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under `dir`, with its bytes.
    fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    out.extend(files(&p));
                } else {
                    out.push((p.clone(), std::fs::read(&p).unwrap_or_default()));
                }
            }
        }
        out
    }

    #[test]
    fn a_session_leaves_nothing_and_a_killed_one_is_cleared_at_the_next_start() {
        let data = tempfile::tempdir().unwrap();
        let catalogue = crate::catalogue::Catalogue::embedded().unwrap();
        let flow = catalogue.flow("synpunkt").unwrap();
        let marker = "MARKÖR-KIOSK-7a1c";

        let (mut session, mut vault) = Session::start(data.path()).unwrap();
        let mut draft = vault.new_draft(flow).unwrap();
        draft.answers = serde_json::json!({ "flow": "synpunkt", "answers": { "text": marker } });
        vault.save(&mut draft).unwrap();
        // On disk while it runs: ciphertext only.
        for (path, bytes) in files(data.path()) {
            assert!(
                !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
                "{} holds the visitor's answer in clear",
                path.display()
            );
        }
        session.printed(2);
        drop(vault);
        let end = session.end(EndReason::Idle);
        assert_eq!(end.pages_printed, 2);
        assert_eq!(end.left_behind, None);
        assert!(
            end.to_string()
                .starts_with("kiosk session ended: reason=idle")
        );
        assert!(!end.to_string().contains(marker));
        assert!(files(data.path()).is_empty(), "{:?}", files(data.path()));

        // Killed mid-session: the folder stays until the next start, which removes it.
        let (first, vault) = Session::start(data.path()).unwrap();
        let left = first.dir().to_path_buf();
        drop(vault);
        std::mem::forget(first);
        assert!(left.exists());
        let (next, vault) = Session::start(data.path()).unwrap();
        assert!(!left.exists(), "the killed session's folder is still there");
        drop(vault);
        next.end(EndReason::Exit);
    }
}
