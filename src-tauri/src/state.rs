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
    /// Kiosk mode: the administrator's configuration and the visitor's session.
    pub kiosk: Mutex<Option<Kiosk>>,
    /// The last input in the page, for the idle lock (`Settings::lock_after_minutes`).
    pub last_input: Mutex<Instant>,
    /// `--self-test`: exit once the catalogue has painted.
    pub self_test: bool,
    /// The PDF blankett open in the window.
    pub blankett: Mutex<Option<crate::commands::blankett::OpenBlankett>>,
    /// An application someone else sent, opened with a signing code on this computer.
    pub cosign: Mutex<Option<Guest>>,
    /// A new version found by the last look, waiting for "Installera och starta om".
    pub update: Mutex<Option<tauri_plugin_updater::Update>>,
}

/// Another's application opened with a signing code: where, under which key of this
/// computer's. Held in memory only.
#[derive(Clone)]
pub struct Guest {
    pub gateway: String,
    pub key: String,
    pub id: String,
}

/// A kiosk computer's state: its configuration, the session running (its vault is the
/// window's vault), and the idle deadline.
pub struct Kiosk {
    pub config: etjanst::kiosk::KioskConfig,
    pub session: Option<etjanst::kiosk::Session>,
    pub idle: etjanst::kiosk::Idle,
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
            kiosk: Mutex::default(),
            last_input: Mutex::new(Instant::now()),
            self_test: false,
            update: Mutex::new(None),
            blankett: Mutex::new(None),
            cosign: Mutex::new(None),
        })
    }

    pub fn catalogue(&self) -> std::sync::RwLockReadGuard<'_, Catalogue> {
        self.catalogue.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn lang(&self) -> etjanst::fill::Lang {
        lock(&self.settings).lang()
    }

    /// At a kiosk, whether its administrator lets it look for updates; elsewhere `None`
    /// (the citizen's setting decides).
    pub fn kiosk_updates(&self) -> Option<bool> {
        lock(&self.kiosk).as_ref().map(|k| k.config.updates)
    }

    pub fn is_kiosk(&self) -> bool {
        lock(&self.kiosk).is_some()
    }

    /// Starts kiosk mode with `config`: a first visit, its vault the window's, the
    /// administrator's language.
    pub fn start_kiosk(&self, config: etjanst::kiosk::KioskConfig) -> Result<(), String> {
        let mut k = Kiosk {
            idle: etjanst::kiosk::Idle::new(
                config.idle_timeout,
                config.idle_warning,
                Instant::now(),
            ),
            config,
            session: None,
        };
        self.begin_visit(&mut k)?;
        *lock(&self.kiosk) = Some(k);
        Ok(())
    }

    /// Ends the visitor's session and, with `again`, starts the next one: everything of theirs
    /// in memory dropped (the vault with its key, the PDF, the open draft), their folder
    /// deleted. The end is logged without personal data.
    pub fn end_session(&self, reason: etjanst::kiosk::EndReason, again: bool) {
        *lock(&self.vault) = None;
        *lock(&self.pdf) = None;
        *lock(&self.open_draft) = None;
        *lock(&self.import_file) = None;
        *lock(&self.saved) = None;
        lock(&self.signing).clear();
        *lock(&self.cosign) = None;
        let mut kiosk = lock(&self.kiosk);
        let Some(k) = kiosk.as_mut() else { return };
        if let Some(session) = k.session.take() {
            eprintln!("etjanst-desktop: {}", session.end(reason));
        }
        if again && let Err(e) = self.begin_visit(k) {
            eprintln!("etjanst-desktop: kiosk: {e}");
        }
    }

    /// A visit begins: kept drafts past their days deleted, a new session whose vault is the
    /// window's, the idle clock from now, and the administrator's language whatever the last
    /// visitor chose.
    fn begin_visit(&self, k: &mut Kiosk) -> Result<(), String> {
        etjanst::kiosk::kept::Kept::new(&self.data_dir)
            .expire(k.config.keep_days, std::time::SystemTime::now());
        let (session, vault) =
            etjanst::kiosk::Session::start(&self.data_dir).map_err(|e| e.to_string())?;
        k.session = Some(session);
        *lock(&self.vault) = Some(vault);
        k.idle =
            etjanst::kiosk::Idle::new(k.config.idle_timeout, k.config.idle_warning, Instant::now());
        let mut settings = lock(&self.settings);
        settings.language = match k.config.language {
            etjanst::fill::Lang::Sv => "sv".into(),
            etjanst::fill::Lang::En => "en".into(),
        };
        etjanst::i18n::set_language(settings.lang());
        Ok(())
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
