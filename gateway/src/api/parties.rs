//! Several signers (both guardians, the co-applicant): who signs next, the text each one sees
//! in BankID, and the waiting state as the clients hear it. The parties were fixed at upload
//! from the flow and the answers (`etjanst::fill::signing_parties`); the signatures given are
//! in the submission's signing state, in order.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Failure;
use crate::store::{Order, Party, Submission};

/// How many have signed: the position of the one to sign next.
pub(crate) fn position(s: &Submission) -> usize {
    s.signing.signatures.len()
}

/// The one to sign next, if the form names who; `None` for a form that names nobody (anyone
/// signs, as one) or once everyone has.
pub(crate) fn next(s: &Submission) -> Option<&Party> {
    s.new.parties.get(position(s))
}

/// Whether more than one must sign.
pub(crate) fn several(s: &Submission) -> bool {
    s.new.parties.len() > 1
}

/// The submission's order unless it is one whose signature is recorded already: the next
/// signer starts afresh.
pub(crate) fn current_order(s: &Submission) -> Option<&Order> {
    s.order.as_ref().filter(|o| {
        !s.signing
            .signatures
            .iter()
            .any(|sig| sig.order_ref == o.order_ref)
    })
}

/// Whether `order` is the other computer's BankID identification, not a signature.
pub(crate) fn is_identification(s: &Submission, order: &Order) -> bool {
    s.signing
        .guest
        .as_ref()
        .and_then(|g| g.auth_order.as_deref())
        == Some(order.order_ref.as_str())
}

fn markdown_safe(text: &str) -> String {
    text.replace(['#', '*', '_', '\n'], " ")
}

/// What the signer at `position` sees in the BankID app: the upload's text, and when several
/// sign, the role they sign in.
pub(crate) fn visible_text(s: &Submission, position: usize) -> String {
    match s.new.parties.get(position).filter(|_| several(s)) {
        Some(party) => format!(
            "{}\n*Du skriver under som:* {}\n",
            s.new.visible_text,
            markdown_safe(&party.role)
        ),
        None => s.new.visible_text.clone(),
    }
}

/// The signers and who has signed, for the clients. Names only for `reveal` (the applicant's
/// computer, which typed them, or a signer's after their identification).
pub(crate) fn signers_json(s: &Submission, reveal: bool) -> serde_json::Value {
    s.new
        .parties
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let signed = s.signing.signatures.get(i);
            let mut v = json!({ "role": p.role, "signed": signed.is_some() });
            if reveal {
                let name = signed.map(|sig| sig.name.clone()).or(p.name.clone());
                if let Some(name) = name {
                    v["name"] = name.into();
                }
            }
            if let Some(sig) = signed {
                v["signedAt"] = rfc3339(sig.signed_ms).into();
            }
            v
        })
        .collect()
}

pub(crate) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Some have signed and no order runs for the next: the submission waits for them.
pub(crate) fn waiting(s: &Submission, reveal: bool, english: bool) -> Response {
    let role = next(s).map(|p| p.role.as_str()).unwrap_or_default();
    let message = if english {
        format!("The application waits for {role} to sign. It is submitted once everyone has.")
    } else {
        format!(
            "Ansökan väntar på att {role} skriver under. Den skickas in när alla har skrivit under."
        )
    };
    no_store(json!({
        "status": "waiting",
        "next": role,
        "signers": signers_json(s, reveal),
        "message": message,
    }))
}

/// A signer declined: the submission is not filed, now or later.
pub(crate) fn declined(s: &Submission, english: bool) -> Response {
    let role = s.signing.declined.as_deref().unwrap_or_default();
    let message = if english {
        format!("{role} declined to sign. The application has not been submitted.")
    } else {
        format!("{role} har avböjt att skriva under. Ansökan har inte skickats in.")
    };
    no_store(json!({
        "status": "failed",
        "hintCode": "declined",
        "messageCode": "declined",
        "message": message,
        "signers": signers_json(s, false),
    }))
}

pub(crate) fn declined_failure(s: &Submission) -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        "declined",
        format!(
            "{} har avböjt att skriva under. Ansökan har inte skickats in.",
            s.signing.declined.as_deref().unwrap_or_default()
        ),
    )
}

pub(crate) fn no_store(doc: serde_json::Value) -> Response {
    let mut r = axum::Json(doc).into_response();
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    r
}

/// The SHA-256 a signing code is stored and found by; `None` for what cannot be a code.
pub(crate) fn code_hash(typed: &str) -> Option<String> {
    etjanst::submit::normalise_code(typed).map(|c| super::prepare::sha256_hex(c.as_bytes()))
}
