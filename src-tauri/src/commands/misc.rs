//! Start-up, settings, links, and "Mina uppgifter" (what is stored here; erase it all).

use serde::Serialize;
use tauri::{AppHandle, State};

use super::{Res, fail, files};
use crate::settings::Settings;
use crate::state::{Desktop, lock};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Startup {
    pub settings: Settings,
    pub vault: super::vault::VaultStatus,
    /// The municipality's phone, for the protected-identity notice.
    pub phone: Option<String>,
    pub site_name: String,
    pub warnings: Vec<String>,
}

#[tauri::command]
pub fn startup(state: State<'_, Desktop>) -> Res<Startup> {
    let vault = super::vault::vault_status(state.clone())?;
    let catalogue = state.catalogue();
    Ok(Startup {
        settings: lock(&state.settings).clone(),
        vault,
        phone: etjanst::app::site_phone(&catalogue),
        site_name: catalogue.site.name.clone(),
        warnings: catalogue.warnings.iter().map(|w| w.to_string()).collect(),
    })
}

/// Stores the window's settings; the core's messages follow the language at once.
#[tauri::command]
pub fn set_settings(state: State<'_, Desktop>, mut settings: Settings) -> Res<Settings> {
    if !settings.gateway.trim().is_empty() {
        settings.gateway = etjanst::catalogue::gateway_address(&settings.gateway)?;
    }
    let mut current = lock(&state.settings);
    let window = current.window;
    *current = Settings { window, ..settings };
    state
        .catalogue
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .set_gateway_override(Some(current.gateway.clone()));
    etjanst::i18n::set_language(current.lang());
    // A visitor's choices at a kiosk last their session: nothing of theirs is written.
    if !state.is_kiosk() {
        current.save(&state.data_dir)?;
    }
    Ok(current.clone())
}

/// Opens a link from a description in the system browser, after the window asked the citizen.
/// Only web addresses: `mailto:`, `file:` and anything else is refused here too.
#[tauri::command]
pub fn open_link(state: State<'_, Desktop>, url: String) -> Res<()> {
    let lang = state.lang();
    // A kiosk opens nothing outside the app: the page shows the address and its QR code.
    if state.is_kiosk() {
        return Err(etjanst::t!(lang, "desktop-kiosk-no-links"));
    }
    let parsed = tauri::Url::parse(&url).map_err(|_| etjanst::t!(lang, "desktop-not-web-link"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(etjanst::t!(lang, "desktop-not-web-link"));
    }
    crate::open::open(parsed.as_str())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkQr {
    /// An SVG path of the code's dark modules, in a square `size` wide.
    pub path: String,
    pub size: usize,
}

/// A web address as a QR code, for a kiosk's visitor to read with their phone: the kiosk
/// opens no link itself.
#[tauri::command]
pub fn link_qr(state: State<'_, Desktop>, url: String) -> Res<LinkQr> {
    let lang = state.lang();
    let parsed = tauri::Url::parse(&url).map_err(|_| etjanst::t!(lang, "desktop-not-web-link"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(etjanst::t!(lang, "desktop-not-web-link"));
    }
    let (path, size) = etjanst::submit::qr_path(parsed.as_str())
        .ok_or_else(|| etjanst::t!(lang, "desktop-not-web-link"))?;
    Ok(LinkQr { path, size })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct About {
    pub version: &'static str,
    /// Empty when built outside a git checkout.
    pub commit: &'static str,
    pub license: &'static str,
}

/// "Om etjanst": what is running, from the workspace's one version and the build's commit.
#[tauri::command]
pub fn about() -> About {
    About {
        version: env!("CARGO_PKG_VERSION"),
        commit: env!("ETJANST_COMMIT"),
        license: env!("CARGO_PKG_LICENSE"),
    }
}

/// The licences of what etjanst is built from (crates, the UI's npm packages, the fonts), as
/// `scripts/licenses` gathered them; shown on "Om etjanst" when asked for.
#[tauri::command]
pub fn third_party_licenses() -> String {
    use std::io::Read;
    static DEFLATED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/licenses.txt.z"));
    let mut text = String::new();
    match flate2::read::ZlibDecoder::new(DEFLATED).read_to_string(&mut text) {
        Ok(_) => text,
        // Built from the repository's own file: damage here is a broken build, said plainly.
        Err(e) => format!("packaging/THIRD-PARTY-LICENSES.txt: {e}"),
    }
}

/// The catalogue is on screen. The start-up trace (`ETJANST_STARTUP_TRACE=1`) prints when,
/// for `scripts/bench-desktop`; `--self-test` prints it and exits.
#[tauri::command]
pub fn painted(app: tauri::AppHandle, state: State<'_, Desktop>) {
    let ms = state.started.elapsed().as_millis();
    if std::env::var("ETJANST_STARTUP_TRACE").as_deref() == Ok("1") {
        eprintln!("CATALOGUE_PAINTED_MS={ms}");
    }
    if state.self_test {
        println!(
            "etjanst-desktop {} --self-test: the window opened and the catalogue painted {ms} ms after start",
            env!("CARGO_PKG_VERSION")
        );
        let _ = std::fs::remove_dir_all(&state.data_dir);
        app.exit(0);
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredFile {
    pub name: String,
    pub bytes: u64,
    pub encrypted: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MyData {
    pub drafts: usize,
    pub receipts: usize,
    pub sites: usize,
    pub files: Vec<StoredFile>,
    pub folder: String,
}

fn stored(dir: &std::path::Path) -> Vec<StoredFile> {
    let mut out: Vec<StoredFile> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            let name = e.file_name().to_string_lossy().into_owned();
            let bytes = if meta.is_dir() {
                walk_size(&e.path())
            } else {
                meta.len()
            };
            Some(StoredFile {
                encrypted: name.starts_with("vault."),
                name,
                bytes,
            })
        })
        .filter(|f| !f.name.ends_with(".sock"))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn walk_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => walk_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

#[tauri::command]
pub fn my_data(state: State<'_, Desktop>) -> Res<MyData> {
    let (drafts, receipts) = match lock(&state.vault).as_ref() {
        Some(v) => (
            v.list().map_err(fail)?.len(),
            v.receipts().map_err(fail)?.0.len(),
        ),
        None => (0, 0),
    };
    let sites = match lock(&state.index).as_ref() {
        Some(i) => i.sites().map_err(fail)?.len(),
        None => 0,
    };
    Ok(MyData {
        drafts,
        receipts,
        sites,
        files: stored(&state.data_dir),
        folder: state.data_dir.display().to_string(),
    })
}

/// Erases everything etjanst keeps on this computer (drafts, receipts, synced catalogues,
/// settings) and leaves the window at its first start.
#[tauri::command]
pub fn erase_all(state: State<'_, Desktop>) -> Res<()> {
    // A kiosk's data folder holds other visitors' kept drafts and the administrator's
    // catalogue; a visitor erases their own with "Avsluta och radera".
    if state.is_kiosk() {
        return Err(etjanst::t!(state.lang(), "desktop-kiosk-no-erase-all"));
    }
    *lock(&state.vault) = None;
    *lock(&state.index) = None;
    *lock(&state.pdf) = None;
    *lock(&state.open_draft) = None;
    for f in stored(&state.data_dir) {
        let path = state.data_dir.join(&f.name);
        let result = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        result.map_err(|e| format!("{}: {e}", path.display()))?;
    }
    *lock(&state.settings) = Settings::default();
    etjanst::i18n::set_language(etjanst::fill::Lang::Sv);
    *state.catalogue.write().unwrap_or_else(|p| p.into_inner()) =
        etjanst::catalogue::Catalogue::open(&state.data_dir).map_err(|e| e.to_string())?;
    Ok(())
}

/// Exports every draft, each as its own passphrase-protected file, into a folder the citizen
/// chooses (the export format of `etjanst draft export`).
#[tauri::command]
pub async fn export_all(
    app: AppHandle,
    state: State<'_, Desktop>,
    passphrase: String,
) -> Res<usize> {
    if state.is_kiosk() {
        return Err(etjanst::t!(state.lang(), "desktop-kiosk-no-save"));
    }
    let p = etjanst::vault::Passphrase::typed(age::secrecy::SecretString::from(passphrase));
    let list = super::vault::with_vault(&state, |v| v.list())?;
    let Some(first) = files::save_as(&app, "utkast-1.etjanst", "etjanst", &["etjanst"]) else {
        return Ok(0);
    };
    let dir = first
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let mut n = 0;
    for (i, d) in list.iter().enumerate() {
        if d.header.is_none() {
            continue;
        }
        let bytes =
            zeroize::Zeroizing::new(super::vault::with_vault(&state, |v| v.export(&d.id, &p))?);
        let path = if i == 0 {
            first.clone()
        } else {
            dir.join(format!("utkast-{}.etjanst", i + 1))
        };
        files::write_private(&path, &bytes)?;
        n += 1;
    }
    Ok(n)
}
