//! What the window shares between commands: the core's catalogue, index and vault, each
//! behind a lock (the index and the vault hold SQLite connections, which are not `Sync`).

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, RwLock};
use std::time::Instant;

use etjanst::catalogue::Catalogue;
use etjanst::catalogue::index::Index;
use etjanst::catalogue::sync::CancelHandle;
use etjanst::vault::Vault;
use zeroize::Zeroizing;

use crate::settings::Settings;

pub struct Desktop {
    pub data_dir: PathBuf,
    pub catalogue: RwLock<Catalogue>,
    pub index: Mutex<Option<Index>>,
    pub vault: Mutex<Option<Vault>>,
    /// The draft open in the window, marked "editing" in the vault until a clean close.
    pub open_draft: Mutex<Option<String>>,
    /// The last PDF made, held in memory until saved or printed: a filled form is personal
    /// data and is written only where the citizen chooses.
    pub pdf: Mutex<Option<MadePdf>>,
    /// Where the citizen saved the last PDF, the one file "open" may open.
    pub saved: Mutex<Option<PathBuf>>,
    pub sync: Mutex<Option<CancelHandle>>,
    pub settings: Mutex<Settings>,
    pub started: Instant,
    /// The autostart link of each BankID order this window started, by outbox entry: the
    /// only links "Öppna BankID" opens.
    pub signing: Mutex<std::collections::HashMap<String, String>>,
    /// The draft file the citizen chose to open, waiting for its passphrase.
    pub import_file: Mutex<Option<PathBuf>>,
}

pub struct MadePdf {
    pub bytes: Zeroizing<Vec<u8>>,
    pub file_name: String,
}

/// A poisoned lock only means another command panicked; the data under it is still whole
/// (every write to it is a single assignment or a transaction).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Desktop {
    pub fn new(data_dir: PathBuf, started: Instant) -> Result<Desktop, String> {
        let mut catalogue = Catalogue::open(&data_dir).map_err(|e| e.to_string())?;
        let index = etjanst::app::existing_index(Some(&data_dir)).map_err(|e| e.to_string())?;
        let settings = Settings::load(&data_dir);
        catalogue.set_gateway_override(Some(settings.gateway.clone()));
        etjanst::i18n::set_language(settings.lang());
        Ok(Desktop {
            data_dir,
            catalogue: RwLock::new(catalogue),
            index: Mutex::new(index),
            vault: Mutex::new(None),
            open_draft: Mutex::new(None),
            pdf: Mutex::new(None),
            saved: Mutex::new(None),
            sync: Mutex::new(None),
            settings: Mutex::new(settings),
            started,
            signing: Mutex::default(),
            import_file: Mutex::default(),
        })
    }

    pub fn catalogue(&self) -> std::sync::RwLockReadGuard<'_, Catalogue> {
        self.catalogue.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn lang(&self) -> etjanst::fill::Lang {
        lock(&self.settings).lang()
    }
}

/// Where the desktop keeps its data: `$ETJANST_DATA_DIR`, else the system's data directory,
/// the same place as the command line's.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("ETJANST_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("se", "etjanst", "etjanst").map(|p| p.data_dir().to_path_buf())
}
