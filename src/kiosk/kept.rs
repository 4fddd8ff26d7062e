//! What a visitor keeps past their session at a kiosk: a draft, or their details ("Mina
//! uppgifter"). A session's drafts and details die with it; one the visitor protects with a
//! personal code (the vault's passphrase rule) is written as an encrypted file under a number
//! they note down, and comes back at this kiosk with the number and the code. Wrong codes wait
//! longer each time and, after [`MAX_TRIES`], the file is deleted; a kept file is deleted after
//! the administrator's number of days.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::flow::Flow;
use crate::vault::{Passphrase, Vault, VaultError};

/// Wrong codes a kept draft survives.
pub const MAX_TRIES: u32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum KeptError {
    #[error("{}", crate::i18n::display("kept-not-found", &[("number", .0.clone())]))]
    NotFound(String),
    #[error("{}", crate::i18n::display("kept-wait", &[("seconds", .0.to_string())]))]
    Wait(u64),
    #[error("{}", crate::i18n::display("kept-wrong-code", &[("left", .0.to_string())]))]
    WrongCode(u32),
    #[error("{}", crate::i18n::display("kept-gone", &[]))]
    Gone,
    #[error("{}", crate::i18n::display("kept-no-profile", &[]))]
    NoProfile,
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("{}", crate::i18n::display("kept-io", &[("detail", .0.clone())]))]
    Io(String),
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Tries {
    failed: u32,
    /// When the last wrong code came, in seconds since 1970.
    last: u64,
}

/// What came back with a number and its code (to the window as `{"kind": "draft", "id"}` or
/// `{"kind": "profile"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Resumed {
    /// A draft, with its id in the session's vault.
    Draft { id: String },
    /// The visitor's details, now the session's profile.
    Profile,
}

/// The kind of a kept file, by its name's ending.
const DRAFT: &str = "etjanst";
const PROFILE: &str = "uppgifter";

/// The kept drafts and details of a kiosk computer, under its data folder.
pub struct Kept {
    dir: PathBuf,
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// How long to wait after `failed` wrong codes: 1, 2, 4 … seconds, at most five minutes.
pub fn delay(failed: u32) -> Duration {
    if failed == 0 {
        return Duration::ZERO;
    }
    Duration::from_secs(2u64.saturating_pow(failed - 1).min(300))
}

/// A number as the visitor may type it: digits only, spaces and dashes ignored.
fn digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

impl Kept {
    pub fn new(data_dir: &Path) -> Kept {
        Kept {
            dir: data_dir.join("kiosk-kept"),
        }
    }

    fn file(&self, digits: &str, kind: &str) -> PathBuf {
        self.dir.join(format!("{digits}.{kind}"))
    }

    /// The file kept under `digits`, and its kind.
    fn find(&self, digits: &str) -> Option<(PathBuf, &'static str)> {
        [DRAFT, PROFILE]
            .into_iter()
            .map(|kind| (self.file(digits, kind), kind))
            .find(|(f, _)| f.exists())
    }

    fn tries_file(&self, digits: &str) -> PathBuf {
        self.dir.join(format!("{digits}.tries"))
    }

    /// Keeps draft `id` of `vault` under `code`. Returns the number to note ("4821 7310").
    pub fn keep(&self, vault: &Vault, id: &str, code: &Passphrase) -> Result<String, KeptError> {
        let bytes = zeroize::Zeroizing::new(vault.export(id, code)?);
        self.store(&bytes, DRAFT)
    }

    /// Keeps the session's details ("Mina uppgifter") under `code`; the number to note.
    pub fn keep_profile(&self, vault: &Vault, code: &Passphrase) -> Result<String, KeptError> {
        let bytes =
            zeroize::Zeroizing::new(vault.export_profile(code)?.ok_or(KeptError::NoProfile)?);
        self.store(&bytes, PROFILE)
    }

    fn store(&self, bytes: &[u8], kind: &str) -> Result<String, KeptError> {
        crate::private::dir(&self.dir).map_err(|e| KeptError::Io(e.to_string()))?;
        let number = loop {
            let mut b = [0u8; 4];
            getrandom::fill(&mut b).map_err(|e| KeptError::Io(e.to_string()))?;
            let n = format!("{:08}", u32::from_le_bytes(b) % 100_000_000);
            if self.find(&n).is_none() {
                break n;
            }
        };
        crate::catalogue::write_atomic(&self.file(&number, kind), bytes)
            .map_err(|e| KeptError::Io(e.to_string()))?;
        Ok(format!("{} {}", &number[..4], &number[4..]))
    }

    /// Takes what is kept under `number` back into `vault` with `code`: a draft becomes a new
    /// draft, details become the session's profile. It is then no longer kept (kept again, it
    /// gets a new number).
    pub fn resume(
        &self,
        vault: &mut Vault,
        number: &str,
        code: &Passphrase,
        now: SystemTime,
        flow_of: &dyn Fn(&str) -> Option<Flow>,
    ) -> Result<Resumed, KeptError> {
        let n = digits(number);
        let Some((file, kind)) = self.find(&n).filter(|_| n.len() == 8) else {
            return Err(KeptError::NotFound(number.trim().to_string()));
        };
        let tries_path = self.tries_file(&n);
        let mut tries: Tries = std::fs::read(&tries_path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let ready = tries.last + delay(tries.failed).as_secs();
        if secs(now) < ready {
            return Err(KeptError::Wait(ready - secs(now)));
        }
        let bytes = std::fs::read(&file).map_err(|e| KeptError::Io(e.to_string()))?;
        let back = if kind == PROFILE {
            let today = chrono::DateTime::<chrono::Local>::from(now).date_naive();
            vault
                .import_profile(&bytes, code, today)
                .map(|()| Resumed::Profile)
        } else {
            vault
                .import(&bytes, code, flow_of)
                .map(|id| Resumed::Draft { id })
        };
        match back {
            Ok(back) => {
                let _ = std::fs::remove_file(&file);
                let _ = std::fs::remove_file(&tries_path);
                Ok(back)
            }
            Err(VaultError::WrongPassphrase) => {
                tries.failed += 1;
                tries.last = secs(now);
                if tries.failed >= MAX_TRIES {
                    let _ = std::fs::remove_file(&file);
                    let _ = std::fs::remove_file(&tries_path);
                    return Err(KeptError::Gone);
                }
                let text = serde_json::to_vec(&tries).unwrap_or_default();
                crate::catalogue::write_atomic(&tries_path, &text)
                    .map_err(|e| KeptError::Io(e.to_string()))?;
                Err(KeptError::WrongCode(MAX_TRIES - tries.failed))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes the kept drafts older than `days` (and their tries).
    pub fn expire(&self, days: u32, now: SystemTime) {
        let limit = Duration::from_secs(u64::from(days) * 24 * 3600);
        for e in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > limit));
            if old {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::SecretString;

    fn code(s: &str) -> Passphrase {
        Passphrase {
            secret: SecretString::from(s.to_string()),
            work_factor: Some(10),
        }
    }

    #[test]
    fn a_kept_draft_comes_back_with_its_code_and_wrong_codes_wait_longer_each_time() {
        let data = tempfile::tempdir().unwrap();
        let catalogue = crate::catalogue::Catalogue::embedded().unwrap();
        let flow = catalogue.flow("synpunkt").unwrap();
        let flow_of = |id: &str| catalogue.flow(id).ok().cloned();
        let kept = Kept::new(data.path());

        let (first, mut vault) = crate::kiosk::Session::start(data.path()).unwrap();
        let mut draft = vault.new_draft(flow).unwrap();
        draft.answers =
            serde_json::json!({ "flow": "synpunkt", "answers": { "text": "Behåll mig" } });
        vault.save(&mut draft).unwrap();
        assert!(matches!(
            kept.keep(&vault, &draft.id, &code("kort")),
            Err(KeptError::Vault(VaultError::WeakPassphrase { .. }))
        ));
        let number = kept
            .keep(&vault, &draft.id, &code("min egen kod 7"))
            .unwrap();
        assert_eq!(number.len(), 9, "{number}");
        drop(vault);
        first.end(crate::kiosk::EndReason::Visitor);

        // The next session: wrong codes cost time, the right one brings the draft back.
        let (next, mut vault) = crate::kiosk::Session::start(data.path()).unwrap();
        let t0 = SystemTime::now();
        let wrong = kept.resume(
            &mut vault,
            &number,
            &code("fel kod hela tiden"),
            t0,
            &flow_of,
        );
        assert!(matches!(wrong, Err(KeptError::WrongCode(9))), "{wrong:?}");
        let soon = kept.resume(&mut vault, &number, &code("min egen kod 7"), t0, &flow_of);
        assert!(matches!(soon, Err(KeptError::Wait(1))), "{soon:?}");
        let t1 = t0 + Duration::from_secs(1);
        let wrong = kept.resume(
            &mut vault,
            &number,
            &code("fel kod igen, igen"),
            t1,
            &flow_of,
        );
        assert!(matches!(wrong, Err(KeptError::WrongCode(8))), "{wrong:?}");
        let t2 = t1 + delay(2);
        let back = kept.resume(
            &mut vault,
            &number.replace(' ', "-"),
            &code("min egen kod 7"),
            t2,
            &flow_of,
        );
        let Ok(Resumed::Draft { id }) = back else {
            panic!("{back:?}")
        };
        let back = vault.load(&id).unwrap();
        assert_eq!(back.answers["answers"]["text"], "Behåll mig");
        // Once back, it is no longer kept.
        assert!(matches!(
            kept.resume(&mut vault, &number, &code("min egen kod 7"), t2, &flow_of),
            Err(KeptError::NotFound(_))
        ));
        drop(vault);
        next.end(crate::kiosk::EndReason::Visitor);
        assert_eq!(delay(20), Duration::from_secs(300));
    }

    #[test]
    fn too_many_wrong_codes_or_too_many_days_delete_a_kept_draft() {
        let data = tempfile::tempdir().unwrap();
        let catalogue = crate::catalogue::Catalogue::embedded().unwrap();
        let flow = catalogue.flow("synpunkt").unwrap();
        let flow_of = |id: &str| catalogue.flow(id).ok().cloned();
        let kept = Kept::new(data.path());
        let (session, mut vault) = crate::kiosk::Session::start(data.path()).unwrap();
        let mut draft = vault.new_draft(flow).unwrap();
        vault.save(&mut draft).unwrap();
        let number = kept
            .keep(&vault, &draft.id, &code("min egen kod 7"))
            .unwrap();
        let mut now = SystemTime::now();
        let mut last = None;
        for _ in 0..MAX_TRIES {
            now += Duration::from_secs(301);
            last = Some(kept.resume(&mut vault, &number, &code("gissar på kod 1"), now, &flow_of));
        }
        assert!(matches!(last, Some(Err(KeptError::Gone))), "{last:?}");
        assert!(matches!(
            kept.resume(&mut vault, &number, &code("min egen kod 7"), now, &flow_of),
            Err(KeptError::NotFound(_))
        ));

        let number = kept
            .keep(&vault, &draft.id, &code("min egen kod 7"))
            .unwrap();
        kept.expire(30, SystemTime::now() + Duration::from_secs(29 * 24 * 3600));
        assert!(kept.find(&digits(&number)).is_some());
        kept.expire(30, SystemTime::now() + Duration::from_secs(31 * 24 * 3600));
        assert!(kept.find(&digits(&number)).is_none());
        drop(vault);
        session.end(crate::kiosk::EndReason::Visitor);
    }

    #[test]
    fn details_kept_with_a_code_are_the_next_sessions_profile_and_nothing_else_is() {
        let data = tempfile::tempdir().unwrap();
        let flow_of = |_: &str| None;
        let kept = Kept::new(data.path());
        let (first, mut vault) = crate::kiosk::Session::start(data.path()).unwrap();
        assert!(matches!(
            kept.keep_profile(&vault, &code("min egen kod 7")),
            Err(KeptError::NoProfile)
        ));
        let me = crate::profile::Profile {
            first_name: Some("Åsa".into()),
            last_name: Some("Ängström".into()),
            personnummer: Some("19121212-1212".into()),
            ..Default::default()
        }
        .checked(crate::app::today())
        .unwrap();
        vault.set_profile(&me).unwrap();
        assert!(matches!(
            kept.keep_profile(&vault, &code("kort")),
            Err(KeptError::Vault(VaultError::WeakPassphrase { .. }))
        ));
        let number = kept.keep_profile(&vault, &code("min egen kod 7")).unwrap();
        // Sealed: the name is in no file under the kiosk's data folder.
        let mut files = vec![data.path().to_path_buf()];
        while let Some(f) = files.pop() {
            if f.is_dir() {
                files.extend(std::fs::read_dir(&f).unwrap().map(|e| e.unwrap().path()));
            } else {
                let bytes = std::fs::read(&f).unwrap();
                let name = "Ängström".as_bytes();
                assert!(
                    !bytes.windows(name.len()).any(|w| w == name),
                    "{}",
                    f.display()
                );
            }
        }
        drop(vault);
        first.end(crate::kiosk::EndReason::Visitor);

        let (next, mut vault) = crate::kiosk::Session::start(data.path()).unwrap();
        assert_eq!(vault.profile().unwrap(), None, "the last visitor's details");
        let now = SystemTime::now();
        let wrong = kept.resume(
            &mut vault,
            &number,
            &code("fel kod hela tiden"),
            now,
            &flow_of,
        );
        assert!(matches!(wrong, Err(KeptError::WrongCode(9))), "{wrong:?}");
        assert_eq!(vault.profile().unwrap(), None);
        let later = now + delay(1);
        let back = kept.resume(
            &mut vault,
            &number,
            &code("min egen kod 7"),
            later,
            &flow_of,
        );
        assert_eq!(back.unwrap(), Resumed::Profile);
        assert_eq!(vault.profile().unwrap(), Some(me));
        assert!(matches!(
            kept.resume(
                &mut vault,
                &number,
                &code("min egen kod 7"),
                later,
                &flow_of
            ),
            Err(KeptError::NotFound(_))
        ));
        drop(vault);
        next.end(crate::kiosk::EndReason::Visitor);
    }
}
