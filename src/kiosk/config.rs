//! The administrator's kiosk configuration: a TOML file at [`SYSTEM_PATH`] (or the one given
//! with `--kiosk-config`). The visitor's account must not be able to change it: a file it can
//! write is refused, as is one that does not parse, so that kiosk mode never starts on
//! settings a visitor chose.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::admin;
use crate::fill::Lang;

/// Where a kiosk computer's configuration is looked for.
pub const SYSTEM_PATH: &str = "/etc/etjanst/kiosk.toml";

#[derive(Debug, Clone, PartialEq)]
pub struct KioskConfig {
    /// Sites (their addresses, as synced) whose services are offered; empty: the catalogue's
    /// own.
    pub sites: Vec<String>,
    /// From the last input to the session's end.
    pub idle_timeout: Duration,
    /// How long the countdown shows before the end.
    pub idle_warning: Duration,
    /// The printer "Skriv ut" prints to, without asking; `None`: the system's default.
    pub printer: Option<String>,
    /// Whether files may be attached, and from which folders (a USB stick's mount point).
    pub attachments: bool,
    pub attachment_folders: Vec<PathBuf>,
    pub language: Lang,
    /// Whether sending online with BankID is offered (where the site names a gateway).
    pub submit_online: bool,
    /// The administrator's code, hashed ([`admin::hash`]).
    pub admin_code: String,
    /// Days a protected draft is kept for its visitor to come back to.
    pub keep_days: u32,
    /// Whether the app itself looks for new versions; off: the administrator's package
    /// system updates it.
    pub updates: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    sites: Vec<String>,
    #[serde(default = "default_timeout")]
    idle_timeout: u64,
    #[serde(default = "default_warning")]
    idle_warning: u64,
    printer: Option<String>,
    #[serde(default)]
    attachments: bool,
    #[serde(default)]
    attachment_folders: Vec<PathBuf>,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default)]
    submit_online: bool,
    admin_code: String,
    #[serde(default = "default_keep")]
    keep_days: u32,
    #[serde(default)]
    updates: bool,
}

fn default_timeout() -> u64 {
    300
}
fn default_warning() -> u64 {
    60
}
fn default_language() -> String {
    "sv".into()
}
fn default_keep() -> u32 {
    30
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KioskError {
    #[error("{}", crate::i18n::display("kiosk-config-unreadable", &[("path", .path.clone()), ("detail", .detail.clone())]))]
    Unreadable { path: String, detail: String },
    #[error("{}", crate::i18n::display("kiosk-config-writable", &[("path", .0.clone())]))]
    Writable(String),
    #[error("{}", crate::i18n::display("kiosk-config-syntax", &[("path", .path.clone()), ("detail", .detail.clone())]))]
    Syntax { path: String, detail: String },
    #[error("{}", crate::i18n::display("kiosk-config-value", &[("path", .path.clone()), ("what", .detail.clone())]))]
    Value { path: String, detail: String },
}

impl KioskConfig {
    /// Reads and checks the configuration at `path`.
    pub fn load(path: &Path) -> Result<KioskConfig, KioskError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| KioskError::Unreadable {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
        if writable_by_visitor(path) {
            return Err(KioskError::Writable(shown));
        }
        Self::parse(&text, &shown)
    }

    /// Parses the configuration's text; `path` names it in messages.
    pub fn parse(text: &str, path: &str) -> Result<KioskConfig, KioskError> {
        let f: File = toml::from_str(text).map_err(|e| KioskError::Syntax {
            path: path.to_string(),
            detail: e.message().to_string(),
        })?;
        let value = |detail: String| KioskError::Value {
            path: path.to_string(),
            detail,
        };
        admin::check(&f.admin_code).map_err(|e| value(format!("admin_code: {e}")))?;
        let language = match f.language.as_str() {
            "sv" => Lang::Sv,
            "en" => Lang::En,
            other => return Err(value(format!("language = \"{other}\""))),
        };
        if f.idle_timeout < 10 {
            return Err(value(format!("idle_timeout = {}", f.idle_timeout)));
        }
        Ok(KioskConfig {
            sites: f.sites,
            idle_timeout: Duration::from_secs(f.idle_timeout),
            idle_warning: Duration::from_secs(f.idle_warning),
            printer: f.printer.filter(|p| !p.trim().is_empty()),
            attachments: f.attachments,
            attachment_folders: f.attachment_folders,
            language,
            submit_online: f.submit_online,
            admin_code: f.admin_code,
            keep_days: f.keep_days,
            updates: f.updates,
        })
    }
}

/// The running account could change the file: it is writable by group or others, or it
/// belongs to this account and this account is not the administrator's (root). Root can
/// write anything, so for root only the mode counts.
#[cfg(unix)]
fn writable_by_visitor(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return true;
    };
    let me = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
    meta.mode() & 0o022 != 0 || (me.is_some_and(|me| me != 0 && me == meta.uid()))
}

#[cfg(not(unix))]
fn writable_by_visitor(path: &Path) -> bool {
    std::fs::metadata(path).map_or(true, |m| !m.permissions().readonly())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> String {
        admin::hash("bibliotek-42", Some(10)).unwrap()
    }

    #[test]
    fn a_minimal_file_takes_the_defaults() {
        let c = KioskConfig::parse(&format!("admin_code = \"{}\"\n", code()), "k.toml").unwrap();
        assert_eq!(c.idle_timeout, Duration::from_secs(300));
        assert_eq!(c.idle_warning, Duration::from_secs(60));
        assert_eq!(c.language, Lang::Sv);
        assert!(!c.attachments && !c.submit_online && c.printer.is_none());
        assert!(
            !c.updates,
            "a kiosk updates through its package system unless told"
        );
        assert_eq!(c.keep_days, 30);
    }

    #[test]
    fn a_file_that_does_not_parse_or_names_a_bad_value_is_refused_saying_what() {
        let cases = [
            ("idle_timeout = 300\n".to_string(), "admin_code"),
            (
                format!("admin_code = \"{}\"\nidle_timout = 60\n", code()),
                "idle_timout",
            ),
            ("admin_code = \"hemligt\"\n".to_string(), "admin_code"),
            (
                format!("admin_code = \"{}\"\nlanguage = \"fi\"\n", code()),
                "fi",
            ),
            (
                format!("admin_code = \"{}\"\nidle_timeout = 5\n", code()),
                "idle_timeout",
            ),
            ("admin_code = \n".to_string(), "k.toml"),
        ];
        for (text, said) in cases {
            let e = KioskConfig::parse(&text, "k.toml").unwrap_err().to_string();
            assert!(e.contains(said), "{text:?}: {e}");
            assert!(e.contains("k.toml"), "{e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_write_or_none_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, format!("admin_code = \"{}\"\n", code())).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let me = std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m));
        if me.is_ok_and(|uid| uid == 0) {
            KioskConfig::load(&path).unwrap();
        } else {
            // The visitor's own file: theirs to change.
            assert!(matches!(
                KioskConfig::load(&path),
                Err(KioskError::Writable(_))
            ));
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(matches!(
            KioskConfig::load(&path),
            Err(KioskError::Writable(_))
        ));
        assert!(matches!(
            KioskConfig::load(&dir.path().join("saknas.toml")),
            Err(KioskError::Unreadable { .. })
        ));
    }
}
