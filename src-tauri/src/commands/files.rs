//! Files the citizen chooses: the system's save and open dialogs, and private writes.

use std::path::{Path, PathBuf};

use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

use super::Res;

/// A debug build (the end-to-end suite) may answer the dialogs from the environment:
/// WebDriver cannot reach a native GTK dialog. A release build always asks the citizen.
fn test_answer(var: &str) -> Option<PathBuf> {
    if !cfg!(debug_assertions) {
        return None;
    }
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Where to save a file named `name` by default; `None` when the citizen cancels.
pub fn save_as(app: &AppHandle, name: &str, filter: &str, extensions: &[&str]) -> Option<PathBuf> {
    if let Some(dir) = test_answer("ETJANST_TEST_SAVE_DIR") {
        return Some(dir.join(name));
    }
    let mut dialog = app
        .dialog()
        .file()
        .set_file_name(name)
        .add_filter(filter, extensions);
    if let Some(docs) =
        directories::UserDirs::new().and_then(|u| u.document_dir().map(Path::to_path_buf))
    {
        dialog = dialog.set_directory(docs);
    }
    dialog.blocking_save_file().and_then(|p| p.into_path().ok())
}

pub fn open_file(app: &AppHandle, filter: &str, extensions: &[&str]) -> Option<PathBuf> {
    if let Some(file) = test_answer("ETJANST_TEST_OPEN_FILE") {
        return Some(file);
    }
    app.dialog()
        .file()
        .add_filter(filter, extensions)
        .blocking_pick_file()
        .and_then(|p| p.into_path().ok())
}

/// Writes whole or not at all, readable by the citizen's account only: what the window saves
/// holds personal data.
pub fn write_private(path: &Path, bytes: &[u8]) -> Res<()> {
    etjanst::catalogue::write_atomic(path, bytes).map_err(super::fail)
}
