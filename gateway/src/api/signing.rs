//! Signing a submission with BankID: start the order, report its state with the official
//! messages and the current QR frame, cancel, and on completion check the signature and file
//! the case, once.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;

use super::prepare::{self, sha256_hex};
use super::submissions::authorised;
use super::{Failure, Shared, too_many};
use crate::bankid::types::{CompletionData, Requirement, StartRequest};
use crate::bankid::{RpError, qr, rfa, signature};
use crate::store::{Case, Order, Submission};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct StartBody {
    /// The citizen opens BankID on this computer (autostart) rather than scanning the QR code.
    same_device: bool,
}

fn bankid_failure(e: RpError) -> Failure {
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

fn already_submitted(case: &Case) -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        "alreadySubmitted",
        "Ansökan är redan inskickad.",
    )
    .with_details(receipt(case))
}

pub(crate) async fn start(
    State(gw): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    let s = authorised(&gw, &id, &headers).await?;
    let store = &gw.settings.store;
    if let Some(case) = store.case_of_submission(&id).await? {
        return Err(already_submitted(&case));
    }
    let choice: StartBody = if body.is_empty() {
        StartBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "badRequest", e.to_string()))?
    };
    if let Some(order) = s.order.as_ref().filter(|o| o.status == "pending") {
        // Starting again while an order runs returns that order: a retried start after a
        // dropped answer must not make a second one.
        return Ok(started(order));
    }
    let client = gw.settings.trusted_proxies.client(peer.ip(), &headers);
    // Every order is a BankID transaction the municipality pays for: one address cannot
    // start them without end by cancelling and starting again.
    if let Err(wait) = gw.orders.allow(client) {
        return Ok(too_many(
            wait,
            "För många underskrifter påbörjade från din adress.",
        ));
    }
    let request = StartRequest {
        end_user_ip: client.to_string(),
        user_visible_data: Some(B64.encode(s.new.visible_text.as_bytes())),
        user_visible_data_format: Some("simpleMarkdownV1".into()),
        user_non_visible_data: Some(B64.encode(&s.new.manifest)),
        requirement: Some(Requirement {
            pin_code: Some(true),
            // Only the applicant may sign (§2.2): BankID is told whose order it is, so
            // nobody else's app can take it.
            personal_number: s.new.applicant.clone(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let refs = gw
        .settings
        .bankid
        .sign(&request)
        .await
        .map_err(bankid_failure)?;
    let order = Order {
        order_ref: refs.order_ref,
        auto_start_token: refs.auto_start_token,
        qr_start_token: refs.qr_start_token,
        qr_start_secret: refs.qr_start_secret,
        // The QR frames count from when we received the answer (§1.8).
        started_ms: now_ms(),
        same_device: choice.same_device,
        status: "pending".into(),
        hint: Some("outstandingTransaction".into()),
    };
    store.set_order(&id, &order).await?;
    Ok(started(&order))
}

fn started(order: &Order) -> Response {
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

pub(crate) async fn status(
    State(gw): State<Shared>,
    Path(id): Path<String>,
    Query(lang): Query<Lang>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let english = lang.lang.as_deref() == Some("en");
    let s = authorised(&gw, &id, &headers).await?;
    let store = &gw.settings.store;
    if let Some(case) = store.case_of_submission(&id).await? {
        return Ok(complete(&case));
    }
    let Some(mut order) = s.order.clone() else {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "notStarted",
            "Underskriften har inte påbörjats.",
        ));
    };
    let gap = gw.settings.collect_interval.as_millis() as i64;
    if order.status == "pending"
        && store
            .claim_collect(&id, &order.order_ref, now_ms(), gap)
            .await?
    {
        match gw.settings.bankid.collect(&order.order_ref).await {
            Ok(c) => {
                let completion = c
                    .completion_data
                    .as_ref()
                    .map(|d| serde_json::to_string(d).unwrap_or_default());
                // The terminal result comes once: it is stored before it is acted on.
                store
                    .record_collect(
                        &id,
                        &order.order_ref,
                        &c.status,
                        c.hint_code.as_deref(),
                        completion.as_deref(),
                    )
                    .await?;
                order.status = c.status;
                order.hint = c.hint_code;
            }
            Err(RpError::Api { code, .. }) if code == "invalidParameters" => {
                let gone = Some("expiredTransaction");
                store
                    .record_collect(&id, &order.order_ref, "failed", gone, None)
                    .await?;
                order.status = "failed".into();
                order.hint = gone.map(str::to_string);
            }
            // BankID unreachable for a moment: the order goes on, the next poll tries again.
            Err(e) => tracing::warn!("collect: {e}"),
        }
    }
    if order.status == "complete" {
        let s = store.submission(&id).await?.unwrap_or(s);
        let case = finish(&gw, &s).await?;
        return Ok(complete(&case));
    }
    let code = rfa::code(&order.status, order.hint.as_deref(), order.same_device);
    let mut doc = serde_json::json!({
        "status": order.status,
        "hintCode": order.hint,
        "messageCode": code,
        "message": rfa::text(code, english),
    });
    if order.status == "pending" && order.hint.as_deref() == Some("outstandingTransaction") {
        let t = (now_ms() - order.started_ms).max(0) as u64 / 1000;
        doc["qrData"] = qr::frame(&order.qr_start_token, &order.qr_start_secret, t).into();
    }
    let mut r = axum::Json(doc).into_response();
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

fn complete(case: &Case) -> Response {
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
    serde_json::json!({
        "caseNumber": case.flow_instance_id.to_string(),
        "submittedAt": submitted,
        "sha256": case.sha256,
        "signerName": case.signer_name,
        "submissionId": case.submission_id,
        "signature": signature,
    })
}

pub(crate) async fn cancel(
    State(gw): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let s = authorised(&gw, &id, &headers).await?;
    let store = &gw.settings.store;
    if let Some(case) = store.case_of_submission(&id).await? {
        return Err(already_submitted(&case));
    }
    if let Some(order) = s.order.filter(|o| o.status == "pending") {
        match gw.settings.bankid.cancel(&order.order_ref).await {
            Ok(()) => {}
            // Already ended at BankID: nothing left to cancel.
            Err(RpError::Api { code, .. }) if code == "invalidParameters" => {}
            Err(e) => return Err(bankid_failure(e)),
        }
        store
            .record_collect(&id, &order.order_ref, "failed", Some("cancelled"), None)
            .await?;
    }
    Ok(axum::Json(serde_json::json!({
        "status": "failed",
        "hintCode": "cancelled",
        "message": "Underskriften avbröts. Ansökan har inte skickats in.",
    }))
    .into_response())
}

const CHANGED: &str = "Ansökan har ändrats efter att den skrevs under och tas därför inte emot. Ingenting har skickats in; skicka den igen.";

fn refused(message: &str) -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        "signatureRefused",
        message.to_string(),
    )
}

/// Checks the completed signature against what was stored (`spec/eid-signing.md` §2.4) and
/// files the case. Safe to call again: a submission gets one case.
async fn finish(gw: &Shared, s: &Submission) -> Result<Case, Failure> {
    let store = &gw.settings.store;
    let completion_json = s.completion.clone().unwrap_or_default();
    let completion: CompletionData = serde_json::from_str(&completion_json)
        .map_err(|_| refused("BankID:s svar saknar underskriftsdata. Skriv under igen."))?;
    let signed = signature::read(&completion.signature).map_err(|e| refused(&e))?;
    let order_ref = s
        .order
        .as_ref()
        .map(|o| o.order_ref.clone())
        .unwrap_or_default();
    let intact = signed.func_id == "Signing"
        && signed.user_non_visible_data == B64.encode(&s.new.manifest)
        && signed.user_visible_data == B64.encode(s.new.visible_text.as_bytes())
        && sha256_hex(&s.new.body) == s.new.sha256;
    if !intact {
        tracing::error!(
            "submission {}: signature or stored bytes do not match",
            s.new.id
        );
        store
            .record_collect(&s.new.id, &order_ref, "failed", Some("caseChanged"), None)
            .await?;
        return Err(refused(CHANGED));
    }
    let pnr = etjanst::ids::parse_personnummer(
        &completion.user.personal_number,
        etjanst::ids::PnrRules::new(etjanst::app::today()),
    )
    .map_err(|_| refused("Underskriftens personnummer är ogiltigt."))?
    .long();
    // The applicant again, from the body whose hash was just checked against the signature,
    // not from the stored column: only signed bytes decide who may file the case.
    let (applicant, mut names) = {
        let parsed = prepare::parse(&gw.settings.catalogue, &s.new.body)?;
        let names: Vec<String> = parsed.files.content.keys().cloned().collect();
        (
            etjanst::fill::applicant(&parsed.form, &parsed.answers),
            names,
        )
    };
    if let Some(applicant) = applicant
        && applicant != pnr
    {
        tracing::error!(
            "submission {}: signed by someone not the applicant",
            s.new.id
        );
        store
            .record_collect(&s.new.id, &order_ref, "failed", Some("notApplicant"), None)
            .await?;
        return Err(refused(
            "Ansökan är underskriven av någon annan än sökanden och tas därför inte emot. Sökanden behöver skriva under med sitt eget BankID.",
        ));
    }
    let user_id = store.user_id(&pnr).await?;
    let case_id = store.next_id("case").await?;
    names.sort();
    let mut file_ids = std::collections::HashMap::new();
    for name in names {
        file_ids.insert(name, store.next_id("file").await?);
    }
    let now = chrono::Local::now();
    let signer = etjanst::flowinstance::User {
        first_name: Some(completion.user.given_name.clone()),
        last_name: Some(completion.user.surname.clone()),
        email: None,
        id: user_id.to_string(),
    };
    let gw2 = gw.clone();
    let body = s.new.body.clone();
    let pdf_sha256 = s.new.pdf_sha256.clone();
    let pnr2 = pnr.clone();
    let created_ms = s.new.created_ms;
    let (xml, pdf) = tokio::task::spawn_blocking(move || {
        let mut parsed = prepare::parse(&gw2.settings.catalogue, &body)?;
        parsed.files.ids = file_ids;
        let pdf = prepare::pdf(&parsed, &gw2.settings.organisation, created_ms)?;
        // The PDF the citizen's signature names, byte for byte, or no case.
        if sha256_hex(&pdf) != pdf_sha256 {
            return Err(refused(CHANGED));
        }
        let xml = prepare::case_xml(
            &parsed,
            &prepare::Filing {
                flow_instance_id: case_id,
                now: now.naive_local(),
                signer,
                personal_number: pnr2,
                pdf_sha256,
            },
        )?;
        Ok((xml, pdf))
    })
    .await
    .map_err(|e| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))??;
    let case = Case {
        flow_instance_id: case_id,
        submission_id: s.new.id.clone(),
        family_id: s.new.family_id,
        flow_id: s.new.flow_id,
        xml,
        pdf,
        posted_ms: now.timestamp_millis(),
        status_id: prepare::SUBMITTED,
        status_changed_ms: now.timestamp_millis(),
        signer_name: completion.user.name.clone(),
        signer_personal_number: pnr,
        sha256: s.new.sha256.clone(),
        completion: completion_json,
    };
    Ok(store.insert_case(&case).await?)
}
