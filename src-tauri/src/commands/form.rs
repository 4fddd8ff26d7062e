//! The form: the flow to show, and after every change the core's evaluation and validation.

use serde::Serialize;
use serde_json::Value;
use tauri::State;

use etjanst::fill::{self, Answers, Form, Mode};
use etjanst::flow::Flow;

use super::{Res, fail};
use crate::state::Desktop;

/// The flow as the form shows it (HTML sanitised) and the labels of the fixed fields.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormView {
    pub flow: Flow,
    pub labels: std::collections::BTreeMap<String, String>,
    pub asks_personal_data: bool,
    /// The application can be sent from here: its site names a gateway (or the tester's
    /// setting does).
    pub submit_online: bool,
    /// How each text field with a format is typed, and its hint, by field id (the core's).
    pub inputs: std::collections::BTreeMap<String, etjanst::app::FieldInput>,
    /// The shown fields of each contact and organisation question, by question id (the
    /// core's list: labels, modes, how each is typed).
    pub persons: std::collections::BTreeMap<String, Vec<etjanst::app::PersonFieldView>>,
    /// Where the questions only the web can answer are answered: the e-service's own address,
    /// else its site's.
    pub web_url: String,
}

const FIELDS: &[&str] = &[
    "citizenId",
    "firstName",
    "lastName",
    "careOf",
    "address",
    "zipCode",
    "postalAddress",
    "phone",
    "mobilePhone",
    "email",
    "contactBySms",
    "name",
    "organizationNumber",
    "other",
];

pub(super) fn flow_of<'c>(catalogue: &'c etjanst::catalogue::Catalogue, id: &str) -> Res<&'c Flow> {
    catalogue.flow(id).map_err(fail)
}

#[tauri::command]
pub fn form(state: State<'_, Desktop>, flow_id: String) -> Res<FormView> {
    let lang = state.lang();
    let catalogue = state.catalogue();
    let flow = flow_of(&catalogue, &flow_id)?;
    Ok(FormView {
        flow: etjanst::app::flow_for_display(flow),
        labels: FIELDS
            .iter()
            .map(|f| {
                (
                    f.to_string(),
                    etjanst::i18n::text(lang, &format!("field-{f}"), &[]),
                )
            })
            .collect(),
        asks_personal_data: etjanst::app::asks_personal_data(flow),
        submit_online: catalogue.gateway(&flow.id).is_some(),
        inputs: etjanst::app::field_inputs(flow, lang),
        persons: etjanst::app::person_fields(flow, lang),
        web_url: flow
            .external_link
            .clone()
            .unwrap_or_else(|| catalogue.site.url.clone()),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    /// State of every query by id.
    pub states: std::collections::BTreeMap<String, etjanst::flow::QueryState>,
    /// The answers with those of hidden questions cleared, as the draft keeps them.
    pub answers: Value,
    /// The core's issues, each with its message and the place in on-screen words.
    pub issues: Vec<Value>,
    /// Per step: nothing in it stands in the way of printing or sending (its full check
    /// passes). The step list marks visited ones "klar".
    pub steps_done: Vec<bool>,
    /// The fields whose answer is the citizen's own, from Mina uppgifter: marked so where
    /// they are shown, until changed.
    pub from_profile: Vec<etjanst::profile::Filled>,
    /// The applicant's question, when what was typed there is not (yet) in Mina uppgifter:
    /// the form offers to keep it there.
    pub offer_profile: Option<String>,
}

/// The citizen's details, when the vault is open and keeps them (at a kiosk, the session's).
pub(super) fn profile(state: &Desktop) -> Option<etjanst::profile::Profile> {
    crate::state::lock(&state.vault)
        .as_ref()
        .and_then(|v| v.profile().ok().flatten())
}

/// `out` with the fields that still hold the profile's values.
fn marked(state: &Desktop, flow: &Flow, mut out: Evaluation) -> Res<Evaluation> {
    let answers = parse(flow, &out.answers)?;
    let form = Form::new(flow);
    let p = profile(state).unwrap_or_default();
    out.from_profile = etjanst::profile::marks(&form, &answers, &p);
    // Only with the drafts open: the profile is kept beside them.
    if crate::state::lock(&state.vault).is_some() {
        out.offer_profile =
            etjanst::profile::offer_to_keep(&form, &answers, &p, etjanst::app::today());
    }
    Ok(out)
}

pub(super) fn parse(flow: &Flow, answers: &Value) -> Res<Answers> {
    let doc = serde_json::json!({ "flow": flow.id, "answers": answers });
    Answers::from_json(flow, &doc).map_err(fail)
}

/// The core's issues for the window: its JSON, the message, and the place in on-screen words.
pub(super) fn issue_views(flow: &Flow, issues: &[fill::Issue], lang: fill::Lang) -> Vec<Value> {
    issues
        .iter()
        .map(|i| {
            let mut v = etjanst::app::issue_json(flow, i, lang);
            v["label"] = etjanst::app::issue_label(flow, i, lang).into();
            v
        })
        .collect()
}

pub(super) fn evaluation(
    flow: &Flow,
    answers: &Value,
    mode: Mode,
    lang: fill::Lang,
) -> Res<Evaluation> {
    let form = Form::new(flow);
    let mut parsed = parse(flow, answers)?;
    let report = fill::check(&form, &mut parsed, mode, etjanst::app::today());
    let states = form
        .queries()
        .iter()
        .zip(report.states.iter())
        .map(|(q, s)| (q.id.clone(), s))
        .collect();
    let issues = issue_views(flow, &report.issues, lang);
    let doc = parsed.to_json(flow);
    let full = if mode == Mode::Complete {
        report.issues
    } else {
        fill::check(
            &form,
            &mut parsed.clone(),
            Mode::Complete,
            etjanst::app::today(),
        )
        .issues
    };
    let steps_done = flow
        .steps
        .iter()
        .map(|step| {
            !full
                .iter()
                .any(|i| step.queries.iter().any(|q| q.id == i.query))
        })
        .collect();
    Ok(Evaluation {
        states,
        answers: doc.get("answers").cloned().unwrap_or_default(),
        issues,
        steps_done,
        from_profile: Vec::new(),
        offer_profile: None,
    })
}

/// The review: the answers step by step (the same rows the PDF prints), and what the paper
/// adds when it is posted: files to enclose, who signs, where it goes.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Paper {
    pub steps: Vec<fill::SummaryStep>,
    /// The files to print and put in the envelope, "namn (storlek)".
    pub attachments: Vec<String>,
    pub signers: Vec<fill::Signer>,
    /// The postal address lines of the service (its contact in the catalogue).
    pub post_to: Vec<String>,
    pub phone: Option<String>,
    /// Who publishes the form, as the paper's header says.
    pub publisher: String,
}

#[tauri::command]
pub fn summary(state: State<'_, Desktop>, flow_id: String, answers: Value) -> Res<Paper> {
    let lang = state.lang();
    let catalogue = state.catalogue();
    let flow = flow_of(&catalogue, &flow_id)?;
    let form = Form::new(flow);
    let mut parsed = parse(flow, &answers)?;
    let report = fill::check(&form, &mut parsed, Mode::Draft, etjanst::app::today());
    let contact = flow.contact.as_ref();
    Ok(Paper {
        steps: fill::summary(&form, &report.states, &parsed, lang),
        attachments: fill::attachments(&form, &report.states, &parsed)
            .iter()
            .map(fill::file_line)
            .collect(),
        signers: fill::signers(&form, &report.states, &parsed),
        post_to: contact
            .map(|c| c.postal_address.clone())
            .unwrap_or_default(),
        phone: contact.and_then(|c| c.phone.clone()),
        publisher: etjanst::app::publisher(&catalogue.site.name),
    })
}

/// Evaluates the answers as the citizen types: which questions show, and what is wrong with
/// what is filled in (a draft's check).
#[tauri::command]
pub fn evaluate(state: State<'_, Desktop>, flow_id: String, answers: Value) -> Res<Evaluation> {
    let lang = state.lang();
    let catalogue = state.catalogue();
    let flow = flow_of(&catalogue, &flow_id)?;
    let out = evaluation(flow, &answers, Mode::Draft, lang)?;
    marked(&state, flow, out)
}

/// The full check of one step (or of the whole form when `step` is not given), before going
/// on or printing: required answers, minimum counts, stops.
#[tauri::command]
pub fn check_step(
    state: State<'_, Desktop>,
    flow_id: String,
    answers: Value,
    step: Option<usize>,
) -> Res<Evaluation> {
    let lang = state.lang();
    let catalogue = state.catalogue();
    let flow = flow_of(&catalogue, &flow_id)?;
    let mut out = evaluation(flow, &answers, Mode::Complete, lang)?;
    if let Some(step) = step.and_then(|s| flow.steps.get(s)) {
        out.issues.retain(|i| {
            let q = i["query"].as_str().unwrap_or_default();
            step.queries.iter().any(|sq| sq.id == q)
        });
    }
    marked(&state, flow, out)
}

/// How strong a new passphrase is, in words (the vault's own rule).
#[tauri::command]
pub fn passphrase_strength(state: State<'_, Desktop>, passphrase: String) -> (u8, String) {
    use etjanst::vault::Strength;
    let lang = state.lang();
    let passphrase = zeroize::Zeroizing::new(passphrase);
    match etjanst::vault::strength(&passphrase) {
        Strength::Refused => (
            0,
            etjanst::t!(
                lang,
                "desktop-strength-short",
                min = etjanst::vault::MIN_PASSPHRASE
            ),
        ),
        Strength::Fair => (1, etjanst::t!(lang, "desktop-strength-fair")),
        Strength::Strong => (2, etjanst::t!(lang, "desktop-strength-good")),
    }
}
