//! `POST /api/v1/submissions`: the citizen's exact bytes in, `{submissionId, sha256}` out,
//! exactly once per idempotency key however often the client retries.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::prepare::{self, sha256_hex};
use super::{Failure, Shared, too_many};
use crate::store::{Inserted, NewSubmission, Submission};

/// The idempotency key: the client's random secret, 16–128 URL-safe characters. It also
/// authorises the later calls on the submission (`Authorization: Bearer <key>`).
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<String, Failure> {
    let key = headers
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let ok = (16..=128).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "idempotencyKey",
            "Idempotency-Key saknas eller är felaktig (16–128 tecken: A–Z, a–z, 0–9, - och _).",
        ));
    }
    Ok(key.to_string())
}

pub(crate) fn key_hash(key: &str) -> String {
    sha256_hex(key.as_bytes())
}

fn uploaded(s: &Submission, status: StatusCode) -> Response {
    (
        status,
        axum::Json(serde_json::json!({
            "submissionId": s.new.id,
            "sha256": s.new.sha256,
            "pdfSha256": s.new.pdf_sha256,
            "visibleText": s.new.visible_text,
            "serviceName": s.new.service_name,
        })),
    )
        .into_response()
}

/// The same key again: the stored submission if the bytes are the same, else a refusal. A key
/// never names two submissions.
fn again(existing: &Submission, sha256: &str) -> Result<Response, Failure> {
    if existing.new.sha256 == sha256 {
        Ok(uploaded(existing, StatusCode::OK))
    } else {
        Err(Failure::new(
            StatusCode::CONFLICT,
            "idempotencyKeyReused",
            "Idempotency-Key har redan använts för en annan ansökan.",
        ))
    }
}

pub(crate) async fn upload(
    State(gw): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    let key = idempotency_key(&headers)?;
    let key_hash = key_hash(&key);
    let sha256 = sha256_hex(&body);
    let store = &gw.settings.store;
    // A retry is answered before the rate limit and the work: it costs one lookup.
    if let Some(existing) = store.submission_by_key(&key_hash).await? {
        return again(&existing, &sha256);
    }
    let client = gw.settings.trusted_proxies.client(peer.ip(), &headers);
    if let Err(wait) = gw.uploads.allow(client) {
        return Ok(too_many(wait, "För många ansökningar från din adress."));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let gw2 = gw.clone();
    let (id2, sha2) = (id.clone(), sha256.clone());
    // The core's checks and the PDF are CPU work: off the async threads, one per core.
    let _cpu = gw.cpu.acquire().await.map_err(|_| {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "closing",
            "Tjänsten stängs av.",
        )
    })?;
    let new = tokio::task::spawn_blocking(move || -> Result<NewSubmission, Failure> {
        let s = &gw2.settings;
        let parsed = prepare::parse(&s.catalogue, &body)?;
        prepare::check_writable(&parsed)?;
        // Whole seconds: the PDF is made again from this time when the case is filed.
        let now = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0)
            .unwrap_or_default()
            .with_timezone(&chrono::Local);
        let pdf = prepare::pdf(&parsed, &s.organisation, now.timestamp_millis())?;
        let pdf_sha256 = sha256_hex(&pdf);
        let manifest = prepare::manifest(&prepare::ManifestInput {
            organisation_number: &s.organisation_number,
            flow: parsed.flow,
            submission_id: &id2,
            sha256: &sha2,
            pdf_sha256: &pdf_sha256,
            files: &parsed.files,
            ts: &now
                .to_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        });
        let visible_text = prepare::visible_text(parsed.flow, &s.organisation, &id2, &sha2);
        let number = |v: &str| v.parse::<i64>().unwrap_or_default();
        Ok(NewSubmission {
            id: id2,
            key_hash,
            sha256: sha2,
            flow_id: number(&parsed.flow.id),
            family_id: parsed.flow.family_id.as_deref().map_or(0, number),
            service_name: parsed.flow.name.clone(),
            body: body.to_vec(),
            pdf_sha256,
            manifest,
            visible_text,
            created_ms: now.timestamp_millis(),
            applicant: etjanst::fill::applicant(&parsed.form, &parsed.answers),
        })
    })
    .await
    .map_err(|e| {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("Internt fel: {e}"),
        )
    })??;
    match store.insert_submission(&new).await? {
        Inserted::New => Ok(uploaded(
            &Submission {
                new,
                order: None,
                completion: None,
            },
            StatusCode::CREATED,
        )),
        // Two copies of one upload raced; the first one stored wins.
        Inserted::Existing(existing) => again(&existing, &sha256),
    }
}

/// The submission's owner: the caller presents the idempotency key it uploaded with.
pub(crate) async fn authorised(
    gw: &Shared,
    id: &str,
    headers: &HeaderMap,
) -> Result<Submission, Failure> {
    let presented = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let missing = || {
        Failure::new(
            StatusCode::NOT_FOUND,
            "notFound",
            "Det finns ingen sådan ansökan.",
        )
    };
    let s = gw
        .settings
        .store
        .submission(id)
        .await?
        .ok_or_else(missing)?;
    // A wrong key looks like no submission: ids cannot be probed.
    if key_hash(presented) != s.new.key_hash {
        return Err(missing());
    }
    Ok(s)
}

pub(crate) async fn show(
    State(gw): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let s = authorised(&gw, &id, &headers).await?;
    let case = gw.settings.store.case_of_submission(&id).await?;
    let mut doc = serde_json::json!({
        "submissionId": s.new.id,
        "sha256": s.new.sha256,
        "status": if case.is_some() { "submitted" } else { "uploaded" },
    });
    if let Some(case) = case {
        doc["receipt"] = super::signing::receipt(&case);
    }
    Ok(axum::Json(doc).into_response())
}
