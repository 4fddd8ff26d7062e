//! What signing and the other signer's identification share: BankID orders started and their
//! answers, refusals recorded for good, the flow an upload was checked against, and the
//! receipt of a filed case. Used by `signing`, `guest` and `submissions`, using none of them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Failure, Shared};
use crate::bankid::types::{CompletionData, StartResponse};
use crate::bankid::{RpError, rfa};
use crate::store::{Case, Order, Submission};

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(crate) fn bankid_failure(e: RpError) -> Failure {
    tracing::warn!("BankID: {e}");
    match &e {
        RpError::Api { code, .. } if code == "alreadyInProgress" => Failure::new(
            StatusCode::CONFLICT,
            "alreadyInProgress",
            rfa::text("RFA4", false),
        ),
        RpError::Api { status, .. } if *status >= 500 || *status == 408 || *status == 429 => {
            Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "bankid",
                rfa::text("RFA5", false),
            )
        }
        RpError::Network(_) => Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "bankid",
            "BankID svarar inte just nu. Försök igen om en stund; ansökan finns kvar.",
        ),
        _ => Failure::new(StatusCode::BAD_GATEWAY, "bankid", rfa::text("RFA22", false)),
    }
}

pub(crate) fn already_submitted(case: &Case) -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        "alreadySubmitted",
        "Ansökan är redan inskickad.",
    )
    .with_details(receipt(case))
}

pub(crate) fn in_progress() -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        "alreadyInProgress",
        "En underskrift eller legitimering pågår redan för ansökan. Vänta tills den är klar.",
    )
}

/// The flow an upload was checked against, as stored with it.
pub(crate) async fn stored_flow(
    gw: &Shared,
    s: &crate::store::NewSubmission,
) -> Result<etjanst::flow::Flow, Failure> {
    let json = gw
        .settings
        .store
        .flow(&s.flow_sha256)
        .await?
        .ok_or_else(|| {
            tracing::error!(
                "submission {}: its flow {} is not stored",
                s.id,
                s.flow_sha256
            );
            internal("the submission's flow is missing")
        })?;
    serde_json::from_slice(&json).map_err(|e| internal(format!("stored flow: {e}")))
}

pub(crate) fn internal(e: impl std::fmt::Display) -> Failure {
    Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        format!("Internt fel: {e}"),
    )
}

pub(crate) fn closing() -> Failure {
    Failure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "closing",
        "Tjänsten stängs av.",
    )
}

pub(crate) fn started(order: &Order) -> Response {
    axum::Json(serde_json::json!({
        "autoStartToken": order.auto_start_token,
        "autoStartUrl": format!("bankid:///?autostarttoken={}&redirect=null", order.auto_start_token),
    }))
    .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Lang {
    lang: Option<String>,
}

impl Lang {
    pub(crate) fn english(&self) -> bool {
        self.lang.as_deref() == Some("en")
    }
}

pub(crate) fn complete(case: &Case) -> Response {
    axum::Json(serde_json::json!({
        "status": "complete",
        "receipt": receipt(case),
    }))
    .into_response()
}

pub(crate) fn receipt(case: &Case) -> serde_json::Value {
    let signature = serde_json::from_str::<CompletionData>(&case.completion)
        .map(|c| c.signature)
        .unwrap_or_default();
    let submitted = chrono::DateTime::from_timestamp_millis(case.posted_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut r = serde_json::json!({
        "caseNumber": case.flow_instance_id.to_string(),
        "submittedAt": submitted,
        "sha256": case.sha256,
        "signerName": case.signer_name,
        "submissionId": case.submission_id,
        "signature": signature,
    });
    if let Ok(signers) = serde_json::from_str::<serde_json::Value>(&case.signers)
        && signers.as_array().is_some_and(|a| !a.is_empty())
    {
        r["signers"] = signers;
    }
    r
}

fn refused(message: &str) -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        "signatureRefused",
        message.to_string(),
    )
}

/// A completed signature that will not be filed: recorded as final for its order (the
/// citizen's status and the log say so; nothing retries it), and the refusal.
pub(crate) async fn refuse(gw: &Shared, s: &Submission, code: &str, message: &str) -> Failure {
    let order_ref = s
        .order
        .as_ref()
        .map(|o| o.order_ref.as_str())
        .unwrap_or_default();
    tracing::error!("submission {}: signature not filed: {code}", s.new.id);
    if let Err(e) = gw.settings.store.refuse(&s.new.id, order_ref, code).await {
        return e.into();
    }
    refused(message)
}

/// How the citizen starts BankID, as a start or identify call's body says (empty: this computer).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Choice {
    /// The citizen opens BankID on this computer (autostart) rather than scanning the QR code.
    pub same_device: bool,
}

pub(crate) fn choice(body: &[u8]) -> Result<Choice, Failure> {
    if body.is_empty() {
        return Ok(Choice::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "badRequest", e.to_string()))
}

/// The order BankID just started, as the store keeps it.
pub(crate) fn pending(refs: StartResponse, same_device: bool) -> Order {
    Order {
        order_ref: refs.order_ref,
        auto_start_token: refs.auto_start_token,
        qr_start_token: refs.qr_start_token,
        qr_start_secret: refs.qr_start_secret,
        // The QR frames count from when we received the answer (§1.8).
        started_ms: now_ms(),
        same_device,
        status: "pending".into(),
        hint: Some("outstandingTransaction".into()),
        refusal: None,
    }
}
