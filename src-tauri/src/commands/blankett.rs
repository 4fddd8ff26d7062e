//! A PDF blankett in the window: shown with the bundled PDF viewer, its form fields filled as
//! a draft like any other (encrypted in the vault, autosaved, resumable), and the filled
//! blankett written by the core ([`etjanst::blankett`]) for printing or saving.

use serde::Serialize;
use tauri::State;

use etjanst::blankett::{self, Blankett, FillOptions, FormatIssue, Values};

use super::print::{Made, keep};
use super::vault::{OpenDraft, edit, with_vault};
use super::{Res, fail};
use crate::state::{Desktop, lock};

/// The blankett open in the window: its file, held in memory.
pub struct OpenBlankett {
    pub service_id: String,
    pub index: usize,
    pub name: String,
    pub bytes: Vec<u8>,
    /// Its fields, read once when opened (every autosave checks values against them).
    pub fields: Blankett,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlankettView {
    pub name: String,
    pub service_name: String,
    #[serde(flatten)]
    pub blankett: Blankett,
    pub fillable: bool,
    /// Why it cannot be filled here, when it cannot.
    pub why_not: Option<String>,
    /// The draft its values are kept in (fillable blanketter only).
    pub draft: Option<OpenDraft>,
}

/// Opens blankett `index` of `service_id`: a new draft of its fields, or `draft_id`'s.
#[tauri::command]
pub fn blankett_open(
    state: State<'_, Desktop>,
    service_id: String,
    index: usize,
    draft_id: Option<String>,
) -> Res<BlankettView> {
    let catalogue = state.catalogue();
    let unknown = || fail(etjanst::app::AppError::Unknown(service_id.clone()));
    let service = catalogue.service(&service_id).ok_or_else(unknown)?;
    let b = service.blanketter.get(index).ok_or_else(unknown)?;
    let bytes = catalogue.blankett(b).map_err(fail)?;
    let (name, service_name) = (b.name.clone(), service.name.clone());
    drop(catalogue);
    let inspected = blankett::inspect(&bytes).map_err(fail)?;
    let fillable = inspected.fillable();
    let why_not = (!fillable).then(|| {
        match inspected.kind {
            blankett::FormKind::DynamicXfa => blankett::BlankettError::DynamicXfa,
            _ => blankett::BlankettError::NoFields,
        }
        .to_string()
    });
    let draft = if fillable {
        Some(match draft_id {
            Some(id) => edit(&state, |v| v.load(&id))?,
            None => edit(&state, |v| v.new_blankett_draft(&service_id, index, &name))?,
        })
    } else {
        None
    };
    *lock(&state.blankett) = Some(OpenBlankett {
        service_id,
        index,
        name: name.clone(),
        bytes,
        fields: inspected.clone(),
    });
    Ok(BlankettView {
        name,
        service_name,
        blankett: inspected,
        fillable,
        why_not,
        draft,
    })
}

fn with_open<T>(state: &Desktop, f: impl FnOnce(&OpenBlankett) -> Res<T>) -> Res<T> {
    let lang = state.lang();
    let open = lock(&state.blankett);
    let b = open
        .as_ref()
        .ok_or_else(|| etjanst::t!(lang, "desktop-no-blankett"))?;
    f(b)
}

/// The blankett as it will print with `values`, for the viewer (raw bytes, not JSON).
#[tauri::command]
pub fn blankett_preview(state: State<'_, Desktop>, values: Values) -> Res<tauri::ipc::Response> {
    with_open(&state, |b| {
        let bytes = if values.is_empty() {
            b.bytes.clone()
        } else {
            blankett::fill(&b.bytes, &values, FillOptions::default()).map_err(fail)?
        };
        Ok(tauri::ipc::Response::new(bytes))
    })
}

/// The autosave of a blankett draft; returns the format problems the values have now.
#[tauri::command]
pub fn blankett_save(
    state: State<'_, Desktop>,
    id: String,
    values: Values,
) -> Res<Vec<FormatIssue>> {
    let lang = state.lang();
    let (flow_id, inspected) = with_open(&state, |b| {
        Ok((
            etjanst::vault::blankett_flow_id(&b.service_id, b.index),
            b.fields.clone(),
        ))
    })?;
    let known: std::collections::BTreeSet<&str> =
        inspected.fields.iter().map(|f| f.name.as_str()).collect();
    let kept: Values = values
        .into_iter()
        .filter(|(k, _)| known.contains(k.as_str()))
        .collect();
    let answers = serde_json::to_value(&kept).map_err(|e| e.to_string())?;
    with_vault(&state, |v| {
        let mut d = v.load(&id)?;
        if d.header.flow_id != flow_id {
            return Err(etjanst::vault::VaultError::UnknownFlow(flow_id.clone()));
        }
        d.answers = serde_json::json!({ "flow": flow_id, "answers": answers });
        d.header.editing = true;
        v.save(&mut d)
    })?;
    Ok(blankett::check(
        &inspected,
        &kept,
        chrono::Local::now().date_naive(),
        lang,
    ))
}

/// The filled blankett (flattened on request), made by the core and held for printing or
/// saving like any PDF of the window's. At a kiosk it is only ever printed.
#[tauri::command]
pub fn blankett_make(state: State<'_, Desktop>, values: Values, flatten: bool) -> Res<Made> {
    let lang = state.lang();
    let (bytes, name) = with_open(&state, |b| {
        let inspected = &b.fields;
        let problems = blankett::check(inspected, &values, chrono::Local::now().date_naive(), lang);
        if let Some(p) = problems.first() {
            return Err(format!("{}: {}", p.field, p.message));
        }
        let bytes = if inspected.fillable() {
            blankett::fill(&b.bytes, &values, FillOptions { flatten }).map_err(fail)?
        } else {
            b.bytes.clone()
        };
        Ok((bytes, format!("{}.pdf", etjanst::slug(&b.name))))
    })?;
    Ok(keep(&state, bytes, name))
}
