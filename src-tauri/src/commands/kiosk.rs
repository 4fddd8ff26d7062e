//! Kiosk mode as the window sees it: what the administrator allows, the idle countdown, and
//! ending the visitor's session ("Avsluta och radera", the countdown run out, the
//! administrator's code). The session itself is the core's (`etjanst::kiosk`).

use std::time::{Duration, Instant, SystemTime};

use age::secrecy::SecretString;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, State};

use etjanst::kiosk::kept::{Kept, KeptError, Resumed};
use etjanst::kiosk::{EndReason, IdleState};
use etjanst::vault::{Passphrase, Vault};

use super::{Res, fail};
use crate::state::{Desktop, lock};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KioskView {
    pub idle_timeout: u64,
    pub idle_warning: u64,
    /// Files may be attached (from the administrator's folders).
    pub attachments: bool,
    /// "Skriv ut" prints here without asking; `None`: the system's default printer.
    pub printer: Option<String>,
    /// Days a draft kept with a personal code stays.
    pub keep_days: u32,
}

/// Kiosk mode's settings, or `None` on a citizen's own computer.
#[tauri::command]
pub fn kiosk_status(state: State<'_, Desktop>) -> Option<KioskView> {
    lock(&state.kiosk).as_ref().map(|k| KioskView {
        idle_timeout: k.config.idle_timeout.as_secs(),
        idle_warning: k.config.idle_warning.as_secs(),
        attachments: k.config.attachments,
        printer: k.config.printer.clone(),
        keep_days: k.config.keep_days,
    })
}

/// The visitor did something in the page ("Jag är kvar" included).
#[tauri::command]
pub fn kiosk_touch(state: State<'_, Desktop>) {
    if let Some(k) = lock(&state.kiosk).as_mut() {
        k.idle.touch(Instant::now());
    }
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdleView {
    /// `active`, `warning` (the countdown shows) or `ended`.
    pub state: &'static str,
    pub seconds_left: u64,
}

/// "Avsluta och radera": the session ends now and the next one starts.
#[tauri::command]
pub fn kiosk_end(app: AppHandle, state: State<'_, Desktop>) {
    state.end_session(EndReason::Visitor, true);
    let _ = app.emit("kiosk-ended", "visitor");
    super::update::between_visits(&app);
}

/// The administrator leaves kiosk mode with their code: the session ends and the app closes.
/// A wrong code changes nothing and waits a little, so that codes cannot be tried quickly.
#[tauri::command]
pub async fn kiosk_leave(app: AppHandle, code: String) -> Res<()> {
    let state = app.state::<Desktop>();
    let lang = state.lang();
    let Some(stored) = lock(&state.kiosk)
        .as_ref()
        .map(|k| k.config.admin_code.clone())
    else {
        return Ok(());
    };
    let ok = tauri::async_runtime::spawn_blocking(move || {
        let ok = etjanst::kiosk::admin::verify(&code, &stored);
        if !matches!(ok, Ok(true)) {
            std::thread::sleep(Duration::from_secs(2));
        }
        ok
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    if !ok {
        return Err(etjanst::t!(lang, "kiosk-code-wrong"));
    }
    state.end_session(EndReason::Administrator, false);
    app.exit(0);
    Ok(())
}

/// Keeps the idle deadline while the window is open: the countdown is sent to the page, and
/// when it runs out the session ends here, whatever the page is doing.
pub fn watch_idle(app: AppHandle) {
    std::thread::spawn(move || {
        let mut last = "active";
        loop {
            std::thread::sleep(Duration::from_millis(500));
            let state = app.state::<Desktop>();
            let now = lock(&state.kiosk)
                .as_ref()
                .map(|k| k.idle.state(Instant::now()));
            let view = match now {
                None => return,
                Some(IdleState::Active) => IdleView {
                    state: "active",
                    seconds_left: 0,
                },
                Some(IdleState::Warning { seconds_left }) => IdleView {
                    state: "warning",
                    seconds_left,
                },
                Some(IdleState::Expired) => {
                    state.end_session(EndReason::Idle, true);
                    super::update::between_visits(&app);
                    IdleView {
                        state: "ended",
                        seconds_left: 0,
                    }
                }
            };
            if view.state != "active" || last != "active" {
                let _ = app.emit("kiosk-idle", view.clone());
            }
            last = view.state;
        }
    });
}

/// Runs `f` on this kiosk's kept drafts, the session's vault and the visitor's code (typed as
/// the vault takes a passphrase). Only in kiosk mode.
fn with_kept<T>(
    state: &Desktop,
    code: String,
    f: impl FnOnce(&Kept, &mut Vault, &Passphrase) -> Result<T, KeptError>,
) -> Res<T> {
    let lang = state.lang();
    if !state.is_kiosk() {
        return Err(etjanst::t!(lang, "desktop-not-kiosk"));
    }
    let kept = Kept::new(&state.data_dir);
    let code = Passphrase::typed(SecretString::from(code));
    let mut guard = lock(&state.vault);
    let vault = guard
        .as_mut()
        .ok_or_else(|| etjanst::t!(lang, "desktop-vault-locked"))?;
    f(&kept, vault, &code).map_err(fail)
}

/// "Spara med egen kod": the visitor's draft is kept past the session, protected by their
/// code, under the number returned ("4821 7310") for them to note down.
#[tauri::command]
pub async fn kiosk_keep(app: AppHandle, id: String, code: String) -> Res<String> {
    with_kept(&app.state::<Desktop>(), code, |kept, vault, code| {
        kept.keep(vault, &id, code)
    })
}

/// "Spara med egen kod" on Mina uppgifter: the session's details are kept past it, protected
/// by the visitor's code, under the number returned.
#[tauri::command]
pub async fn kiosk_keep_profile(app: AppHandle, code: String) -> Res<String> {
    with_kept(&app.state::<Desktop>(), code, |kept, vault, code| {
        kept.keep_profile(vault, code)
    })
}

/// "Hämta det du sparat": what is kept under `number` comes back into this session with its
/// code, a draft into Mina utkast, details into Mina uppgifter.
#[tauri::command]
pub async fn kiosk_resume(app: AppHandle, number: String, code: String) -> Res<Resumed> {
    let state = app.state::<Desktop>();
    // The catalogue before the vault, as every command takes them.
    let catalogue = state.catalogue();
    let flow_of = |id: &str| catalogue.flow(id).ok().cloned();
    with_kept(&state, code, |kept, vault, code| {
        kept.resume(vault, &number, code, SystemTime::now(), &flow_of)
    })
}

/// The files the visitor may attach, from the administrator's folders (looked at again each
/// time: a USB stick may have been put in since).
#[tauri::command]
pub fn kiosk_files(state: State<'_, Desktop>) -> Vec<etjanst::kiosk::files::Attachable> {
    lock(&state.kiosk)
        .as_ref()
        .map(|k| k.config.attachable_files())
        .unwrap_or_default()
}

/// Attaches the file at `path`, which must be one of [`kiosk_files`]' (inside the
/// administrator's folders once every link is followed).
#[tauri::command]
pub fn kiosk_attach(
    state: State<'_, Desktop>,
    id: String,
    query_id: String,
    path: String,
) -> Res<serde_json::Value> {
    let lang = state.lang();
    let real = lock(&state.kiosk)
        .as_ref()
        .and_then(|k| k.config.attachable(std::path::Path::new(&path)))
        .ok_or_else(|| etjanst::t!(lang, "desktop-kiosk-no-attachments"))?;
    let bytes = zeroize::Zeroizing::new(
        std::fs::read(&real)
            .map_err(|e| etjanst::t!(lang, "desktop-attachment-read", detail = e))?,
    );
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    super::vault::attach(&state, &id, &query_id, &name, &bytes)
}
