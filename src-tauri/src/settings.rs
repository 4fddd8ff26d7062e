//! The window's own settings (language, text size, contrast, the protected-identity notice):
//! not personal data, kept in clear beside the vault.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// "sv" or "en".
    pub language: String,
    /// 100, 125, 150 or 200 (per cent).
    pub text_size: u32,
    pub high_contrast: bool,
    /// The first-start notice for people with protected identity was read.
    pub protected_notice_seen: bool,
    /// Window size and position when it was last closed.
    pub window: Option<WindowPlace>,
    /// The municipality's submission gateway (`etjanst-gateway`); empty: none, applications
    /// are printed. `$ETJANST_GATEWAY` gives it when none is set.
    pub gateway: String,
    /// Minutes without input in the window after which the drafts lock themselves ("Lås");
    /// 0: never.
    pub lock_after_minutes: u32,
    /// The citizen said yes to looking for new versions (at most once a day).
    pub updates: bool,
    /// When the last look was (Unix seconds).
    pub update_checked: Option<i64>,
    /// Where to look instead of the configuration's address: a municipality's own mirror.
    /// `$ETJANST_UPDATE_URL` gives it when none is set. Not shown in the window.
    pub update_url: String,
    /// A PEM file with the certificate authority that mirror's TLS certificate is from;
    /// `$ETJANST_UPDATE_CA` when none is set.
    pub update_ca: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowPlace {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub maximized: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            language: "sv".into(),
            text_size: 100,
            high_contrast: false,
            protected_notice_seen: false,
            window: None,
            gateway: String::new(),
            lock_after_minutes: 0,
            updates: false,
            update_checked: None,
            update_url: String::new(),
            update_ca: String::new(),
        }
    }
}

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("desktop.json")
}

impl Settings {
    /// The stored settings; damaged or missing ones give the defaults (nothing in them is
    /// worth refusing to start over).
    pub fn load(data_dir: &Path) -> Settings {
        std::fs::read(path(data_dir))
            .ok()
            .and_then(|b| serde_json::from_slice::<Settings>(&b).ok())
            .unwrap_or_default()
            .sane()
    }

    fn sane(mut self) -> Settings {
        if self.language != "en" {
            self.language = "sv".into();
        }
        self.text_size = self.text_size.clamp(100, 200);
        self.lock_after_minutes = self.lock_after_minutes.min(120);
        if self.gateway.trim().is_empty()
            && let Ok(g) = std::env::var("ETJANST_GATEWAY")
        {
            self.gateway = g;
        }
        self.gateway = self.gateway.trim().to_string();
        self
    }

    pub fn save(&self, data_dir: &Path) -> Result<(), String> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        etjanst::private::dir(data_dir).map_err(|e| e.to_string())?;
        etjanst::catalogue::write_atomic(&path(data_dir), &bytes).map_err(|e| e.to_string())
    }

    /// The update address to use instead of the configuration's; empty: none.
    pub fn update_address(&self) -> String {
        or_env(&self.update_url, "ETJANST_UPDATE_URL")
    }

    /// The extra certificate authority's file; empty: none.
    pub fn update_authority(&self) -> String {
        or_env(&self.update_ca, "ETJANST_UPDATE_CA")
    }

    pub fn lang(&self) -> etjanst::fill::Lang {
        if self.language == "en" {
            etjanst::fill::Lang::En
        } else {
            etjanst::fill::Lang::Sv
        }
    }
}

fn or_env(value: &str, var: &str) -> String {
    let v = value.trim();
    if v.is_empty() {
        std::env::var(var).unwrap_or_default().trim().to_string()
    } else {
        v.to_string()
    }
}
