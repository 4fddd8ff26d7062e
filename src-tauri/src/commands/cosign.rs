//! "Skriv under med kod": this computer's user is the second guardian or the co-applicant of an
//! application someone else sent. The code opens it at the municipality's gateway, BankID
//! identifies the user for their role, and only then is the application shown; they sign or
//! decline. Nothing of it is kept on this computer: the summary lives in the window while it
//! is read, the receipt is the gateway's.

use std::time::Duration;

use serde::Serialize;
use tauri::{AppHandle, State};

use etjanst::submit::{self, Client};

use super::submit::{ReceiptView, SigningView, blocking};
use super::{Res, fail};
use crate::state::{Desktop, Guest, lock};

/// The key `open_bankid` knows this computer's order by (outbox entries have random ids).
pub const ORDER: &str = "cosign";

fn guest(state: &Desktop) -> Res<Guest> {
    lock(&state.cosign)
        .clone()
        .ok_or_else(|| etjanst::t!(state.lang(), "desktop-no-order"))
}

fn client(g: &Guest) -> Result<Client, submit::SubmitError> {
    Client::new(&g.gateway, Duration::from_secs(30))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Opened {
    /// The role this computer's user signs in ("Vårdnadshavare 2").
    pub role: String,
}

/// Opens the application the code names, at the site's gateway, under a fresh key of this
/// computer's.
#[tauri::command]
pub async fn cosign_open(app: AppHandle, code: String) -> Res<Opened> {
    blocking(&app, move |state| {
        let lang = state.lang();
        let code =
            submit::normalise_code(&code).ok_or_else(|| etjanst::t!(lang, "sign-bad-code"))?;
        let gateway = state
            .catalogue()
            .site_gateway()
            .map(str::to_string)
            .ok_or_else(|| etjanst::t!(lang, "sign-no-gateway"))?;
        let key = submit::new_key().map_err(fail)?;
        let c = Client::new(&gateway, Duration::from_secs(30)).map_err(fail)?;
        let opened = c.open_code(&key, &code).map_err(fail)?;
        *lock(&state.cosign) = Some(Guest {
            gateway,
            key,
            id: opened.submission_id,
        });
        Ok(Opened { role: opened.role })
    })
    .await
}

/// Starts the BankID identification for the role.
#[tauri::command]
pub async fn cosign_identify(app: AppHandle, same_device: bool) -> Res<()> {
    blocking(&app, move |state| {
        let g = guest(state)?;
        let c = client(&g).map_err(fail)?;
        let started = c.identify(&g.key, &g.id, same_device).map_err(fail)?;
        lock(&state.signing).insert(ORDER.into(), started.auto_start_url);
        Ok(())
    })
    .await
}

/// Starts the signature, once the application has been read.
#[tauri::command]
pub async fn cosign_sign(app: AppHandle, same_device: bool) -> Res<Option<ReceiptView>> {
    blocking(&app, move |state| {
        let g = guest(state)?;
        let c = client(&g).map_err(fail)?;
        match c.start_signing(&g.key, &g.id, same_device).map_err(fail)? {
            submit::Signing::Started(started) => {
                lock(&state.signing).insert(ORDER.into(), started.auto_start_url);
                Ok(None)
            }
            submit::Signing::Filed(r) => Ok(Some(receipt_view(&r))),
        }
    })
    .await
}

fn receipt_view(r: &submit::GatewayReceipt) -> ReceiptView {
    ReceiptView::of(String::new(), "", "", r)
}

/// The identification's or the signature's state, as `submit_status` gives the applicant's.
#[tauri::command]
pub async fn cosign_status(app: AppHandle) -> Res<SigningView> {
    blocking(&app, move |state| {
        let lang = state.lang();
        let g = guest(state)?;
        let c = client(&g).map_err(fail)?;
        let s = c
            .status(&g.key, &g.id, lang == etjanst::fill::Lang::En)
            .map_err(fail)?;
        let receipt = s.receipt.as_ref().map(receipt_view);
        Ok(SigningView {
            receipt,
            ..SigningView::of(s)
        })
    })
    .await
}

#[tauri::command]
pub async fn cosign_cancel(app: AppHandle) -> Res<String> {
    blocking(&app, move |state| {
        let g = guest(state)?;
        lock(&state.signing).remove(ORDER);
        let c = client(&g).map_err(fail)?;
        match c.cancel(&g.key, &g.id).map_err(fail)? {
            submit::Cancelled::NotSubmitted(message) => Ok(message),
            submit::Cancelled::Filed(_) => Ok(String::new()),
        }
    })
    .await
}

/// What the signer reads before signing.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryView {
    pub service_name: String,
    pub role: String,
    pub steps: Vec<etjanst::fill::SummaryStep>,
    pub signers: Vec<submit::Signer>,
    /// The first 16 hex digits of the submission's checksum, as BankID shows it.
    pub checksum: String,
}

/// Exactly what the applicant signed: the answers as the summary lists them, read from the
/// gateway after the identification; the PDF the signatures name is checked against its hash.
#[tauri::command]
pub async fn cosign_summary(app: AppHandle) -> Res<SummaryView> {
    blocking(&app, move |state| {
        let lang = state.lang();
        let g = guest(state)?;
        let c = client(&g).map_err(fail)?;
        let summary = c.summary(&g.key, &g.id).map_err(fail)?;
        let today = chrono::Local::now().date_naive();
        Ok(SummaryView {
            steps: summary.steps(today, lang).unwrap_or_default(),
            checksum: summary.sha256.chars().take(16).collect(),
            service_name: summary.service_name,
            role: summary.role,
            signers: summary.signers,
        })
    })
    .await
}

/// The signer will not sign: the application is not submitted, and the applicant is told.
#[tauri::command]
pub async fn cosign_decline(app: AppHandle) -> Res<String> {
    blocking(&app, move |state| {
        let lang = state.lang();
        let g = guest(state)?;
        let c = client(&g).map_err(fail)?;
        let message = c
            .decline(&g.key, &g.id, lang == etjanst::fill::Lang::En)
            .map_err(fail)?;
        lock(&state.signing).remove(ORDER);
        *lock(&state.cosign) = None;
        Ok(message)
    })
    .await
}

/// Forgets the opened application (the window left the page).
#[tauri::command]
pub fn cosign_close(state: State<'_, Desktop>) {
    lock(&state.signing).remove(ORDER);
    *lock(&state.cosign) = None;
}
