//! New versions of etjanst, signed: looked for only after the citizen said yes (at most once a
//! day), or when they ask on "Om etjanst"; at a kiosk only when the administrator's
//! configuration says so. Tauri's updater plugin fetches the announcement and the package and
//! refuses one whose minisign signature does not verify against the public key built into the
//! app (`plugins.updater.pubkey` in tauri.conf.json); this module decides when, says what
//! changed, and saves and closes the open draft before the restart.

use std::time::Duration;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_updater::{Error as UpdateError, Update, UpdaterExt};

use super::{Res, vault};
use crate::settings::Settings;
use crate::state::{Desktop, lock};

/// The shortest time between two automatic checks.
const DAY_SECONDS: i64 = 24 * 60 * 60;

/// Whether the start of the window should look for a new version: only with consent (the
/// citizen's setting, or at a kiosk the administrator's), and only once a day. A clock set
/// back counts as a day gone by, so that a wrong date cannot stop updates for good.
pub fn due(settings: &Settings, kiosk_allows: Option<bool>, now: i64) -> bool {
    let allowed = kiosk_allows.unwrap_or(settings.updates);
    allowed
        && settings
            .update_checked
            .is_none_or(|t| now - t >= DAY_SECONDS || t > now)
}

/// A new version, as "Om etjanst" shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Available {
    pub version: String,
    pub current: String,
    /// What changed, in Swedish: the announcement's `notes`, shown as plain text.
    pub notes: String,
    /// The release date, `YYYY-MM-DD`, when the announcement gives one.
    pub date: Option<String>,
}

impl Available {
    fn of(u: &Update) -> Available {
        Available {
            version: u.version.clone(),
            current: u.current_version.clone(),
            notes: u.body.clone().unwrap_or_default().trim().to_string(),
            date: u
                .date
                .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())),
        }
    }
}

/// The updater with the address and the trusted certificate authority from the settings (a
/// municipality's own mirror, with its own CA), else the configuration's.
fn updater(app: &AppHandle, settings: &Settings) -> Res<tauri_plugin_updater::Updater> {
    let lang = settings.lang();
    let failed = |e: &dyn std::fmt::Display| {
        etjanst::t!(lang, "desktop-update-failed", detail = e.to_string())
    };
    let mut builder = app.updater_builder().timeout(Duration::from_secs(60));
    let url = settings.update_address();
    if !url.is_empty() {
        let url = tauri::Url::parse(&url).map_err(|e| failed(&e))?;
        builder = builder.endpoints(vec![url]).map_err(|e| failed(&e))?;
    }
    let ca = settings.update_authority();
    if !ca.is_empty() {
        let pem = std::fs::read(&ca).map_err(|e| failed(&format!("{ca}: {e}")))?;
        let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| failed(&e))?;
        builder = builder.configure_client(move |c| c.add_root_certificate(cert.clone()));
    }
    // Windows closes the app when the installer starts: the draft is saved and closed first.
    let handle = app.clone();
    builder = builder.on_before_exit(move || close_open_draft(&handle.state::<Desktop>()));
    builder.build().map_err(|e| failed(&e))
}

fn message(e: &UpdateError, lang: etjanst::fill::Lang) -> String {
    match e {
        UpdateError::Minisign(_)
        | UpdateError::Base64(_)
        | UpdateError::SignatureUtf8(_)
        | UpdateError::SignedVersionMismatch { .. }
        | UpdateError::MissingSignedVersion
        | UpdateError::InvalidUpdaterFormat => {
            etjanst::t!(lang, "desktop-update-not-genuine", detail = e.to_string())
        }
        UpdateError::Reqwest(_) | UpdateError::Network(_) | UpdateError::ReleaseNotFound => {
            etjanst::t!(lang, "desktop-update-unreachable", detail = e.to_string())
        }
        _ => etjanst::t!(lang, "desktop-update-failed", detail = e.to_string()),
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Asks the update address whether a newer version is out. The time of asking is kept first,
/// answered or not: a computer without a connection does not ask again at every start.
async fn look(app: &AppHandle) -> Res<Option<Available>> {
    let state = app.state::<Desktop>();
    let settings = {
        let mut s = lock(&state.settings);
        s.update_checked = Some(now());
        let _ = s.save(&state.data_dir);
        s.clone()
    };
    let lang = settings.lang();
    let found = updater(app, &settings)?
        .check()
        .await
        .map_err(|e| message(&e, lang))?;
    let view = found.as_ref().map(Available::of);
    *lock(&state.update) = found;
    Ok(view)
}

/// "Sök efter uppdateringar nu": the citizen's own request, consent or not.
#[tauri::command]
pub async fn update_check(app: AppHandle) -> Res<Option<Available>> {
    if let Some(k) = app.state::<Desktop>().kiosk_updates()
        && !k
    {
        let lang = app.state::<Desktop>().lang();
        return Err(etjanst::t!(lang, "desktop-kiosk-no-updates"));
    }
    look(&app).await
}

/// The new version found at start-up, if any (the window asks once it has painted).
#[tauri::command]
pub fn update_found(state: State<'_, Desktop>) -> Option<Available> {
    lock(&state.update).as_ref().map(Available::of)
}

/// At start-up: looks once a day when allowed, and tells the window when a version is out.
pub fn check_in_background(app: AppHandle) {
    let due = {
        let state = app.state::<Desktop>();
        let settings = lock(&state.settings);
        !state.self_test && due(&settings, state.kiosk_updates(), now())
    };
    if !due {
        return;
    }
    tauri::async_runtime::spawn(async move {
        // A failed automatic check says nothing: the citizen did not ask, and the next
        // start tries again a day later.
        if let Ok(Some(v)) = look(&app).await {
            let _ = app.emit("update-available", v);
        }
    });
}

/// At a kiosk whose administrator allows updates: a version found at start-up is installed
/// when a visit has ended, before the next visitor sits down, never in the middle of one.
pub fn between_visits(app: &AppHandle) {
    let state = app.state::<Desktop>();
    if state.kiosk_updates() != Some(true) || lock(&state.update).is_none() {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = update_install(app).await {
            eprintln!("etjanst-desktop: {e}");
        }
    });
}

fn close_open_draft(state: &Desktop) {
    if let Some(id) = lock(&state.open_draft).take() {
        let _ = vault::close(state, &id);
    }
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Progress {
    received: usize,
    total: Option<u64>,
}

/// "Installera och starta om": downloads the version found, which the plugin installs only if
/// its signature verifies; then the open draft is saved and closed and the app starts again.
#[tauri::command]
pub async fn update_install(app: AppHandle) -> Res<()> {
    let state = app.state::<Desktop>();
    let lang = state.lang();
    let update = lock(&state.update)
        .clone()
        .ok_or_else(|| etjanst::t!(lang, "desktop-update-none"))?;
    let mut received = 0usize;
    let progress = app.clone();
    update
        .download_and_install(
            move |chunk, total| {
                received += chunk;
                let _ = progress.emit("update-progress", Progress { received, total });
            },
            || {},
        )
        .await
        .map_err(|e| message(&e, lang))?;
    close_open_draft(&state);
    // The new process must not find this one still listening and hand its start over.
    let _ = std::fs::remove_file(crate::single_instance::socket(&state.data_dir));
    app.restart()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(consent: bool, checked: Option<i64>) -> Settings {
        Settings {
            updates: consent,
            update_checked: checked,
            ..Settings::default()
        }
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn never_without_consent() {
        assert!(!due(&settings(false, None), None, NOW));
        assert!(!due(
            &settings(false, Some(NOW - 10 * DAY_SECONDS)),
            None,
            NOW
        ));
    }

    #[test]
    fn at_most_once_a_day() {
        assert!(due(&settings(true, None), None, NOW));
        assert!(!due(
            &settings(true, Some(NOW - DAY_SECONDS + 60)),
            None,
            NOW
        ));
        assert!(due(&settings(true, Some(NOW - DAY_SECONDS)), None, NOW));
        // A clock set back does not stop updates until it catches up.
        assert!(due(&settings(true, Some(NOW + 3 * DAY_SECONDS)), None, NOW));
    }

    #[test]
    fn a_kiosk_follows_its_administrator_not_the_settings() {
        assert!(!due(&settings(true, None), Some(false), NOW));
        assert!(due(&settings(false, None), Some(true), NOW));
        assert!(!due(&settings(false, Some(NOW - 60)), Some(true), NOW));
    }
}
