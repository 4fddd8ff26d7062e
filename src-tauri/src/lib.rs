//! etjanst's desktop window over the etjanst core. The core decides; this crate shows and asks:
//! [`commands`] are thin calls into `etjanst::app`, `fill`, `vault` and `pdf`.

mod commands;
mod open;
mod printer;
mod settings;
mod single_instance;
mod state;

use std::time::Instant;

use tauri::{Manager, PhysicalPosition, PhysicalSize, WindowEvent};

use commands::{
    blankett, catalogue, cosign, form, kiosk, misc, print, profile, statement, submit, update,
    vault,
};
use state::{Desktop, lock};

/// WebKitGTK's DMA-BUF renderer leaves the window blank on many real machines (NVIDIA's
/// driver, some Wayland compositors); a form needs no GPU compositing either. Set before GTK
/// starts, and only where the citizen has not chosen otherwise.
fn webkit_defaults() {
    #[cfg(target_os = "linux")]
    for var in [
        "WEBKIT_DISABLE_DMABUF_RENDERER",
        "WEBKIT_DISABLE_COMPOSITING_MODE",
    ] {
        if std::env::var_os(var).is_none() {
            // SAFETY: called first thing in `run`, before any other thread exists, so nothing
            // reads the environment concurrently.
            unsafe { std::env::set_var(var, "1") }
        }
    }
}

pub fn run() {
    let started = Instant::now();
    webkit_defaults();
    // `--self-test` (the installed package's check): the window opens on a data folder of its
    // own, the catalogue paints, the time is printed and the app exits; nothing of the
    // citizen's is read or written, and no running window is handed the start.
    let self_test = std::env::args().any(|a| a == "--self-test");
    let data_dir = if self_test {
        Some(std::env::temp_dir().join(format!("etjanst-self-test-{}", std::process::id())))
    } else {
        state::data_dir()
    };
    let Some(data_dir) = data_dir else {
        eprintln!(
            "etjanst-desktop: {}",
            etjanst::t!(etjanst::fill::Lang::Sv, "no-data-dir")
        );
        std::process::exit(2);
    };
    if !self_test && single_instance::handed_over(&data_dir) {
        eprintln!(
            "etjanst-desktop: {}",
            etjanst::t!(etjanst::fill::Lang::Sv, "desktop-another-window")
        );
        return;
    }
    let mut desktop = match Desktop::new(data_dir.clone(), started) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("etjanst-desktop: {e}");
            std::process::exit(2);
        }
    };
    desktop.self_test = self_test;
    if self_test {
        let dir = data_dir.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(90));
            eprintln!("etjanst-desktop --self-test: the catalogue did not paint within 90 s");
            let _ = std::fs::remove_dir_all(&dir);
            std::process::exit(1);
        });
    }
    // Kiosk mode: the administrator's file, or none. One that cannot be trusted stops the
    // app here, saying why: never a kiosk on settings a visitor could have chosen.
    if let Some(path) = kiosk_config_path().filter(|_| !self_test) {
        let started = etjanst::kiosk::KioskConfig::load(&path)
            .map_err(|e| e.to_string())
            .and_then(|config| desktop.start_kiosk(config));
        if let Err(e) = started {
            eprintln!("etjanst-desktop: {e}");
            std::process::exit(2);
        }
    }
    let kiosk = desktop.is_kiosk();
    let place = lock(&desktop.settings).window;
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(desktop)
        .setup(move |app| {
            let window = main_window(app, kiosk)?;
            if !kiosk {
                vault::watch_lock(app.handle().clone());
            }
            if kiosk {
                let _ = window.set_decorations(false);
                let _ = window.set_fullscreen(true);
                kiosk::watch_idle(app.handle().clone());
            } else if let Some(p) = place {
                let _ = window.set_size(PhysicalSize::new(p.width.max(480), p.height.max(360)));
                let _ = window.set_position(PhysicalPosition::new(p.x, p.y));
                if p.maximized {
                    let _ = window.maximize();
                }
            }
            submit::retry_in_background(app.handle().clone());
            update::check_in_background(app.handle().clone());
            let handle = app.handle().clone();
            single_instance::listen(&data_dir, move || {
                if let Some(w) = handle.get_webview_window("main") {
                    let _ = w.unminimize();
                    let _ = w.show();
                    let _ = w.set_focus();
                }
            });
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { .. } = event {
                let state = window.state::<Desktop>();
                if state.self_test {
                    return;
                }
                if state.is_kiosk() {
                    state.end_session(etjanst::kiosk::EndReason::Exit, false);
                    let _ = std::fs::remove_file(single_instance::socket(&state.data_dir));
                    return;
                }
                remember_place(window, &state);
                // A clean close: the open draft is no longer offered for recovery.
                if let Some(id) = lock(&state.open_draft).take() {
                    let _ = vault::close(&state, &id);
                }
                let _ = std::fs::remove_file(single_instance::socket(&state.data_dir));
            }
        })
        .invoke_handler(tauri::generate_handler![
            misc::startup,
            misc::set_settings,
            misc::open_link,
            misc::painted,
            misc::about,
            misc::third_party_licenses,
            misc::my_data,
            misc::erase_all,
            misc::export_all,
            catalogue::sites,
            catalogue::home,
            catalogue::search,
            catalogue::service,
            catalogue::sync_start,
            catalogue::sync_cancel,
            form::form,
            form::evaluate,
            form::check_step,
            form::summary,
            form::passphrase_strength,
            vault::vault_status,
            vault::vault_create,
            vault::vault_unlock,
            vault::drafts,
            vault::draft_new,
            vault::draft_open,
            vault::draft_save,
            vault::draft_close,
            vault::draft_delete,
            vault::draft_attach,
            vault::draft_export,
            vault::draft_import_pick,
            vault::draft_import,
            print::pdf_make,
            print::pdf_blank,
            print::blankett,
            print::pdf_save,
            print::open_saved,
            print::printers,
            print::print_pdf,
            submit::submit_start,
            submit::outbox_send,
            submit::submit_status,
            submit::submit_cancel,
            submit::outbox_remove,
            submit::open_bankid,
            submit::outbox,
            submit::receipts,
            submit::receipt_open,
            cosign::cosign_open,
            cosign::cosign_identify,
            cosign::cosign_sign,
            cosign::cosign_status,
            cosign::cosign_cancel,
            cosign::cosign_summary,
            cosign::cosign_decline,
            cosign::cosign_close,
            profile::profile_get,
            profile::profile_set,
            profile::profile_erase,
            profile::profile_export,
            profile::profile_take,
            statement::statement,
            statement::statement_save,
            kiosk::kiosk_status,
            kiosk::kiosk_touch,
            kiosk::kiosk_end,
            kiosk::kiosk_leave,
            kiosk::kiosk_keep,
            kiosk::kiosk_resume,
            kiosk::kiosk_keep_profile,
            kiosk::kiosk_files,
            kiosk::kiosk_attach,
            vault::vault_lock,
            vault::touch,
            misc::link_qr,
            update::update_check,
            update::update_found,
            update::update_install,
            blankett::blankett_open,
            blankett::blankett_preview,
            blankett::blankett_save,
            blankett::blankett_make,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("etjanst-desktop: {e}");
            std::process::exit(1);
        });
}

/// The kiosk configuration to use: `--kiosk-config FILE`, else `$ETJANST_KIOSK_CONFIG`, else
/// the system's file when there is one.
fn kiosk_config_path() -> Option<std::path::PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        if a == "--kiosk-config" {
            return args.next().map(Into::into);
        }
    }
    if let Some(p) = std::env::var_os("ETJANST_KIOSK_CONFIG").filter(|p| !p.is_empty()) {
        return Some(p.into());
    }
    let system = std::path::Path::new(etjanst::kiosk::config::SYSTEM_PATH);
    system.exists().then(|| system.to_path_buf())
}

/// The window, made here rather than from the configuration alone: it may only ever show the
/// app (any other address is refused, as are new windows and downloads), and in kiosk mode
/// its webview keeps nothing on disk (incognito).
fn main_window(app: &tauri::App, kiosk: bool) -> tauri::Result<tauri::WebviewWindow> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    // WebKit cannot be driven by WebDriver in an ephemeral context (wry makes its own, without
    // automation): under the end-to-end tests' driver the kiosk's webview keeps its usual
    // data folder, which those tests search for the visitor's words instead.
    let automated = std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .incognito(kiosk && !automated)
        .on_navigation(|url| url.scheme() == "tauri" || url.host_str() == Some("tauri.localhost"))
        .on_new_window(|_, _| tauri::webview::NewWindowResponse::Deny)
        .on_download(|_, _| false)
        .build()
}

fn remember_place(window: &tauri::Window, state: &Desktop) {
    let (Ok(pos), Ok(size)) = (window.outer_position(), window.inner_size()) else {
        return;
    };
    let mut settings = lock(&state.settings);
    settings.window = Some(settings::WindowPlace {
        x: pos.x,
        y: pos.y,
        width: size.width,
        height: size.height,
        maximized: window.is_maximized().unwrap_or(false),
    });
    let _ = settings.save(&state.data_dir);
}
