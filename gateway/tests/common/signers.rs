//! Several signers in turn: the citizens' side of the calls, shared by the SQLite and the
//! PostgreSQL tests.

use std::sync::Arc;

use base64::Engine;
use etjanst_gateway::store::Store;
use reqwest::Method;
use serde_json::{Value, json};

use super::*;

/// Åsa Öberg, the first guardian in `forms/examples/forskoleplats.json`, and Jonas, the second.
pub const ASA: &str = "199205052385";
pub const JONAS: &str = "199306102394";
/// Åsa Öberg-Ławniczak, the co-applicant in `forms/examples/ekonomiskt-bistand.json`.
pub const CO_APPLICANT: &str = "199511242381";

/// Another signer's computer: it opens a submission with the signing code under its own key.
pub async fn open_code<'a>(
    gateway: &'a str,
    http: &'a reqwest::Client,
    code: &str,
) -> (u16, Value, Citizen<'a>) {
    let key = new_key();
    let r = http
        .post(format!("{gateway}/api/v1/signing-codes"))
        .bearer_auth(&key)
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    let id = v["submissionId"].as_str().unwrap_or_default().to_string();
    (
        status,
        v,
        Citizen {
            gateway,
            http,
            key,
            id,
        },
    )
}

/// The signer proves who they are with BankID on their computer (autostart), as
/// `personal_number`: the phone's answer and the gateway's last status.
pub async fn identify_as(
    sim: &Sim,
    store: &Arc<dyn Store>,
    guest: &Citizen<'_>,
    personal_number: &str,
) -> ((u16, Value), Value) {
    let (status, started) = guest.call(Method::POST, "/identify", Some(json!({}))).await;
    assert_eq!(status, 200, "{started}");
    sim.phone(
        "autostart",
        json!({ "autoStartToken": started["autoStartToken"] }),
    )
    .await;
    for _ in 0..3 {
        guest.status().await;
    }
    let order = order_of(store, &guest.id).await;
    let phone = sim
        .phone(
            "approve",
            json!({ "orderRef": order.order_ref, "personalNumber": personal_number }),
        )
        .await;
    (phone, guest.status().await.1)
}

/// The text the BankID app showed for the `i`th signature of the submission (the last one
/// filed the case and is the submission's last completion).
pub async fn signed_text(store: &Arc<dyn Store>, id: &str, i: usize) -> String {
    let s = store.submission(id).await.unwrap().unwrap();
    let completion = match s.signing.signatures.get(i) {
        Some(sig) => sig.completion.clone(),
        None => s.completion.unwrap(),
    };
    let completion: Value = serde_json::from_str(&completion).unwrap();
    let signed =
        etjanst_gateway::bankid::signature::read(completion["signature"].as_str().unwrap())
            .unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    String::from_utf8(b64.decode(signed.user_visible_data).unwrap()).unwrap()
}

/// Tolvan applies for ekonomiskt bistånd through `applicant_gateway` and signs; the
/// co-applicant, on her own computer and talking to `signer_gateway`, opens it with the code,
/// identifies, reads exactly what he signed, and signs. Both computers get the one receipt.
pub async fn co_applicant_signs_through_a_code(
    sim: &Sim,
    store: &Arc<dyn Store>,
    applicant_gateway: &str,
    signer_gateway: &str,
    http: &reqwest::Client,
) -> Value {
    let c = Citizen::upload(applicant_gateway, http, ekonomiskt_bistand()).await;
    // Before the applicant has signed, the code opens nothing.
    let code = etjanst::submit::signing_code(&c.key);
    let (status, v, _) = open_code(signer_gateway, http, &code).await;
    assert_eq!((status, v["error"].as_str()), (409, Some("notYet")), "{v}");

    let started = c.sign(true).await;
    let v = sign_here(sim, store, &c, &started, TOLVAN).await;
    assert_eq!(v["status"], "waiting", "{v}");
    assert_eq!(v["next"], "Medsökande");
    assert!(
        signed_text(store, &c.id, 0)
            .await
            .contains("*Du skriver under som:* Sökande")
    );

    // A mistyped code opens nothing; the code as typed (lower case, no dashes) opens it.
    let (status, _, _) = open_code(signer_gateway, http, "AAAA-BBBB-CCCC-DDDD").await;
    assert_eq!(status, 404);
    let typed = code.replace('-', "").to_lowercase();
    let (status, v, guest) = open_code(signer_gateway, http, &typed).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["submissionId"], c.id.as_str());
    assert_eq!(v["role"], "Medsökande");
    assert_eq!(v.as_object().unwrap().len(), 2, "nothing more: {v}");

    // The code alone shows nothing: no names, no summary, no signing.
    let (_, v) = guest.status().await;
    assert_eq!(v["status"], "waiting", "{v}");
    assert!(v["signers"][0].get("name").is_none(), "{v}");
    let (status, v) = guest.call(Method::GET, "/summary", None).await;
    assert_eq!((status, v["error"].as_str()), (403, Some("notIdentified")));
    let (status, _) = guest
        .call(Method::POST, "/sign", Some(json!({ "sameDevice": true })))
        .await;
    assert_eq!(status, 403);

    // Her BankID identifies her for the role; the order is hers alone: the applicant's
    // BankID cannot take it.
    let ((phone, v), _) = identify_as(sim, store, &guest, TOLVAN).await;
    assert_eq!(phone, 409, "{v}");
    assert!(v["error"].as_str().unwrap().contains("annat personnummer"));
    guest.call(Method::POST, "/sign/cancel", None).await;
    let ((phone, _), v) = identify_as(sim, store, &guest, CO_APPLICANT).await;
    assert_eq!(phone, 200);
    assert_eq!(v["status"], "identified", "{v}");
    assert_eq!(v["signers"][0]["name"], "Tolvan Tolvansson", "{v}");

    // Now she reads exactly what he signed: the PDF his signature names, and the answers.
    let (status, summary) = guest.call(Method::GET, "/summary", None).await;
    assert_eq!(status, 200, "{summary}");
    let b64 = base64::engine::general_purpose::STANDARD;
    let pdf = b64.decode(summary["pdf"].as_str().unwrap()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        etjanst::submit::sha256_hex(&pdf),
        summary["pdfSha256"].as_str().unwrap()
    );
    assert_eq!(
        summary["document"]["answers"]["medsokande"]["lastName"],
        "Öberg-Ławniczak"
    );
    assert!(
        summary["visibleText"]
            .as_str()
            .unwrap()
            .contains("*Du skriver under som:* Medsökande")
    );
    // Meanwhile the applicant's computer still hears that it waits.
    assert_eq!(c.status().await.1["status"], "waiting");

    let started = guest.sign(true).await;
    let v = sign_here(sim, store, &guest, &started, CO_APPLICANT).await;
    assert_eq!(v["status"], "complete", "{v}");
    let receipt = v["receipt"].clone();
    assert_eq!(receipt["signers"][0]["role"], "Sökande");
    assert_eq!(receipt["signers"][0]["name"], "Tolvan Tolvansson");
    assert_eq!(receipt["signers"][1]["role"], "Medsökande");
    assert_eq!(receipt["signers"][1]["name"], "Åsa Öberg-Ławniczak");
    // The applicant's computer gets the same receipt.
    let (_, v) = c.status().await;
    assert_eq!(v["receipt"], receipt);
    // The code is spent.
    let (status, _, _) = open_code(signer_gateway, http, &code).await;
    assert_eq!(status, 409);
    receipt
}
