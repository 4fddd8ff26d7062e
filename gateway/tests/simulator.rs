//! The simulator speaks BankID's RP API v6.0 as the real service does, so that the gateway's
//! client (or any RP library) is tested against the protocol and not against our own habits.

mod common;

use common::*;
use etjanst_gateway::bankid::types::{Requirement, StartRequest};
use etjanst_gateway::bankid::{RpClient, RpConfig};
use serde_json::{Value, json};

fn sign_request() -> StartRequest {
    StartRequest {
        end_user_ip: "127.0.0.1".into(),
        user_visible_data: Some("SGVq".into()),
        user_visible_data_format: Some("simpleMarkdownV1".into()),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_clients_with_an_rp_certificate_get_in() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path()).await;
    #[cfg(unix)]
    for key in [sim.pki.rp_pem(), sim.pki.rp_p12()] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is for its owner only", key.display());
    }
    let roots =
        reqwest::Certificate::from_pem_bundle(&std::fs::read(sim.pki.ca()).unwrap()).unwrap();
    let anonymous = reqwest::Client::builder()
        .tls_certs_only(roots)
        .build()
        .unwrap();
    let refused = anonymous
        .post(format!("{}/rp/v6.0/sign", sim.url))
        .json(&json!({}))
        .send()
        .await;
    assert!(
        refused.is_err(),
        "a client without a certificate is refused"
    );

    // BankID's test certificate comes as PKCS#12 with a password; so does ours.
    let p12 = RpConfig {
        certificate: sim.pki.rp_p12(),
        certificate_password: Some("qwerty123".into()),
        ..sim.rp_config()
    };
    let client = RpClient::new(&p12).unwrap();
    let refs = client.sign(&sign_request()).await.unwrap();
    assert_eq!(refs.order_ref.len(), 36, "a UUID");
    let wrong = RpConfig {
        certificate_password: Some("fel".into()),
        ..p12
    };
    let e = RpClient::new(&wrong).err().unwrap().to_string();
    assert!(e.contains("rp.p12"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_methods_paths_types_and_fields_get_bankids_error_codes() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path()).await;
    let http = mtls_client(&sim.pki);
    let code = |r: reqwest::Response| async move {
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap();
        (
            status,
            v["errorCode"].as_str().unwrap_or_default().to_string(),
        )
    };
    let url = |p: &str| format!("{}/rp/v6.0/{p}", sim.url);
    assert_eq!(
        code(http.get(url("auth")).send().await.unwrap()).await,
        (405, "methodNotAllowed".into())
    );
    assert_eq!(
        code(
            http.post(url("nothing"))
                .json(&json!({}))
                .send()
                .await
                .unwrap()
        )
        .await,
        (404, "notFound".into())
    );
    let charset = http
        .post(url("sign"))
        .header("Content-Type", "application/json; charset=UTF-8")
        .body(serde_json::to_vec(&sign_request()).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(code(charset).await, (415, "unsupportedMediaType".into()));
    let bad = http
        .post(url("sign"))
        .json(&json!({ "endUserIp": "127.0.0.1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(bad).await, (400, "invalidParameters".into()));
    let unknown = http
        .post(url("collect"))
        .json(&json!({ "orderRef": "00000000-0000-4000-8000-000000000000" }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(unknown).await, (400, "invalidParameters".into()));

    let client = RpClient::new(&sim.rp_config()).unwrap();
    let mut request = sign_request();
    request.requirement = Some(Requirement {
        personal_number: Some(TOLVAN.into()),
        ..Default::default()
    });
    let first = client.sign(&request).await.unwrap();
    let again = client.sign(&request).await.unwrap_err();
    assert_eq!(again.code(), Some("alreadyInProgress"));
    let c = client.collect(&first.order_ref).await.unwrap();
    assert_eq!(
        (c.status.as_str(), c.hint_code.as_deref()),
        ("failed", Some("cancelled"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bankid_failing_for_a_moment_loses_nothing() {
    let w = World::new().await;
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;

    // BankID in maintenance when signing starts: a clear message, and the upload stays.
    w.sim
        .phone(
            "fault",
            json!({ "endpoint": "sign", "status": 503, "count": 1 }),
        )
        .await;
    let (status, v) = c
        .call(
            reqwest::Method::POST,
            "/sign",
            Some(json!({ "sameDevice": true })),
        )
        .await;
    assert_eq!(status, 503);
    assert_eq!(v["message"], "Internt tekniskt fel. Försök igen.");
    let started = c.sign(true).await;

    // Collect failing once: the order goes on.
    w.sim
        .phone(
            "fault",
            json!({ "endpoint": "collect", "status": 500, "count": 1 }),
        )
        .await;
    let (status, v) = c.status().await;
    assert_eq!((status, v["status"].as_str()), (200, Some("pending")));
    let v = sign_here(&w.sim, &w.store, &c, &started, TOLVAN).await;
    assert_eq!(v["status"], "complete", "{v}");
}
