//! Another signer's own computer: it opens the submission with the signing code the applicant
//! passed on, proves with BankID that its user is the one who signs next (an identification
//! order for that personnummer only), and only then is shown what the applicant signed; then it
//! signs, or declines. A code alone shows nothing but the role it is for.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine;
use serde::Deserialize;

use super::orders::{self, Lang, already_submitted, bankid_failure};
use super::submissions::{Caller, authorised_as, bearer, idempotency_key_text, key_hash};
use super::{Failure, Shared, limits, parties, prepare};
use crate::bankid::signature;
use crate::bankid::types::{CompletionData, Requirement, StartRequest};
use crate::store::{Guest, Submission};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OpenBody {
    code: String,
}

fn no_code() -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "unknownCode",
        "Koden finns inte eller gäller inte längre. Kontrollera den med den som skickade ansökan.",
    )
}

/// `POST /api/v1/signing-codes`: the code (and this computer's own key, as the bearer) opens
/// the submission for the one who signs next. Wrong codes count against the address like
/// failed logins: 80 bits are not guessed, and not tried either.
pub(crate) async fn open(
    State(gw): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<OpenBody>,
) -> Result<Response, Failure> {
    let key = idempotency_key_text(bearer(&headers))?;
    let client = gw.settings.trusted_proxies.client(peer.ip(), &headers);
    let address = limits::client_key(client);
    if let Some(codes) = &gw.codes
        && let Err(wait) = codes.check(&*gw.settings.store, &address).await?
    {
        return Ok(super::too_many(wait, "För många felaktiga koder."));
    }
    let store = &gw.settings.store;
    let found = match parties::code_hash(&body.code) {
        Some(hash) => store.submission_by_code(&hash).await?,
        None => None,
    };
    let Some(mut s) = found else {
        if let Some(codes) = &gw.codes {
            let _ = codes.take(&**store, &address).await?;
        }
        return Err(no_code());
    };
    if store.case_of_submission(&s.new.id).await?.is_some() {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "alreadySubmitted",
            "Ansökan är redan inskickad.",
        ));
    }
    if s.signing.declined.is_some() {
        return Err(parties::declined_failure(&s));
    }
    if parties::position(&s) == 0 {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "notYet",
            "Sökanden har inte skrivit under ansökan än. Försök igen när sökanden har gjort det.",
        ));
    }
    let Some(role) = parties::next(&s).map(|p| p.role.clone()) else {
        return Err(no_code());
    };
    let hash = key_hash(&key);
    // The same computer again (an answer lost) keeps what it has proved; another replaces it.
    loop {
        if s.signing.guest.as_ref().map(|g| &g.key_hash) == Some(&hash) {
            break;
        }
        let mut signing = s.signing.clone();
        signing.guest = Some(Guest {
            key_hash: hash.clone(),
            ..Default::default()
        });
        if store
            .update_signing(&s.new.id, s.signing_rev, &signing)
            .await?
        {
            break;
        }
        s = store.submission(&s.new.id).await?.ok_or_else(no_code)?;
    }
    Ok(parties::no_store(serde_json::json!({
        "submissionId": s.new.id,
        "role": role,
    })))
}

/// `POST /api/v1/submissions/{id}/identify`: a BankID identification order for the
/// personnummer of the one who signs next, started by their computer.
pub(crate) async fn identify(
    State(gw): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Failure> {
    let (mut s, caller) = authorised_as(&gw, &id, &headers).await?;
    if caller != Caller::Guest {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "notGuest",
            "Sökandens dator behöver inte legitimera sig för ansökan.",
        ));
    }
    let store = &gw.settings.store;
    if let Some(case) = store.case_of_submission(&id).await? {
        return Err(already_submitted(&case));
    }
    if s.signing.declined.is_some() {
        return Err(parties::declined_failure(&s));
    }
    let choice = orders::choice(&body)?;
    if let Some(order) = parties::current_order(&s).filter(|o| o.status == "pending") {
        if parties::is_identification(&s, order) {
            return Ok(orders::started(order));
        }
        return Err(orders::in_progress());
    }
    let Some(party) = parties::next(&s).cloned() else {
        return Err(no_code());
    };
    let client = gw.settings.trusted_proxies.client(peer.ip(), &headers);
    let limited = gw
        .limit(
            &gw.orders,
            &limits::client_key(client),
            "För många legitimeringar påbörjade från din adress.",
        )
        .await?;
    if let Err(r) = limited {
        return Ok(r);
    }
    let text = format!(
        "# Legitimera dig\n\n{} visar ansökan *{}* för dig när du har legitimerat dig som {}.\n",
        gw.settings.organisation.replace(['#', '*', '_', '\n'], " "),
        s.new.service_name.replace(['#', '*', '_', '\n'], " "),
        party.role.replace(['#', '*', '_', '\n'], " "),
    );
    let request = StartRequest {
        end_user_ip: client.to_string(),
        user_visible_data: Some(B64.encode(text.as_bytes())),
        user_visible_data_format: Some("simpleMarkdownV1".into()),
        requirement: Some(Requirement {
            pin_code: Some(true),
            personal_number: Some(party.personnummer.clone()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let refs = gw
        .settings
        .bankid
        .auth(&request)
        .await
        .map_err(bankid_failure)?;
    // Marked as an identification before it is the submission's order: no poll may take its
    // completion for a signature.
    loop {
        let mut signing = s.signing.clone();
        let Some(guest) = signing.guest.as_mut() else {
            return Err(no_code());
        };
        guest.auth_order = Some(refs.order_ref.clone());
        guest.identified = None;
        if store.update_signing(&id, s.signing_rev, &signing).await? {
            break;
        }
        s = store.submission(&id).await?.ok_or_else(no_code)?;
    }
    let order = orders::pending(refs, choice.same_device);
    store.set_order(&id, &order).await?;
    Ok(orders::started(&order))
}

/// The identification order completed: if it is the personnummer of the one who signs next,
/// their computer may now see the application; anyone else is refused for that order.
pub(crate) async fn identified(gw: &Shared, id: &str, english: bool) -> Result<Response, Failure> {
    let store = &gw.settings.store;
    let mut s = store.submission(id).await?.ok_or_else(no_code)?;
    let expected = parties::next(&s).map(|p| p.personnummer.clone());
    let proved = s
        .completion
        .as_deref()
        .and_then(|c| serde_json::from_str::<CompletionData>(c).ok())
        .filter(|c| signature::read(&c.signature).is_ok_and(|sig| sig.func_id == "Identification"))
        .and_then(|c| {
            etjanst::ids::parse_personnummer(
                &c.user.personal_number,
                etjanst::ids::PnrRules::new(chrono::Local::now().date_naive()),
            )
            .ok()
        })
        .map(|p| p.long());
    let order_ref = s
        .order
        .as_ref()
        .map(|o| o.order_ref.clone())
        .unwrap_or_default();
    if proved.is_none() || proved != expected {
        let _ = orders::refuse(gw, &s, "notSigner", "Fel person legitimerade sig.").await;
        let message = if english {
            "Someone other than the one who is to sign identified themselves. Nothing of the application is shown."
        } else {
            "Någon annan än den som ska skriva under legitimerade sig. Ingenting av ansökan visas."
        };
        return Ok(parties::no_store(serde_json::json!({
            "status": "failed",
            "hintCode": "notSigner",
            "messageCode": "notSigner",
            "message": message,
        })));
    }
    loop {
        let guest = s.signing.guest.as_ref();
        if guest.and_then(|g| g.identified.as_ref()) == proved.as_ref()
            || guest.and_then(|g| g.auth_order.as_deref()) != Some(order_ref.as_str())
        {
            break;
        }
        let mut signing = s.signing.clone();
        if let Some(g) = signing.guest.as_mut() {
            g.identified = proved.clone();
        }
        if store.update_signing(id, s.signing_rev, &signing).await? {
            s.signing = signing;
            break;
        }
        s = store.submission(id).await?.ok_or_else(no_code)?;
    }
    let role = parties::next(&s)
        .map(|p| p.role.clone())
        .unwrap_or_default();
    let message = if english {
        format!("You have identified yourself as {role}. Read the application before you sign.")
    } else {
        format!("Du har legitimerat dig som {role}. Läs ansökan innan du skriver under.")
    };
    Ok(parties::no_store(serde_json::json!({
        "status": "identified",
        "next": role,
        "signers": parties::signers_json(&s, true),
        "message": message,
    })))
}

/// Whether `caller` may see the application: the applicant's computer always, another
/// signer's once BankID has identified its user as the one who signs next.
fn may_see(s: &Submission, caller: Caller) -> bool {
    caller == Caller::Owner
        || (s.signing.guest.as_ref().and_then(|g| g.identified.as_ref())
            == parties::next(s).map(|p| &p.personnummer)
            && parties::next(s).is_some())
}

fn not_identified() -> Failure {
    Failure::new(
        StatusCode::FORBIDDEN,
        "notIdentified",
        "Legitimera dig med BankID för att se ansökan.",
    )
}

/// `GET /api/v1/submissions/{id}/summary`: exactly what the applicant signed, for the next
/// signer to read: the PDF whose hash the signatures name (made again from the stored bytes
/// and checked against that hash), the answers and the flow they answer, the BankID text.
pub(crate) async fn summary(
    State(gw): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let (s, caller) = authorised_as(&gw, &id, &headers).await?;
    if !may_see(&s, caller) {
        return Err(not_identified());
    }
    let body = gw
        .settings
        .store
        .body(&id)
        .await?
        .filter(|b| !b.is_empty())
        .ok_or_else(|| Failure::new(StatusCode::GONE, "gone", "Ansökan är redan inskickad."))?;
    let flow = orders::stored_flow(&gw, &s.new).await?;
    let _cpu = gw.cpu.acquire().await.map_err(|_| orders::closing())?;
    let organisation = gw.settings.organisation.clone();
    let created_ms = s.new.created_ms;
    let (pdf, document, flow_json) = tokio::task::spawn_blocking(move || {
        let upload = prepare::read(&body)?;
        let document: serde_json::Value =
            serde_json::from_str(upload.document_text()).unwrap_or_default();
        let parsed = prepare::check(&flow, upload, prepare::day_of(created_ms))?;
        let pdf = prepare::pdf(&parsed, &organisation, created_ms)?;
        Ok::<_, Failure>((
            pdf,
            document,
            serde_json::to_value(&flow).unwrap_or_default(),
        ))
    })
    .await
    .map_err(orders::internal)??;
    if prepare::sha256_hex(&pdf) != s.new.pdf_sha256 {
        return Err(orders::internal(
            "the PDF no longer matches what was signed",
        ));
    }
    let position = parties::position(&s);
    Ok(parties::no_store(serde_json::json!({
        "submissionId": s.new.id,
        "serviceName": s.new.service_name,
        "role": parties::next(&s).map(|p| p.role.clone()),
        "visibleText": parties::visible_text(&s, position),
        "sha256": s.new.sha256,
        "pdfSha256": s.new.pdf_sha256,
        "pdf": B64.encode(&pdf),
        "document": document,
        "flow": flow_json,
        "signers": parties::signers_json(&s, true),
    })))
}

/// `POST /api/v1/submissions/{id}/sign/decline`: the one who signs next will not. Final: the
/// applicant is told, and the submission is never filed.
pub(crate) async fn decline(
    State(gw): State<Shared>,
    Path(id): Path<String>,
    Query(lang): Query<Lang>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let (mut s, caller) = authorised_as(&gw, &id, &headers).await?;
    let store = &gw.settings.store;
    if let Some(case) = store.case_of_submission(&id).await? {
        return Err(already_submitted(&case));
    }
    // The applicant withdraws by cancelling; only a later signer declines.
    if parties::position(&s) == 0 || !may_see(&s, caller) {
        return Err(not_identified());
    }
    if let Some(order) = parties::current_order(&s).filter(|o| o.status == "pending")
        && gw.settings.bankid.cancel(&order.order_ref).await.is_ok()
    {
        store
            .record_collect(&id, &order.order_ref, "failed", Some("cancelled"), None)
            .await?;
    }
    while s.signing.declined.is_none() {
        let mut signing = s.signing.clone();
        signing.declined = parties::next(&s).map(|p| p.role.clone());
        if store.update_signing(&id, s.signing_rev, &signing).await? {
            s.signing = signing;
            break;
        }
        s = store.submission(&id).await?.ok_or_else(no_code)?;
    }
    tracing::info!("submission {id}: a signer declined");
    Ok(parties::declined(&s, lang.english()))
}
