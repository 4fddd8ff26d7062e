//! "Granska och skriv ut": the PDF of the answers (or a blank form, or a blankett), then save,
//! open or print it. The PDF is held in memory until the citizen says where it goes.

use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Emitter, State};
use zeroize::Zeroizing;

use etjanst::fill::{self, Form, Mode};
use etjanst::pdf::PdfOptions;

use super::{Res, fail, files};
use crate::state::{Desktop, MadePdf, lock};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Made {
    /// The PDF was made; otherwise `issues` says what to correct first.
    pub ok: bool,
    pub issues: Vec<Value>,
    pub pages: usize,
    pub bytes: usize,
    pub file_name: String,
    pub message: String,
}

#[derive(Clone, Serialize)]
struct PdfProgress {
    done: bool,
    message: String,
}

fn options(catalogue: &etjanst::catalogue::Catalogue) -> PdfOptions {
    PdfOptions {
        created: chrono::Local::now()
            .naive_local()
            .with_nanosecond(0)
            .unwrap_or_default(),
        publisher: etjanst::app::publisher(&catalogue.site.name),
        by_post: true,
        qr: true,
    }
}

use chrono::Timelike;

fn pages(pdf: &[u8]) -> usize {
    // Each page object is written once as "/Type /Page" followed by a delimiter (not "s").
    pdf.windows(11)
        .enumerate()
        .filter(|(i, w)| {
            *w == b"/Type /Page" && pdf.get(i + 11).is_some_and(|c| !c.is_ascii_alphabetic())
        })
        .count()
}

pub(super) fn keep(state: &Desktop, bytes: Vec<u8>, file_name: String) -> Made {
    let lang = state.lang();
    let made = Made {
        ok: true,
        issues: Vec::new(),
        pages: pages(&bytes),
        bytes: bytes.len(),
        message: String::new(),
        file_name: file_name.clone(),
    };
    let message = etjanst::t!(lang, "desktop-pdf-ready", pages = made.pages);
    *lock(&state.pdf) = Some(MadePdf {
        bytes: Zeroizing::new(bytes),
        file_name,
    });
    Made { message, ..made }
}

/// Checks the whole form and, when nothing stands in the way, makes its PDF (only visible
/// answers are printed).
#[tauri::command]
pub async fn pdf_make(
    app: AppHandle,
    state: State<'_, Desktop>,
    flow_id: String,
    answers: Value,
) -> Res<Made> {
    let lang = state.lang();
    let catalogue = state.catalogue();
    let flow = super::form::flow_of(&catalogue, &flow_id)?;
    let form = Form::new(flow);
    let mut parsed = super::form::parse(flow, &answers)?;
    let report = fill::check(&form, &mut parsed, Mode::Complete, etjanst::app::today());
    if !report.is_valid() {
        let issues = super::form::issue_views(flow, &report.issues, lang);
        return Ok(Made {
            ok: false,
            message: etjanst::t!(lang, "desktop-form-incomplete", count = issues.len()),
            issues,
            pages: 0,
            bytes: 0,
            file_name: String::new(),
        });
    }
    let _ = app.emit(
        "pdf-progress",
        PdfProgress {
            done: false,
            message: etjanst::t!(lang, "desktop-pdf-making"),
        },
    );
    let bytes =
        etjanst::pdf::filled(&form, &report.states, &parsed, &options(&catalogue)).map_err(fail)?;
    let name = format!("{}.pdf", etjanst::slug(&flow.name));
    drop(catalogue);
    let made = keep(&state, bytes, name);
    let _ = app.emit(
        "pdf-progress",
        PdfProgress {
            done: true,
            message: made.message.clone(),
        },
    );
    Ok(made)
}

/// An empty form to print and fill in by hand.
#[tauri::command]
pub async fn pdf_blank(state: State<'_, Desktop>, flow_id: String) -> Res<Made> {
    let catalogue = state.catalogue();
    let flow = super::form::flow_of(&catalogue, &flow_id)?;
    let bytes = etjanst::pdf::blank(flow, &options(&catalogue)).map_err(fail)?;
    let name = format!("{}-blank.pdf", etjanst::slug(&flow.name));
    drop(catalogue);
    Ok(keep(&state, bytes, name))
}

/// A blankett of the catalogue (the municipality's own PDF).
#[tauri::command]
pub async fn blankett(state: State<'_, Desktop>, service_id: String, index: usize) -> Res<Made> {
    let catalogue = state.catalogue();
    let service = catalogue
        .service(&service_id)
        .ok_or_else(|| fail(etjanst::app::AppError::Unknown(service_id.clone())))?;
    let b = service
        .blanketter
        .get(index)
        .ok_or_else(|| fail(etjanst::app::AppError::Unknown(service_id.clone())))?;
    let bytes = catalogue.blankett(b).map_err(fail)?;
    let name = format!("{}.pdf", etjanst::slug(&b.name));
    drop(catalogue);
    Ok(keep(&state, bytes, name))
}

/// Saves the PDF made last where the citizen chooses; returns the path.
#[tauri::command]
pub async fn pdf_save(app: AppHandle, state: State<'_, Desktop>) -> Res<Option<String>> {
    let lang = state.lang();
    // No PDF of a visitor's reaches a kiosk's disk.
    if state.is_kiosk() {
        return Err(etjanst::t!(lang, "desktop-kiosk-no-save"));
    }
    let name = lock(&state.pdf)
        .as_ref()
        .map(|p| p.file_name.clone())
        .ok_or_else(|| etjanst::t!(lang, "desktop-no-pdf"))?;
    let Some(path) = files::save_as(&app, &name, "PDF", &["pdf"]) else {
        return Ok(None);
    };
    let guard = lock(&state.pdf);
    let pdf = guard
        .as_ref()
        .ok_or_else(|| etjanst::t!(lang, "desktop-no-pdf"))?;
    files::write_private(&path, &pdf.bytes)?;
    *lock(&state.saved) = Some(path.clone());
    Ok(Some(path.display().to_string()))
}

/// Opens the PDF saved last in the system's viewer (only that file: the page cannot name
/// another).
#[tauri::command]
pub fn open_saved(state: State<'_, Desktop>) -> Res<()> {
    let lang = state.lang();
    let path = lock(&state.saved)
        .clone()
        .ok_or_else(|| etjanst::t!(lang, "desktop-no-pdf"))?;
    std::fs::metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    crate::open::open(&path.to_string_lossy())
}

/// The printers of this computer.
#[tauri::command]
pub fn printers() -> Vec<crate::printer::Printer> {
    crate::printer::list()
}

/// Prints the PDF made last on `printer` ([`crate::printer`]).
#[tauri::command]
pub async fn print_pdf(state: State<'_, Desktop>, printer: String) -> Res<()> {
    let lang = state.lang();
    // At a kiosk the administrator's printer, never the page's choice (none: the default).
    let printer = match lock(&state.kiosk).as_ref() {
        Some(k) => k.config.printer.clone(),
        None => Some(printer),
    };
    let guard = lock(&state.pdf);
    let pdf = guard
        .as_ref()
        .ok_or_else(|| etjanst::t!(lang, "desktop-no-pdf"))?;
    crate::printer::print(&pdf.bytes, &pdf.file_name, printer.as_deref())
        .map_err(|e| etjanst::t!(lang, "desktop-print-failed", detail = e))?;
    let printed = pages(&pdf.bytes) as u32;
    drop(guard);
    if let Some(session) = lock(&state.kiosk).as_mut().and_then(|k| k.session.as_mut()) {
        session.printed(printed);
    }
    Ok(())
}
