//! Signing a submission with BankID: start the order, report its state with the official
//! messages and the current QR frame, cancel, and on completion check the signature and file
//! the case, once.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::orders::{
    Lang, already_submitted, bankid_failure, closing, complete, in_progress, internal, now_ms,
    refuse, started, stored_flow,
};
use super::parties;
use super::prepare::{self, sha256_hex};
use super::submissions::{Caller, authorised_as};
use super::{Failure, Shared, limits};
use crate::bankid::types::{CompletionData, Requirement, StartRequest};
use crate::bankid::{RpError, qr, rfa, signature};
use crate::store::{Case, Order, Signature, Submission};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub(crate) async fn start(
    State(gw): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    let (mut s, caller) = authorised_as(&gw, &id, &headers).await?;
    let store = &gw.settings.store;
    if let Some(case) = store.case_of_submission(&id).await? {
        return Err(already_submitted(&case));
    }
    if s.signing.declined.is_some() {
        return Err(parties::declined_failure(&s));
    }
    let choice = super::orders::choice(&body)?;
    if let Some(order) = parties::current_order(&s) {
        if order.status == "pending" {
            if parties::is_identification(&s, order) {
                return Err(in_progress());
            }
            // Starting again while an order runs returns that order: a retried start after a
            // dropped answer must not make a second one.
            return Ok(started(order));
        }
        if order.status == "complete"
            && order.refusal.is_none()
            && !parties::is_identification(&s, order)
        {
            // Signed, and filing was cut short (an instance stopped, the store away for a
            // moment): file it now (or record the signature) rather than ask for a second one.
            match finish(&gw, &s).await? {
                Finished::Filed(case) => return Err(already_submitted(&case)),
                Finished::Waiting(now) => s = *now,
            }
        }
    }
    let position = parties::position(&s);
    let party = parties::next(&s).cloned();
    // The other signer's computer signs only for the one its BankID identified.
    if caller == Caller::Guest
        && (party.is_none()
            || s.signing.guest.as_ref().and_then(|g| g.identified.as_ref())
                != party.as_ref().map(|p| &p.personnummer))
    {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "notIdentified",
            "Legitimera dig med BankID innan du skriver under.",
        ));
    }
    let client = gw.settings.trusted_proxies.client(peer.ip(), &headers);
    // Every order is a BankID transaction the municipality pays for: one address cannot
    // start them without end by cancelling and starting again.
    let limited = gw
        .limit(
            &gw.orders,
            &limits::client_key(client),
            "För många underskrifter påbörjade från din adress.",
        )
        .await?;
    if let Err(r) = limited {
        return Ok(r);
    }
    // Once one has signed, the PDF they signed is the one: it is never made again.
    if s.new.renderer != gw.settings.renderer && position == 0 {
        reprepare(&gw, &mut s).await?;
    }
    let request = StartRequest {
        end_user_ip: client.to_string(),
        user_visible_data: Some(B64.encode(parties::visible_text(&s, position).as_bytes())),
        user_visible_data_format: Some("simpleMarkdownV1".into()),
        user_non_visible_data: Some(B64.encode(&s.new.manifest)),
        requirement: Some(Requirement {
            pin_code: Some(true),
            // Not for the applicant: BankID refuses a second order for a personal number and
            // cancels the first, so whoever could name a citizen in an upload could keep that
            // citizen's own order from lasting long enough to sign. The applicant is checked on
            // the signature itself when the order completes (`finish`). The others are named by
            // an applicant who has signed with their own BankID, and their order is theirs only.
            personal_number: party.filter(|_| position > 0).map(|p| p.personnummer),
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
    let order = super::orders::pending(refs, choice.same_device);
    store.set_order(&id, &order).await?;
    Ok(started(&order))
}

/// The gateway was upgraded between the upload and the signature: the PDF is made again by
/// this renderer, and the manifest names it, before anyone signs (never after: a signature
/// names one PDF's bytes). The flow is the one the upload was checked against.
async fn reprepare(gw: &Shared, s: &mut Submission) -> Result<(), Failure> {
    let body =
        gw.settings.store.body(&s.new.id).await?.ok_or_else(|| {
            Failure::new(StatusCode::NOT_FOUND, "notFound", "Ansökan finns inte.")
        })?;
    let flow = stored_flow(gw, &s.new).await?;
    let gw2 = gw.clone();
    let new = s.new.clone();
    let _cpu = gw.cpu.acquire().await.map_err(|_| closing())?;
    let (pdf_sha256, manifest) = tokio::task::spawn_blocking(move || {
        let parsed = prepare::check(
            &flow,
            prepare::read(&body)?,
            prepare::day_of(new.created_ms),
        )?;
        prepare::sealed(&parsed, &gw2.settings, &new.id, &new.sha256, new.created_ms)
    })
    .await
    .map_err(internal)??;
    let renderer = gw.settings.renderer.clone();
    gw.settings
        .store
        .reprepare(&s.new.id, &pdf_sha256, &manifest, &renderer)
        .await?;
    tracing::info!(
        "submission {}: PDF made again by renderer {renderer} before signing",
        s.new.id
    );
    s.new.pdf_sha256 = pdf_sha256;
    s.new.manifest = manifest;
    s.new.renderer = renderer;
    Ok(())
}

pub(crate) async fn status(
    State(gw): State<Shared>,
    Path(id): Path<String>,
    Query(lang): Query<Lang>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let english = lang.english();
    let (s, caller) = authorised_as(&gw, &id, &headers).await?;
    // Polls cost a store read and, every few, a BankID collect: a client that polls without
    // pause is slowed to the pace the apps keep, whoever it is.
    let limited = gw
        .limit(&gw.polls, &id, "För många frågor om underskriften.")
        .await?;
    if let Err(r) = limited {
        return Ok(r);
    }
    let store = &gw.settings.store;
    if let Some(case) = store.case_of_submission(&id).await? {
        return Ok(complete(&case));
    }
    if s.signing.declined.is_some() {
        return Ok(parties::declined(&s, english));
    }
    // Names are the applicant's to see, and a signer's once BankID has said who they are.
    let reveal = caller == Caller::Owner
        || s.signing
            .guest
            .as_ref()
            .is_some_and(|g| g.identified.is_some());
    let Some(mut order) = parties::current_order(&s).cloned() else {
        if parties::position(&s) > 0 {
            return Ok(parties::waiting(&s, reveal, english));
        }
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "notStarted",
            "Underskriften har inte påbörjats.",
        ));
    };
    if order.status == "pending" {
        let gap = gw.settings.collect_interval.as_millis() as i64;
        if let Some(now) = collect(&gw, &id, &order, gap).await? {
            order = now;
        }
    }
    if let Some(refusal) = &order.refusal {
        return Ok(refused_order(refusal, &s, english));
    }
    if order.status == "complete" {
        if parties::is_identification(&s, &order) {
            if caller == Caller::Guest {
                return super::guest::identified(&gw, &id, english).await;
            }
            // The other signer has identified themselves; the applicant still waits.
            return Ok(parties::waiting(&s, reveal, english));
        }
        // `finish` reads the submission as stored now, completion included.
        return match finish(&gw, &s).await {
            Ok(Finished::Filed(case)) => Ok(complete(&case)),
            Ok(Finished::Waiting(now)) => Ok(parties::waiting(&now, reveal, english)),
            Err(e) if e.code == "signatureRefused" => {
                let now = store.submission(&id).await?;
                let code = now
                    .as_ref()
                    .and_then(|s| s.order.as_ref())
                    .and_then(|o| o.refusal.clone())
                    .unwrap_or_else(|| "caseChanged".into());
                Ok(refused_order(&code, now.as_ref().unwrap_or(&s), english))
            }
            Err(e) => Err(e),
        };
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
    if parties::several(&s) {
        doc["signers"] = parties::signers_json(&s, reveal);
        if let Some(next) = parties::next(&s) {
            doc["signing"] = next.role.clone().into();
        }
    }
    Ok(parties::no_store(doc))
}

/// How long one instance may wait on BankID's collect before another may take over: longer
/// than the RP client's own timeout, so a lease never runs out while its holder still waits.
const LEASE_MS: i64 = 30_000;

/// One collect of `order` if this instance gets the lease and the interval has passed; what
/// BankID said, as recorded (`None` when another instance holds the lease or collected just
/// now, or BankID did not answer).
pub(crate) async fn collect(
    gw: &Shared,
    id: &str,
    order: &Order,
    gap: i64,
) -> Result<Option<Order>, Failure> {
    let store = &gw.settings.store;
    if !store
        .claim_collect(id, &order.order_ref, now_ms(), gap, LEASE_MS)
        .await?
    {
        return Ok(None);
    }
    let (status, hint, completion) = match gw.settings.bankid.collect(&order.order_ref).await {
        Ok(c) => (
            c.status,
            c.hint_code,
            c.completion_data
                .as_ref()
                .map(|d| serde_json::to_string(d).unwrap_or_default()),
        ),
        // No such order: it ended and its result was given already, or it expired.
        Err(RpError::Api { code, .. }) if code == "invalidParameters" => {
            ("failed".into(), Some("expiredTransaction".into()), None)
        }
        Err(e) => {
            // BankID unreachable for a moment: the order goes on, the next poll tries again.
            tracing::warn!("collect: {e}");
            store.release_collect(id, &order.order_ref).await?;
            return Ok(None);
        }
    };
    // The terminal result comes once: it is stored before it is acted on. A result recorded
    // already (`complete` is final) stands; the stored one is what counts.
    store
        .record_collect(
            id,
            &order.order_ref,
            &status,
            hint.as_deref(),
            completion.as_deref(),
        )
        .await?;
    Ok(store.submission(id).await?.and_then(|s| s.order))
}

/// The order as recorded once no other instance is waiting on BankID for it: a collect in
/// flight elsewhere is let finish (its lease), then this instance collects once itself.
async fn settled(gw: &Shared, id: &str, order: &Order) -> Result<Order, Failure> {
    let deadline = now_ms() + LEASE_MS;
    loop {
        if let Some(now) = collect(gw, id, order, 0).await? {
            return Ok(now);
        }
        let now = gw
            .settings
            .store
            .submission(id)
            .await?
            .and_then(|s| s.order)
            .filter(|o| o.order_ref == order.order_ref);
        match now {
            Some(o) if o.status == "pending" && now_ms() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Some(o) => return Ok(o),
            None => return Ok(order.clone()),
        }
    }
}

pub(crate) async fn cancel(
    State(gw): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let (s, caller) = authorised_as(&gw, &id, &headers).await?;
    // Polls cost a store read and, every few, a BankID collect: a client that polls without
    // pause is slowed to the pace the apps keep, whoever it is.
    let limited = gw
        .limit(&gw.polls, &id, "För många frågor om underskriften.")
        .await?;
    if let Err(r) = limited {
        return Ok(r);
    }
    let store = &gw.settings.store;
    if let Some(case) = store.case_of_submission(&id).await? {
        return Ok(complete(&case));
    }
    let mut order = parties::current_order(&s).cloned();
    if let Some(o) = order.clone().filter(|o| o.status == "pending") {
        match gw.settings.bankid.cancel(&o.order_ref).await {
            Ok(()) => {
                store
                    .record_collect(&id, &o.order_ref, "failed", Some("cancelled"), None)
                    .await?;
                order = store.submission(&id).await?.and_then(|s| s.order);
            }
            // Nothing to cancel: the order ended at BankID, perhaps signed. What it ended in
            // is collected (or awaited from the instance collecting it) before anything is said.
            Err(RpError::Api { code, .. }) if code == "invalidParameters" => {
                order = Some(settled(&gw, &id, &o).await?);
            }
            Err(e) => return Err(bankid_failure(e)),
        }
    }
    if let Some(o) = order.filter(|o| {
        o.status == "complete" && o.refusal.is_none() && !parties::is_identification(&s, o)
    }) {
        let mut s = s;
        s.order = Some(o);
        match finish(&gw, &s).await? {
            Finished::Filed(case) => return Ok(complete(&case)),
            Finished::Waiting(now) => {
                return Ok(parties::waiting(&now, caller == Caller::Owner, false));
            }
        }
    }
    let mut doc = serde_json::json!({
        "status": "failed",
        "hintCode": "cancelled",
        "message": "Underskriften avbröts. Ansökan har inte skickats in.",
    });
    if parties::position(&s) > 0 {
        doc["message"] = format!(
            "Underskriften avbröts. Ansökan väntar fortfarande på att {} skriver under.",
            parties::next(&s)
                .map(|p| p.role.as_str())
                .unwrap_or_default()
        )
        .into();
        doc["signers"] = parties::signers_json(&s, caller == Caller::Owner);
    }
    Ok(axum::Json(doc).into_response())
}

/// A signature that was refused, as the status answers it every time after.
fn refused_order(code: &str, s: &Submission, english: bool) -> Response {
    let role = parties::next(s)
        .map(|p| p.role.as_str())
        .unwrap_or_default();
    let message = match (code, english) {
        ("notApplicant", false) => NOT_APPLICANT.to_string(),
        ("notApplicant", true) => {
            "The application was signed by someone other than the applicant and was not accepted. The applicant needs to sign with their own BankID.".to_string()
        }
        ("notSigner", false) => format!(
            "Någon annan än {role} använde sitt BankID, och det togs inte emot. {role} behöver använda sitt eget BankID."
        ),
        ("notSigner", true) => format!(
            "Someone other than {role} used their BankID, and it was not accepted. {role} needs to use their own BankID."
        ),
        (_, false) => CHANGED.to_string(),
        (_, true) => {
            "The application could not be filed as it was signed. Nothing has been submitted; please sign again.".to_string()
        }
    };
    let mut doc = serde_json::json!({
        "status": "failed",
        "hintCode": code,
        "messageCode": code,
        "message": message,
    });
    if parties::several(s) {
        doc["signers"] = parties::signers_json(s, false);
    }
    parties::no_store(doc)
}

const NOT_APPLICANT: &str = "Ansökan är underskriven av någon annan än sökanden och tas därför inte emot. Sökanden behöver skriva under med sitt eget BankID.";

const CHANGED: &str = "Ansökan kunde inte tas emot så som den skrevs under. Ingenting har skickats in; skriv under igen.";

/// What a completed signature came to.
pub(crate) enum Finished {
    /// The last signature: the case, filed once.
    Filed(Box<Case>),
    /// Recorded; others must sign before the case is filed. The submission as it is now.
    Waiting(Box<Submission>),
}

/// Checks the completed signature against what was stored (`spec/eid-signing.md` §2.4), and
/// records it, or with the last one files the case. Safe to call again: a signature is
/// recorded once and a submission gets one case. Everything it checks was fixed at upload
/// (the bytes, the flow's version, the day, the PDF's hash, who signs in which role), so
/// nothing that changes between the upload and the signatures can turn them away.
async fn finish(gw: &Shared, s: &Submission) -> Result<Finished, Failure> {
    let store = &gw.settings.store;
    if let Some(case) = store.case_of_submission(&s.new.id).await? {
        return Ok(Finished::Filed(Box::new(case)));
    }
    // As stored now: the completion was recorded after the caller read the submission.
    let fresh = store.submission(&s.new.id).await?;
    let s = fresh.as_ref().unwrap_or(s);
    let Some(order) = parties::current_order(s) else {
        // Another instance recorded this signature meanwhile.
        return Ok(Finished::Waiting(Box::new(s.clone())));
    };
    let order_ref = order.order_ref.clone();
    let completion_json = s.completion.clone().unwrap_or_default();
    let Ok(completion) = serde_json::from_str::<CompletionData>(&completion_json) else {
        return Err(refuse(
            gw,
            s,
            "caseChanged",
            "BankID:s svar saknar underskriftsdata. Skriv under igen.",
        )
        .await);
    };
    let signed = match signature::read(&completion.signature) {
        Ok(signed) => signed,
        Err(e) => return Err(refuse(gw, s, "caseChanged", &e).await),
    };
    let position = parties::position(s);
    let body = store.body(&s.new.id).await?.unwrap_or_default();
    let intact = signed.func_id == "Signing"
        && signed.user_non_visible_data == B64.encode(&s.new.manifest)
        && signed.user_visible_data == B64.encode(parties::visible_text(s, position).as_bytes())
        && sha256_hex(&body) == s.new.sha256;
    if !intact {
        return Err(refuse(gw, s, "caseChanged", CHANGED).await);
    }
    // BankID names the signer with 12 digits; the century needs no date.
    let day = prepare::day_of(s.new.created_ms);
    let Ok(pnr) = etjanst::ids::parse_personnummer(
        &completion.user.personal_number,
        etjanst::ids::PnrRules::new(day),
    ) else {
        return Err(refuse(
            gw,
            s,
            "caseChanged",
            "Underskriftens personnummer är ogiltigt.",
        )
        .await);
    };
    let pnr = pnr.long();
    // Who signs in this place was found in these same bytes at upload (their hash was just
    // checked against the signature): only that person's signature counts.
    let expected = match parties::next(s) {
        Some(party) => Some(party.personnummer.clone()),
        None if position == 0 => s.new.applicant.clone(),
        None => None,
    };
    if let Some(expected) = expected
        && expected != pnr
    {
        return Err(if position == 0 {
            refuse(gw, s, "notApplicant", NOT_APPLICANT).await
        } else {
            refuse(
                gw,
                s,
                "notSigner",
                "Underskriften är gjord av någon annan än den som ska skriva under.",
            )
            .await
        });
    }
    let now = chrono::Local::now();
    let this = Signature {
        role: parties::next(s).map(|p| p.role.clone()).unwrap_or_default(),
        personnummer: pnr.clone(),
        name: completion.user.name.clone(),
        given_name: completion.user.given_name.clone(),
        surname: completion.user.surname.clone(),
        order_ref,
        completion: completion_json.clone(),
        signed_ms: now.timestamp_millis(),
    };
    let mut signatures = s.signing.signatures.clone();
    signatures.push(this);
    if signatures.len() < s.new.parties.len() {
        let mut signing = s.signing.clone();
        signing.signatures = signatures;
        // The other signer's computer identifies again for the next role, if there is one.
        if let Some(guest) = &mut signing.guest {
            guest.identified = None;
            guest.auth_order = None;
        }
        // Compare-and-set: of two instances recording it, one does; the other reads it.
        store
            .update_signing(&s.new.id, s.signing_rev, &signing)
            .await?;
        tracing::info!(
            "submission {}: signed in turn {} of {}",
            s.new.id,
            position + 1,
            s.new.parties.len()
        );
        let now = store
            .submission(&s.new.id)
            .await?
            .unwrap_or_else(|| s.clone());
        return Ok(Finished::Waiting(Box::new(now)));
    }
    let flow = stored_flow(gw, &s.new).await?;
    let upload = prepare::read(&body)?;
    let mut users = Vec::new();
    for sig in &signatures {
        let user = etjanst::flowinstance::User {
            first_name: Some(sig.given_name.clone()),
            last_name: Some(sig.surname.clone()),
            email: None,
            id: store.user_id(&sig.personnummer).await?.to_string(),
        };
        let at = chrono::DateTime::from_timestamp_millis(sig.signed_ms)
            .unwrap_or_default()
            .with_timezone(&chrono::Local)
            .naive_local();
        users.push((user, at));
    }
    let case_id = store.next_id("case").await?;
    let mut names: Vec<String> = upload.attachment_names();
    names.sort();
    let mut file_ids = std::collections::HashMap::new();
    for name in names {
        file_ids.insert(name, store.next_id("file").await?);
    }
    // The applicant posted the case and owns it.
    let applicant = signatures[0].clone();
    let gw2 = gw.clone();
    let pdf_sha256 = s.new.pdf_sha256.clone();
    let pnr2 = applicant.personnummer.clone();
    let created_ms = s.new.created_ms;
    let filed = tokio::task::spawn_blocking(move || {
        let mut parsed = prepare::check(&flow, upload, day)?;
        parsed.files.ids = file_ids;
        let pdf = prepare::pdf(&parsed, &gw2.settings.organisation, created_ms)?;
        // The PDF the citizens' signatures name, byte for byte, or no case.
        if sha256_hex(&pdf) != pdf_sha256 {
            return Ok(None);
        }
        let xml = prepare::case_xml(
            &parsed,
            &prepare::Filing {
                flow_instance_id: case_id,
                now: now.naive_local(),
                signers: users,
                personal_number: pnr2,
                pdf_sha256,
            },
        )?;
        Ok::<_, Failure>(Some((xml, pdf)))
    })
    .await
    .map_err(internal)?;
    let (xml, pdf) = match filed {
        Ok(Some(done)) => done,
        Ok(None) => return Err(refuse(gw, s, "caseChanged", CHANGED).await),
        // The signed bytes no longer pass the checks they passed at upload: nothing will change
        // that, so it is final, not retried at every poll.
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY
                || e.status == StatusCode::BAD_REQUEST =>
        {
            tracing::error!("submission {}: {}", s.new.id, e.message);
            return Err(refuse(gw, s, "caseChanged", CHANGED).await);
        }
        Err(e) => return Err(e),
    };
    let signers = if parties::several(s) {
        serde_json::Value::from(
            signatures
                .iter()
                .map(|sig| {
                    serde_json::json!({
                        "role": sig.role,
                        "name": sig.name,
                        "signedAt": parties::rfc3339(sig.signed_ms),
                    })
                })
                .collect::<Vec<_>>(),
        )
        .to_string()
    } else {
        "[]".into()
    };
    let case = Case {
        flow_instance_id: case_id,
        submission_id: s.new.id.clone(),
        family_id: s.new.family_id,
        flow_id: s.new.flow_id,
        xml,
        pdf,
        posted_ms: now.timestamp_millis(),
        status_id: super::statuses::SUBMITTED,
        status_changed_ms: now.timestamp_millis(),
        signer_name: applicant.name.clone(),
        signer_personal_number: applicant.personnummer.clone(),
        sha256: s.new.sha256.clone(),
        completion: applicant.completion.clone(),
        signers,
    };
    Ok(Finished::Filed(Box::new(store.insert_case(&case).await?)))
}
