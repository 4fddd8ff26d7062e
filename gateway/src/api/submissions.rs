//! `POST /api/v1/submissions`: the citizen's exact bytes in, `{submissionId, sha256}` out,
//! exactly once per idempotency key however often the client retries.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::prepare::{self, sha256_hex};
use super::{Failure, Shared, limits};
use crate::store::{Inserted, NewSubmission, Submission};

/// The idempotency key: the client's random secret, 16–128 URL-safe characters. It also
/// authorises the later calls on the submission (`Authorization: Bearer <key>`).
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<String, Failure> {
    idempotency_key_text(
        headers
            .get("Idempotency-Key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
    )
}

/// A key as the client sent it, if it is one.
pub(crate) fn idempotency_key_text(key: &str) -> Result<String, Failure> {
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
            "visibleText": super::parties::visible_text(s, 0),
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

fn too_large() -> Failure {
    Failure::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "tooLarge",
        "Ansökan med bilagor är för stor för att tas emot. Ta bort eller förminska bilagor och försök igen.",
    )
}

/// A refusal given before the body was read. The body is read and thrown away as it arrives
/// (nothing is kept, so it costs bandwidth, not memory) up to twice the largest upload: a
/// server that closes with a body unread resets the connection, and the client, still
/// sending, loses the answer that told it why and when to try again — a citizen's 30 MB
/// application would look like a network error and be retried for ever. Anything larger is
/// not worth reading; its client hears of the reset.
async fn refused_early(body: axum::body::Body, refusal: Response, max_body: usize) -> Response {
    use http_body_util::BodyExt;
    let mut body = http_body_util::Limited::new(body, max_body.saturating_mul(2).max(64 * 1024));
    while let Some(Ok(_)) = body.frame().await {}
    refusal
}

/// 503 with `Retry-After`: the gateway cannot take an upload now, and the client keeps it.
fn busy(message: &str) -> Response {
    let mut r = Failure::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message).into_response();
    r.headers_mut()
        .insert("Retry-After", axum::http::HeaderValue::from_static("60"));
    r
}

pub(crate) async fn upload(
    State(gw): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, Failure> {
    use http_body_util::BodyExt;
    let key = match idempotency_key(&headers) {
        Ok(key) => key,
        Err(f) => return Ok(refused_early(body, f.into_response(), gw.settings.max_body).await),
    };
    let key_hash = key_hash(&key);
    let max = gw.settings.max_body;
    // Everything that can refuse an upload does so before a byte of its body is read: the
    // declared length, the address's rate, the pending bytes on disk, the bytes in memory.
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Ok(refused_early(body, too_large().into_response(), max).await);
    }
    let store = &gw.settings.store;
    // A retry is answered before the rate limit and the work: it costs one lookup and a hash.
    let existing = store.submission_by_key(&key_hash).await?;
    if existing.is_none() {
        let client = gw.settings.trusted_proxies.client(peer.ip(), &headers);
        let limited = gw
            .limit(
                &gw.uploads,
                &limits::client_key(client),
                "För många ansökningar från din adress.",
            )
            .await?;
        if let Err(r) = limited {
            return Ok(refused_early(body, r, gw.settings.max_body).await);
        }
        if gw.pending_full().await? {
            let r = busy(
                "Tjänsten tar inte emot fler ansökningar just nu. Försök igen senare; ingenting har gått förlorat.",
            );
            return Ok(refused_early(body, r, gw.settings.max_body).await);
        }
    }
    let Some(_budget) = gw.in_flight(declared.unwrap_or(max as u64)) else {
        let r = busy(
            "Tjänsten har många ansökningar på väg in just nu. Försök igen om en stund; ingenting har gått förlorat.",
        );
        return Ok(refused_early(body, r, gw.settings.max_body).await);
    };
    let body = match http_body_util::Limited::new(body, max).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return Err(too_large()),
        Err(_) => {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "badRequest",
                "Ansökan kom inte fram hel. Skicka den igen.",
            ));
        }
    };
    let sha256 = {
        let body = body.clone();
        tokio::task::spawn_blocking(move || sha256_hex(&body))
            .await
            .map_err(|e| {
                Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
            })?
    };
    if let Some(existing) = existing {
        return again(&existing, &sha256);
    }
    let id = uuid::Builder::from_random_bytes(crate::random_bytes().map_err(super::no_random)?)
        .into_uuid()
        .to_string();
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
    let (new, flow) =
        tokio::task::spawn_blocking(move || -> Result<(NewSubmission, Vec<u8>), Failure> {
            let s = &gw2.settings;
            // Whole seconds: the PDF is made again from this time when the case is filed.
            let now = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0)
                .unwrap_or_default()
                .with_timezone(&chrono::Local);
            let upload = prepare::read(&body)?;
            let flow = prepare::flow_of(&s.catalogue, &upload)?;
            let parsed = prepare::check(flow, upload, now.date_naive())?;
            prepare::check_writable(&parsed)?;
            let (pdf_sha256, manifest) =
                prepare::sealed(&parsed, s, &id2, &sha2, now.timestamp_millis())?;
            let visible_text = prepare::visible_text(parsed.flow, &s.organisation, &id2, &sha2);
            let number = |v: &str| v.parse::<i64>().unwrap_or_default();
            // The flow as checked, kept with the upload: the case is filed against this version.
            let definition = serde_json::to_vec(parsed.flow).unwrap_or_default();
            let parties: Vec<crate::store::Party> = etjanst::fill::signing_parties(
                &parsed.form,
                &parsed.answers,
                etjanst::fill::Lang::Sv,
            )
            .into_iter()
            .map(|p| crate::store::Party {
                role: p.role,
                personnummer: p.personnummer,
                name: p.name,
            })
            .collect();
            // Only when others must sign: the code opens the submission to them.
            let code_hash = (parties.len() > 1)
                .then(|| sha256_hex(etjanst::submit::signing_code(&key).as_bytes()));
            Ok((
                NewSubmission {
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
                    flow_sha256: sha256_hex(&definition),
                    renderer: s.renderer.clone(),
                    parties,
                    code_hash,
                },
                definition,
            ))
        })
        .await
        .map_err(|e| {
            Failure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("Internt fel: {e}"),
            )
        })??;
    match store.insert_submission(&new, &flow).await? {
        Inserted::New => Ok(uploaded(
            &Submission {
                new,
                order: None,
                completion: None,
                signing: Default::default(),
                signing_rev: 0,
            },
            StatusCode::CREATED,
        )),
        // Two copies of one upload raced; the first one stored wins.
        Inserted::Existing(existing) => again(&existing, &sha256),
    }
}

/// Who calls on a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caller {
    /// The applicant's computer: it presents the idempotency key it uploaded with.
    Owner,
    /// Another signer's computer, which opened the submission with the signing code and
    /// presents the key it gave then.
    Guest,
}

/// The submission's owner, and no one else.
pub(crate) async fn authorised(
    gw: &Shared,
    id: &str,
    headers: &HeaderMap,
) -> Result<Submission, Failure> {
    match authorised_as(gw, id, headers).await? {
        (s, Caller::Owner) => Ok(s),
        (_, Caller::Guest) => Err(missing()),
    }
}

fn missing() -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "notFound",
        "Det finns ingen sådan ansökan.",
    )
}

/// The submission's owner or the signer's computer that opened it with the signing code.
pub(crate) async fn authorised_as(
    gw: &Shared,
    id: &str,
    headers: &HeaderMap,
) -> Result<(Submission, Caller), Failure> {
    let presented = key_hash(bearer(headers));
    let s = gw
        .settings
        .store
        .submission(id)
        .await?
        .ok_or_else(missing)?;
    // A wrong key looks like no submission: ids cannot be probed.
    if presented == s.new.key_hash {
        return Ok((s, Caller::Owner));
    }
    if s.signing.guest.as_ref().map(|g| &g.key_hash) == Some(&presented) {
        return Ok((s, Caller::Guest));
    }
    Err(missing())
}

pub(crate) fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
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
        doc["receipt"] = super::orders::receipt(&case);
    }
    Ok(axum::Json(doc).into_response())
}
