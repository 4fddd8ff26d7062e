//! "Skicka in": an application from the draft into the vault's encrypted outbox, up to the
//! municipality's gateway, signed with BankID (on this computer, or the animated QR code on a
//! phone), and the receipt kept. The core's `submit` module does the work; this turns it into
//! commands, and retries uploads in the background while the window is open.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Emitter, Manager, State};

use etjanst::submit::{self, Client, SubmitError};
use etjanst::vault::Outgoing;

use super::{Res, fail};
use crate::state::{Desktop, lock};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitView {
    /// `signing`: sign now; `queued`: waiting for the network; `incomplete`: correct first.
    pub state: String,
    pub outbox_id: String,
    pub message: String,
    pub issues: Vec<Value>,
    /// The first 16 hex digits of the checksum both sides computed, as the BankID app shows it.
    pub checksum: String,
    /// The applicant whose BankID alone can sign (`ÅÅÅÅMMDD-NNNN`), when the form names one.
    pub signer: Option<String>,
    /// The role the application waits for, once the applicant has signed and others must.
    pub waiting_for: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Qr {
    pub path: String,
    pub size: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptView {
    /// The receipt's id in the vault, to open it again with the copy of what was sent.
    pub id: String,
    pub flow_id: String,
    pub service_name: String,
    pub case_number: String,
    pub submitted: String,
    pub signer_name: String,
    pub sha256: String,
    /// Everyone who signed, in order, when more than the applicant did.
    pub signers: Vec<submit::Signer>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningView {
    /// `pending`, `failed`, `complete`; `waiting` once some have signed and the next has not
    /// begun; `ended` when a signer declined or the time for signing ran out (the outbox
    /// entry is gone, the draft stays); `identified` on another signer's computer.
    pub status: String,
    pub hint_code: Option<String>,
    pub message: String,
    pub qr: Option<Qr>,
    pub receipt: Option<ReceiptView>,
    /// With several signers: who has signed and who is awaited.
    pub signers: Vec<submit::Signer>,
    /// The role that signs next.
    pub next: Option<String>,
    /// The signing code to give the next signer, while the application waits for them.
    pub code: Option<String>,
}

impl ReceiptView {
    /// The gateway's receipt as the window shows it; `id` is its place in the vault (empty for
    /// one not kept here, as on a co-signer's computer).
    pub(super) fn of(
        id: String,
        flow_id: &str,
        service_name: &str,
        r: &submit::GatewayReceipt,
    ) -> ReceiptView {
        ReceiptView {
            id,
            flow_id: flow_id.to_string(),
            service_name: service_name.to_string(),
            case_number: r.case_number.clone(),
            submitted: r.submitted_at.clone(),
            signer_name: r.signer_name.clone(),
            sha256: r.sha256.clone(),
            signers: r.signers.clone(),
        }
    }
}

impl SigningView {
    pub(super) fn of(s: submit::SignStatus) -> SigningView {
        SigningView {
            qr: s
                .qr_data
                .as_deref()
                .and_then(submit::qr_path)
                .map(|(path, size)| Qr { path, size }),
            status: s.status,
            hint_code: s.hint_code,
            message: s.message,
            receipt: None,
            signers: s.signers,
            next: s.next,
            code: None,
        }
    }

    fn ended(message: String) -> SigningView {
        SigningView {
            status: "ended".into(),
            hint_code: None,
            message,
            qr: None,
            receipt: None,
            signers: Vec::new(),
            next: None,
            code: None,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxView {
    pub id: String,
    pub service_name: String,
    pub created: i64,
    /// The gateway has it and it waits for a signature; else it waits to be sent.
    pub uploaded: bool,
    /// The role it waits for, once the applicant has signed and others must.
    pub waiting_for: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// The entry `id` of the outbox, read out of the vault (which is then free again).
fn queued(state: &Desktop, id: &str) -> Res<Outgoing> {
    let guard = lock(&state.vault);
    let vault = guard
        .as_ref()
        .ok_or_else(|| fail(etjanst::vault::VaultError::NotCreated))?;
    let (entries, _) = vault.outbox().map_err(fail)?;
    entries
        .into_iter()
        .find(|(i, _)| i == id)
        .map(|(_, o)| o)
        .ok_or_else(|| fail(etjanst::vault::VaultError::NotFound(id.to_string())))
}

fn save(state: &Desktop, id: &str, o: &Outgoing) {
    if let Some(v) = lock(&state.vault).as_mut() {
        let _ = v.update_queued(id, o);
    }
}

fn client(o: &Outgoing) -> Result<Client, SubmitError> {
    Client::new(&o.gateway, Duration::from_secs(30))
}

/// Runs `f` off the window's thread with the app's state: network calls wait there.
pub(super) fn blocking<T: Send + 'static>(
    app: &AppHandle,
    f: impl FnOnce(&Desktop) -> Res<T> + Send + 'static,
) -> impl std::future::Future<Output = Res<T>> {
    let app = app.clone();
    async move {
        tauri::async_runtime::spawn_blocking(move || f(&app.state::<Desktop>()))
            .await
            .map_err(|e| e.to_string())?
    }
}

/// Uploads (if not yet) and starts the BankID order for outbox entry `id`.
fn upload_and_start(
    app: &AppHandle,
    state: &Desktop,
    id: &str,
    same_device: bool,
) -> Res<SubmitView> {
    let lang = state.lang();
    let mut o = queued(state, id)?;
    let view = |state: &str, message: String, o: &Outgoing| SubmitView {
        state: state.into(),
        outbox_id: id.to_string(),
        message,
        issues: Vec::new(),
        checksum: o.sha256[..16].to_string(),
        signer: o.signer.as_deref().map(etjanst::ids::with_separator),
        waiting_for: o.waiting_for.clone(),
    };
    let c = client(&o).map_err(fail)?;
    let app2 = app.clone();
    let progress = Arc::new(move |sent: u64, total: u64| {
        let _ = app2.emit("submit-progress", (sent, total));
    });
    // Signed already and waiting for the others: the gateway has it (or purged it after
    // waiting too long, and then it must not be uploaded afresh under the same key).
    let waiting = o
        .waiting_for
        .is_some()
        .then(|| o.submission_id.clone())
        .flatten();
    let uploaded = match waiting {
        Some(submission) => Ok(submission),
        None => submit::upload_queued(&c, &mut o, &mut |o| save(state, id, o), progress)
            .map(|u| u.submission_id),
    };
    let submission = match uploaded {
        Ok(submission) => submission,
        Err(e) if e.retry_later() => {
            return Ok(view(
                "queued",
                etjanst::t!(lang, "desktop-submit-queued", detail = e),
                &o,
            ));
        }
        Err(e) if e.ends_entry() => {
            // The gateway will not take this application; the draft stays for correcting.
            if let Some(v) = lock(&state.vault).as_mut() {
                let _ = v.unqueue(id);
            }
            let mut message = e.to_string();
            for place in e.places() {
                message.push_str(&format!("\n{place}"));
            }
            return Err(message);
        }
        // Refused for a reason that is not the application's: it stays in the outbox.
        Err(e) => return Err(fail(e)),
    };
    match c
        .start_signing(&o.idempotency_key, &submission, same_device)
        .map_err(fail)?
    {
        submit::Signing::Started(started) => {
            lock(&state.signing).insert(id.to_string(), started.auto_start_url);
        }
        // Filed already (the answer was lost): the first status poll brings the receipt, and
        // keeps it as any receipt is kept.
        submit::Signing::Filed(_) => {}
    }
    Ok(view("signing", String::new(), &o))
}

/// The receipt checked and kept, the outbox entry and its draft removed.
fn kept(
    state: &Desktop,
    outbox_id: &str,
    o: &Outgoing,
    r: &submit::GatewayReceipt,
) -> Res<ReceiptView> {
    let lang = state.lang();
    // The citizen's copy of what was sent, printed before the vault is taken.
    let copy = {
        let catalogue = state.catalogue();
        catalogue.flow(&o.flow_id).ok().and_then(|flow| {
            let publisher = etjanst::app::publisher(&catalogue.site.name);
            submit::sent_copy(flow, o, &r.submitted_at, &publisher)
        })
    };
    let mut guard = lock(&state.vault);
    let vault = guard
        .as_mut()
        .ok_or_else(|| fail(etjanst::vault::VaultError::NotCreated))?;
    let (id, _) = submit::keep_receipt(vault, outbox_id, o, r, copy.as_deref())
        .map_err(|e| etjanst::t!(lang, "submit-receipt-bad", error = e))?;
    lock(&state.signing).remove(outbox_id);
    if lock(&state.open_draft).as_deref() == o.draft_id.as_deref() {
        *lock(&state.open_draft) = None;
    }
    Ok(ReceiptView::of(id, &o.flow_id, &o.service_name, r))
}

/// Puts the open draft's application in the outbox and sends it.
#[tauri::command]
pub async fn submit_start(app: AppHandle, draft_id: String, same_device: bool) -> Res<SubmitView> {
    let app2 = app.clone();
    blocking(&app, move |state| {
        let lang = state.lang();
        let prepared = {
            let mut guard = lock(&state.vault);
            let vault = guard
                .as_mut()
                .ok_or_else(|| fail(etjanst::vault::VaultError::NotCreated))?;
            // A draft already in the outbox is sent from there, under its first key: it may
            // have been signed and filed already, and a new key would file it twice.
            let (queued, _) = vault.outbox().map_err(fail)?;
            let earlier = queued
                .into_iter()
                .find(|(_, o)| o.draft_id.as_deref() == Some(draft_id.as_str()));
            if let Some((id, _)) = earlier {
                drop(guard);
                return upload_and_start(&app2, state, &id, same_device);
            }
            let draft = vault.load(&draft_id).map_err(fail)?;
            let catalogue = state.catalogue();
            let flow = super::form::flow_of(&catalogue, &draft.header.flow_id)?;
            // The gateway the e-service's own site names (or the tester's setting).
            let gateway = catalogue
                .gateway(&flow.id)
                .ok_or_else(|| etjanst::t!(lang, "desktop-no-gateway"))?
                .to_string();
            // A draft holds a whole answers document (with its `latched` evaluators).
            let mut answers =
                etjanst::fill::Answers::from_json(flow, &draft.answers).map_err(fail)?;
            let content = |f: &etjanst::fill::FileRef| {
                f.attachment
                    .as_ref()
                    .and_then(|a| vault.attachment(a).ok())
                    .map(|(_, d)| d)
            };
            match submit::prepare(
                flow,
                &mut answers,
                &gateway,
                Some(draft_id.clone()),
                &content,
            ) {
                Ok(o) => Ok(vault.queue(&o).map_err(fail)?),
                Err(submit::PrepareError::Incomplete(issues)) => {
                    let issues = super::form::issue_views(flow, &issues, lang);
                    Err(SubmitView {
                        state: "incomplete".into(),
                        outbox_id: String::new(),
                        message: etjanst::t!(lang, "desktop-form-incomplete", count = issues.len()),
                        issues,
                        checksum: String::new(),
                        signer: None,
                        waiting_for: None,
                    })
                }
                Err(submit::PrepareError::MissingFile(name)) => {
                    return Err(etjanst::t!(lang, "desktop-attachment-read", detail = name));
                }
                Err(submit::PrepareError::Vault(e)) => return Err(fail(e)),
            }
        };
        match prepared {
            Ok(id) => upload_and_start(&app2, state, &id, same_device),
            Err(view) => Ok(view),
        }
    })
    .await
}

/// Sends (again) an application waiting in the outbox.
#[tauri::command]
pub async fn outbox_send(app: AppHandle, outbox_id: String, same_device: bool) -> Res<SubmitView> {
    let app2 = app.clone();
    blocking(&app, move |state| {
        upload_and_start(&app2, state, &outbox_id, same_device)
    })
    .await
}

/// The order's state, BankID's message and the QR frame of this second; on completion the
/// receipt, kept in the vault with the draft removed. With several signers, once the applicant
/// has signed: who has signed, who is awaited, and the code to give them; the outbox entry
/// remembers that it waits. Declined, or gone from the gateway after waiting too long: the
/// entry leaves the outbox and the draft stays.
#[tauri::command]
pub async fn submit_status(app: AppHandle, outbox_id: String) -> Res<SigningView> {
    blocking(&app, move |state| {
        let lang = state.lang();
        let mut o = queued(state, &outbox_id)?;
        let submission = o.submission_id.clone().unwrap_or_default();
        let c = client(&o).map_err(fail)?;
        let s = match c.status(
            &o.idempotency_key,
            &submission,
            lang == etjanst::fill::Lang::En,
        ) {
            Ok(s) => s,
            Err(SubmitError::Refused { status: 404, .. }) if o.waiting_for.is_some() => {
                end(state, &outbox_id);
                return Ok(SigningView::ended(etjanst::t!(lang, "submit-expired")));
            }
            Err(e) => return Err(fail(e)),
        };
        if s.hint_code.as_deref() == Some("declined") {
            end(state, &outbox_id);
            return Ok(SigningView::ended(s.message));
        }
        let receipt = match &s.receipt {
            Some(r) => Some(kept(state, &outbox_id, &o, r)?),
            None => None,
        };
        let waits = s.waits_for_others().map(str::to_string);
        let mut view = SigningView::of(s);
        view.receipt = receipt;
        if let Some(role) = waits {
            if o.waiting_for.as_deref() != Some(role.as_str()) {
                o.waiting_for = Some(role);
                save(state, &outbox_id, &o);
            }
            view.code = Some(submit::signing_code(&o.idempotency_key));
        }
        Ok(view)
    })
    .await
}

/// A submission that will never be filed leaves the outbox; its draft stays.
fn end(state: &Desktop, outbox_id: &str) {
    lock(&state.signing).remove(outbox_id);
    if let Some(v) = lock(&state.vault).as_mut() {
        let _ = v.unqueue(outbox_id);
    }
}

/// Cancels the order. The citizen may have signed just before: then the case is filed, and
/// the answer is its receipt, kept as any receipt is kept.
#[tauri::command]
pub async fn submit_cancel(app: AppHandle, outbox_id: String) -> Res<SigningView> {
    blocking(&app, move |state| {
        let o = queued(state, &outbox_id)?;
        let c = client(&o).map_err(fail)?;
        lock(&state.signing).remove(&outbox_id);
        let cancelled = c
            .cancel(
                &o.idempotency_key,
                o.submission_id.as_deref().unwrap_or_default(),
            )
            .map_err(fail)?;
        match cancelled {
            submit::Cancelled::NotSubmitted(message) => Ok(SigningView {
                status: "failed".into(),
                hint_code: Some("cancelled".into()),
                ..SigningView::ended(message)
            }),
            submit::Cancelled::Filed(r) => Ok(SigningView {
                status: "complete".into(),
                receipt: Some(kept(state, &outbox_id, &o, &r)?),
                ..SigningView::ended(String::new())
            }),
        }
    })
    .await
}

/// Takes an application out of the outbox without sending it; its draft stays. One that
/// reached the gateway has its signing cancelled there first: if the citizen had signed after
/// all, the case is filed, and its receipt is kept and returned instead.
#[tauri::command]
pub async fn outbox_remove(app: AppHandle, outbox_id: String) -> Res<Option<ReceiptView>> {
    blocking(&app, move |state| {
        let o = queued(state, &outbox_id)?;
        lock(&state.signing).remove(&outbox_id);
        if let Some(submission) = o.submission_id.as_deref()
            && let Ok(c) = client(&o)
            // Offline, or nothing to cancel: the upload is purged unsigned at the gateway.
            && let Ok(submit::Cancelled::Filed(r)) = c.cancel(&o.idempotency_key, submission)
        {
            return Ok(Some(kept(state, &outbox_id, &o, &r)?));
        }
        let mut guard = lock(&state.vault);
        let vault = guard
            .as_mut()
            .ok_or_else(|| fail(etjanst::vault::VaultError::NotCreated))?;
        vault.unqueue(&outbox_id).map_err(fail)?;
        Ok(None)
    })
    .await
}

/// "Öppna BankID på den här datorn": the order's autostart link, through the system opener,
/// after the citizen's click. The page never names the link: only an order's own.
#[tauri::command]
pub fn open_bankid(state: State<'_, Desktop>, outbox_id: String) -> Res<()> {
    let url = lock(&state.signing)
        .get(&outbox_id)
        .cloned()
        .ok_or_else(|| etjanst::t!(state.lang(), "desktop-no-order"))?;
    if !url.starts_with("bankid:///?autostarttoken=") {
        return Err(etjanst::t!(state.lang(), "desktop-no-order"));
    }
    crate::open::open(&url)
}

#[tauri::command]
pub fn outbox(state: State<'_, Desktop>) -> Res<Vec<OutboxView>> {
    let guard = lock(&state.vault);
    let Some(vault) = guard.as_ref() else {
        return Ok(Vec::new());
    };
    let (entries, _) = vault.outbox().map_err(fail)?;
    Ok(entries
        .into_iter()
        .map(|(id, o)| OutboxView {
            id,
            service_name: o.service_name.clone(),
            created: o.created,
            uploaded: o.submission_id.is_some(),
            waiting_for: o.waiting_for.clone(),
            attempts: o.attempts,
            last_error: o.last_error.clone(),
        })
        .collect())
}

#[tauri::command]
pub fn receipts(state: State<'_, Desktop>) -> Res<Vec<ReceiptView>> {
    let guard = lock(&state.vault);
    let Some(vault) = guard.as_ref() else {
        return Ok(Vec::new());
    };
    let (list, _) = vault.receipts().map_err(fail)?;
    Ok(list
        .into_iter()
        .rev()
        .map(|(id, r)| ReceiptView {
            id,
            flow_id: r.flow_id.clone(),
            service_name: r.service_name.clone(),
            case_number: r.case_number.clone().unwrap_or_default(),
            submitted: r.submitted.clone(),
            signer_name: r.details["signerName"].as_str().unwrap_or("").to_string(),
            sha256: r.sha256.clone(),
            signers: serde_json::from_value(r.details["signers"].clone()).unwrap_or_default(),
        })
        .collect())
}

/// While the window is open, applications waiting for the network are uploaded when their
/// backoff has passed; the window hears `outbox-changed` when one reaches the gateway.
pub fn retry_in_background(app: AppHandle) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(5));
            let state = app.state::<Desktop>();
            let due: Vec<(String, Outgoing)> = {
                let guard = lock(&state.vault);
                let Some(vault) = guard.as_ref() else {
                    continue;
                };
                let now = chrono::Utc::now().timestamp_millis();
                vault
                    .outbox()
                    .map(|(e, _)| e)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(_, o)| o.submission_id.is_none() && o.next_attempt <= now)
                    .collect()
            };
            for (id, mut o) in due {
                let Ok(c) = client(&o) else { continue };
                let quiet = Arc::new(|_: u64, _: u64| {});
                if submit::upload_queued(&c, &mut o, &mut |o| save(&state, &id, o), quiet).is_ok() {
                    let _ = app.emit("outbox-changed", &id);
                }
            }
        }
    });
}

/// The municipality's contact for a service, as the confirmation shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactView {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A receipt as its confirmation page shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptPage {
    pub receipt: ReceiptView,
    /// "Din synpunkt är inskickad": the thing sent named by the service's own noun.
    pub title: String,
    /// "Först nu är din synpunkt inskickad. …", for the confirmation right after signing.
    pub now_sent: String,
    /// "Vad händer nu?": the service's own text after submission (sanitised HTML), if any.
    pub next: Option<String>,
    pub contact: Option<ContactView>,
    /// The copy of what was sent, made ready to save or print (as any PDF of the window).
    pub copy: Option<super::print::Made>,
}

/// Opens receipt `id`: the receipt, what happens next, whom to ask, and the copy of what was
/// sent loaded for "Spara en kopia" and "Skriv ut".
#[tauri::command]
pub fn receipt_open(state: State<'_, Desktop>, id: String) -> Res<ReceiptPage> {
    let lang = state.lang();
    let receipt = receipts(state.clone())?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| fail(etjanst::vault::VaultError::NotFound(id.clone())))?;
    let copy = {
        let guard = lock(&state.vault);
        let vault = guard
            .as_ref()
            .ok_or_else(|| fail(etjanst::vault::VaultError::NotCreated))?;
        vault.receipt_copy(&id).map_err(fail)?
    };
    let (next, contact) = {
        let catalogue = state.catalogue();
        match catalogue.flow(&receipt.flow_id) {
            Ok(flow) => {
                let shown = etjanst::app::flow_for_display(flow);
                let contact = flow.contact.as_ref().map(|c| ContactView {
                    name: c.name.clone(),
                    phone: c.phone.clone(),
                    email: c.email.clone(),
                });
                (shown.submitted_message, contact)
            }
            Err(_) => (None, None),
        }
    };
    let copy = copy.map(|(name, bytes)| super::print::keep(&state, bytes, name));
    let thing = etjanst::app::what_is_sent(&receipt.service_name, lang);
    // "Din synpunkt är inskickad", "Först nu är din synpunkt …": the same words, capitalised
    // only where they start the sentence (the nouns' first letters are ASCII).
    let (mut upper, mut lower) = (thing.clone(), thing);
    if let Some(first) = upper.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    if let Some(first) = lower.get_mut(..1) {
        first.make_ascii_lowercase();
    }
    Ok(ReceiptPage {
        title: etjanst::t!(lang, "sent-title", thing = upper),
        now_sent: etjanst::t!(lang, "sent-now", thing = lower),
        receipt,
        next,
        contact,
        copy,
    })
}
