//! "Tillgänglighetsredogörelse": the app's accessibility statement for the site's municipality,
//! made by the core from what CI measures (`etjanst::statement`), shown in the window and saved
//! as a web page for the municipality's site.

use tauri::{AppHandle, State};

use super::{Res, files};
use crate::state::Desktop;

fn made(state: &Desktop) -> etjanst::statement::Statement {
    let (measured, gaps) = etjanst::statement::embedded();
    let body = etjanst::statement::body_of(&state.catalogue());
    etjanst::statement::statement(&measured, &gaps, &body, state.lang())
}

#[tauri::command]
pub fn statement(state: State<'_, Desktop>) -> etjanst::statement::Statement {
    made(&state)
}

/// Saves the statement as an HTML page where the administrator chooses; whether it was saved.
#[tauri::command]
pub async fn statement_save(app: AppHandle, state: State<'_, Desktop>) -> Res<bool> {
    if state.is_kiosk() {
        return Err(etjanst::t!(state.lang(), "desktop-kiosk-no-save"));
    }
    let html = etjanst::statement::html(&made(&state), state.lang());
    let Some(path) = files::save_as(&app, "tillganglighetsredogorelse.html", "HTML", &["html"])
    else {
        return Ok(false);
    };
    files::write_private(&path, html.as_bytes())?;
    Ok(true)
}
