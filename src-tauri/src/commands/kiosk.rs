//! Kiosk mode as the window sees it: what the administrator allows, the idle countdown, and
//! ending the visitor's session ("Avsluta och radera", the countdown run out, the
//! administrator's code). The session itself is the core's (`etjanst::kiosk`).

use std::time::{Duration, Instant};

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, State};

use etjanst::kiosk::{EndReason, IdleState};

use super::Res;
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
}

/// Kiosk mode's settings, or `None` on a citizen's own computer.
#[tauri::command]
pub fn kiosk_status(state: State<'_, Desktop>) -> Option<KioskView> {
    lock(&state.kiosk).as_ref().map(|k| KioskView {
        idle_timeout: k.config.idle_timeout.as_secs(),
        idle_warning: k.config.idle_warning.as_secs(),
        attachments: k.config.attachments,
        printer: k.config.printer.clone(),
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
