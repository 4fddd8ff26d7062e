//! The case API for the municipality's back-ends, shaped like Open ePlatform's
//! `/api/instanceapi` (`fixtures/oep/api-*.xml`) so that an integration written for OeP reads
//! our cases unchanged; and the catalogue bundle.

use std::collections::HashMap;

use axum::body::Bytes;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::statuses::STATUSES;
use super::{Failure, Shared};
use crate::store::{Case, Whose};

/// The key a back-end presented: `Authorization: Bearer KEY`, or HTTP Basic with the key as
/// the password, as integrations written for OeP send it.
fn presented_key(headers: &HeaderMap) -> String {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(b) = value.strip_prefix("Bearer ") {
        b.trim().to_string()
    } else if let Some(b) = value.strip_prefix("Basic ") {
        base64::engine::general_purpose::STANDARD
            .decode(b.trim())
            .ok()
            .and_then(|d| String::from_utf8(d).ok())
            .and_then(|s| s.split_once(':').map(|(_, p)| p.to_string()))
            .unwrap_or_default()
    } else {
        String::new()
    }
}

/// Lets a request through to the case API only with the key. An address that has failed too
/// often is answered 429 without its key being looked at, so guessing costs a minute per few
/// tries (on top of a key of at least 128 bits).
pub(crate) async fn authenticate(
    State(gw): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Result<Response, Failure> {
    let client = super::limits::client_key(
        gw.settings
            .trusted_proxies
            .client(peer.ip(), request.headers()),
    );
    if let Some(logins) = &gw.logins
        && let Err(wait) = logins.check(&*gw.settings.store, &client).await?
    {
        return Ok(super::too_many(wait, "För många misslyckade inloggningar."));
    }
    // Compared as digests: the time taken says nothing about how much of the key was right.
    let digest = |s: &str| super::prepare::sha256_hex(s.as_bytes());
    let key = &gw.settings.api_key;
    if !key.is_empty() && digest(&presented_key(request.headers())) == digest(key) {
        return Ok(next.run(request).await);
    }
    tracing::warn!("case API: a wrong key from {client}");
    if let Some(logins) = &gw.logins {
        // Whether this failure was the last allowed shows at the address's next request.
        let _ = logins.take(&*gw.settings.store, &client).await?;
    }
    Err(Failure::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Fel eller saknad API-nyckel.",
    ))
}

/// Why `key` is too weak for the case API, if it is: shorter than 128 bits for the alphabet its
/// characters come from (32 hex digits, 22 base64 characters), or one repeated pattern.
pub fn weak_api_key(key: &str) -> Option<String> {
    let bits_per_char: f64 = if key.chars().all(|c| c.is_ascii_hexdigit()) {
        4.0
    } else if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+/=-_".contains(c))
    {
        6.0
    } else {
        6.5
    };
    let bits = key.chars().count() as f64 * bits_per_char;
    let distinct = key.chars().collect::<std::collections::HashSet<_>>().len();
    if bits < 128.0 {
        Some(format!(
            "API-nyckeln är för kort ({} tecken, omkring {bits:.0} bitar; minst 128 krävs). \
             Skapa en med `etjanst-gateway api-key`.",
            key.chars().count()
        ))
    } else if distinct < 8 {
        Some(
            "API-nyckeln har för få olika tecken för att vara slumpad. Skapa en med `etjanst-gateway api-key`."
                .into(),
        )
    } else {
        None
    }
}

fn xml_response(bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=ISO-8859-1"),
    );
    r
}

fn missing() -> Failure {
    Failure::new(StatusCode::NOT_FOUND, "notFound", "Ärendet finns inte.")
}

async fn find(gw: &Shared, id: &str) -> Result<Case, Failure> {
    let id: i64 = id.parse().map_err(|_| missing())?;
    gw.settings.store.case(id).await?.ok_or_else(missing)
}

fn local(ms: i64) -> chrono::DateTime<chrono::Local> {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&chrono::Local)
}

/// OeP's list dates: `yyyy-MM-dd HH:mm`, local time.
fn list_date(ms: i64) -> String {
    local(ms).format("%Y-%m-%d %H:%M").to_string()
}

/// The list's filters as OeP's clients send them: `?fromDate=2026-11-01&toDate=2026-11-30`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Dates {
    from_date: Option<String>,
    to_date: Option<String>,
}

fn bad_request(message: String) -> Failure {
    Failure::new(StatusCode::BAD_REQUEST, "badRequest", message)
}

fn date(value: Option<&str>) -> Result<Option<chrono::NaiveDate>, Failure> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| {
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| bad_request(format!("{v:?} är inget datum (ÅÅÅÅ-MM-DD).")))
        })
        .transpose()
}

/// Whether `wanted` (a path segment) names status `id`: its name, as OeP's clients pass it
/// ("Inskickat"), its content type (`SUBMITTED`) or its number.
fn status_matches(id: i64, wanted: &str) -> bool {
    let wanted = wanted.trim();
    wanted.parse::<i64>().ok() == Some(id)
        || STATUSES.iter().any(|(sid, name, kind)| {
            *sid == id && (name.eq_ignore_ascii_case(wanted) || kind.eq_ignore_ascii_case(wanted))
        })
}

/// `getinstances/family/{familyId}[/{status}]` and
/// `getinstances/owner/citizenidentifier/{pnr}[/{status}]`, with `fromDate` and `toDate`
/// (inclusive, the day the case came in).
pub(crate) async fn instances(
    State(gw): State<Shared>,
    Path(path): Path<HashMap<String, String>>,
    Query(dates): Query<Dates>,
) -> Result<Response, Failure> {
    let whose = match (path.get("family"), path.get("citizen")) {
        (Some(family), _) => Whose::Family(family.parse().unwrap_or(-1)),
        (None, Some(pnr)) => Whose::Citizen(
            etjanst::ids::twelve_digits(pnr)
                .ok_or_else(|| bad_request(format!("{pnr:?} är inget giltigt personnummer.")))?,
        ),
        (None, None) => return Err(missing()),
    };
    let from = date(dates.from_date.as_deref())?;
    let to = date(dates.to_date.as_deref())?;
    let day = |ms: i64| local(ms).date_naive();
    let cases = gw
        .settings
        .store
        .cases_of(whose)
        .await?
        .into_iter()
        .filter(|c| {
            path.get("status")
                .is_none_or(|s| status_matches(c.status_id, s))
                && from.is_none_or(|f| day(c.posted_ms) >= f)
                && to.is_none_or(|t| day(c.posted_ms) <= t)
        });
    let mut out = String::from("<FlowInstances>\n");
    for c in cases {
        out.push_str(&format!(
            concat!(
                "\t<FlowInstance>\n",
                "\t\t<flowInstanceID>{id}</flowInstanceID>\n",
                "\t\t<added>{added}</added>\n",
                "\t\t<firstSubmitted>{added}</firstSubmitted>\n",
                "\t\t<fullyPopulated>true</fullyPopulated>\n",
                "\t\t<lastStatusChange>{changed}</lastStatusChange>\n",
                "\t\t<remote>false</remote>\n",
                "\t\t<addedInMilliseconds>{added_ms}</addedInMilliseconds>\n",
                "\t\t<firstSubmittedInMilliseconds>{added_ms}</firstSubmittedInMilliseconds>\n",
                "\t\t<lastStatusChangeInMilliseconds>{changed_ms}</lastStatusChangeInMilliseconds>\n",
                "\t</FlowInstance>\n"
            ),
            id = c.flow_instance_id,
            added = list_date(c.posted_ms),
            changed = list_date(c.status_changed_ms),
            added_ms = c.posted_ms,
            changed_ms = c.status_changed_ms,
        ));
    }
    out.push_str("</FlowInstances>");
    Ok(xml_response(out.into_bytes()))
}

pub(crate) async fn xml(
    State(gw): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    Ok(xml_response(find(&gw, &id).await?.xml))
}

pub(crate) async fn pdf(
    State(gw): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let case = find(&gw, &id).await?;
    let mut r = case.pdf.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    Ok(r)
}

fn status_xml(status_id: i64) -> Vec<u8> {
    let (id, name, content_type) = STATUSES
        .iter()
        .find(|s| s.0 == status_id)
        .copied()
        .unwrap_or((status_id, "Okänd", "SUBMITTED"));
    let text = format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" standalone=\"no\"?>\n",
            "<Status>\n",
            "\t<statusID>{}</statusID>\n",
            "\t<name>{}</name>\n",
            "\t<newExternalMessagesDisallowed>false</newExternalMessagesDisallowed>\n",
            "\t<addExternalMessage>false</addExternalMessage>\n",
            "\t<addInternalMessage>false</addInternalMessage>\n",
            "\t<isRestrictedAdminDeletable>false</isRestrictedAdminDeletable>\n",
            "\t<contentType>{}</contentType>\n",
            "</Status>"
        ),
        id, name, content_type
    );
    encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
}

pub(crate) async fn status(
    State(gw): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    Ok(xml_response(status_xml(find(&gw, &id).await?.status_id)))
}

/// A back-end moves a case on: `{"statusID": 2}` or `{"contentType": "IN_PROGRESS"}`. The
/// answer is shaped like OeP's integration callback `setStatusResponse`.
pub(crate) async fn set_status(
    State(gw): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Failure> {
    let case = find(&gw, &id).await?;
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let wanted = STATUSES.iter().find(|s| {
        doc.get("statusID").and_then(|v| v.as_i64()) == Some(s.0)
            || doc.get("contentType").and_then(|v| v.as_str()) == Some(s.2)
            || doc.get("name").and_then(|v| v.as_str()) == Some(s.1)
    });
    let Some(&(status_id, _, _)) = wanted else {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "badStatus",
            "Okänd status: ange statusID (1–4), contentType eller name.",
        ));
    };
    let now = chrono::Utc::now().timestamp_millis();
    let event = gw
        .settings
        .store
        .set_case_status(case.flow_instance_id, status_id, now)
        .await?
        .ok_or_else(missing)?;
    let text = format!(
        concat!(
            "<?xml version='1.0' encoding='ISO-8859-1'?>\n",
            "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\">\n",
            "\t<S:Body>\n",
            "\t\t<setStatusResponse xmlns=\"http://www.oeplatform.org/version/1.0/schemas/integration/callback\">\n",
            "\t\t\t<eventID>{}</eventID>\n",
            "\t\t</setStatusResponse>\n",
            "\t</S:Body>\n",
            "</S:Envelope>"
        ),
        event
    );
    Ok(xml_response(text.into_bytes()))
}

/// `GET /api/etjanst/refused`: signatures collected and not filed (signed by someone other
/// than the applicant, or an upload that no longer matched what was signed), for the
/// municipality to follow up; etjanst's own call, JSON, beside OeP's.
pub(crate) async fn refused(State(gw): State<Shared>) -> Result<Response, Failure> {
    let list: Vec<serde_json::Value> = gw
        .settings
        .store
        .refused()
        .await?
        .into_iter()
        .map(|r| {
            let completion: Option<crate::bankid::types::CompletionData> = r
                .completion
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok());
            serde_json::json!({
                "submissionId": r.submission_id,
                "flowId": r.flow_id,
                "familyId": r.family_id,
                "service": r.service_name,
                "uploaded": list_date(r.created_ms),
                "orderRef": r.order_ref,
                "refusal": r.refusal,
                "signer": completion.as_ref().map(|c| serde_json::json!({
                    "personalNumber": c.user.personal_number,
                    "name": c.user.name,
                })),
            })
        })
        .collect();
    Ok(axum::Json(list).into_response())
}

pub(crate) async fn bundle(State(gw): State<Shared>) -> Result<Response, Failure> {
    let none = || {
        Failure::new(
            StatusCode::NOT_FOUND,
            "noBundle",
            "Kommunen har ingen signerad katalog här.",
        )
    };
    let path = gw.settings.bundle.as_ref().ok_or_else(none)?;
    let bytes = tokio::fs::read(path).await.map_err(|_| none())?;
    let mut r = bytes.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    Ok(r)
}
