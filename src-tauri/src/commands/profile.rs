//! "Mina uppgifter": the citizen's own details, kept in the vault, encrypted like drafts; they
//! fill the applicant's questions of every new form (`etjanst::profile`). At a kiosk they are
//! the session's, gone when it ends unless the visitor keeps them with a code of their own
//! (`kiosk_keep_profile`); never written to the kiosk's disk as a file.

use serde::Serialize;
use tauri::{AppHandle, State};

use etjanst::profile::Profile;

use super::vault::with_vault;
use super::{Res, files};
use crate::state::Desktop;

#[tauri::command]
pub fn profile_get(state: State<'_, Desktop>) -> Res<Profile> {
    Ok(with_vault(&state, |v| v.profile())?.unwrap_or_default())
}

/// A detail the profile refuses, for the field it belongs to.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refused {
    pub field: String,
    pub message: String,
}

/// Saves the details, checked as forms check them; the refusals when some are not right
/// (nothing is saved then).
#[tauri::command]
pub fn profile_set(state: State<'_, Desktop>, profile: Profile) -> Res<Vec<Refused>> {
    match profile.checked(etjanst::app::today()) {
        Ok(p) => {
            with_vault(&state, |v| v.set_profile(&p))?;
            Ok(Vec::new())
        }
        Err(invalid) => Ok(invalid
            .into_iter()
            .map(|i| Refused {
                field: i.field.into(),
                message: i.message,
            })
            .collect()),
    }
}

/// "Spara i Mina uppgifter" in a form: the applicant's details as typed there become the
/// profile's (checked as forms check them).
#[tauri::command]
pub fn profile_take(
    state: State<'_, Desktop>,
    flow_id: String,
    answers: serde_json::Value,
) -> Res<Vec<Refused>> {
    let catalogue = state.catalogue();
    let flow = super::form::flow_of(&catalogue, &flow_id)?;
    let parsed = super::form::parse(flow, &answers)?;
    let now = with_vault(&state, |v| v.profile())?.unwrap_or_default();
    let taken = etjanst::profile::take(&etjanst::fill::Form::new(flow), &parsed, &now);
    drop(catalogue);
    profile_set(state, taken)
}

#[tauri::command]
pub fn profile_erase(state: State<'_, Desktop>) -> Res<()> {
    with_vault(&state, |v| v.erase_profile())
}

/// Saves the details as a JSON file where the citizen chooses (plain text: the page says so);
/// whether one was saved.
#[tauri::command]
pub async fn profile_export(app: AppHandle, state: State<'_, Desktop>) -> Res<bool> {
    if state.is_kiosk() {
        return Err(etjanst::t!(state.lang(), "desktop-kiosk-no-save"));
    }
    let profile = with_vault(&state, |v| v.profile())?.unwrap_or_default();
    let Some(path) = files::save_as(&app, "mina-uppgifter.json", "JSON", &["json"]) else {
        return Ok(false);
    };
    let json = zeroize::Zeroizing::new(serde_json::to_vec_pretty(&profile).unwrap_or_default());
    files::write_private(&path, &json)?;
    Ok(true)
}
