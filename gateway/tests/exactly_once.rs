//! One case per signed submission whatever happens around the signature: a cancel that races
//! the completion, two instances collecting one order at once, a gateway restarted with another
//! catalogue and another PDF renderer between the upload and the signature.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::*;
use etjanst_gateway::store::{Sqlite, Store};
use reqwest::Method;
use serde_json::{Value, json};

/// The citizen's app has shown the QR code; the phone opens the order and the citizen signs,
/// and the gateway has not collected since.
async fn signed_unseen(w: &World, c: &Citizen<'_>) {
    let started = c.sign(true).await;
    w.sim
        .phone(
            "autostart",
            json!({ "autoStartToken": started["autoStartToken"] }),
        )
        .await;
    for _ in 0..3 {
        c.status().await;
    }
    let order = order_of(&w.store, &c.id).await.order_ref;
    let (status, v) = w
        .sim
        .phone(
            "approve",
            json!({ "orderRef": order, "personalNumber": TOLVAN }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_after_the_citizen_signed_files_the_case_and_says_so() {
    let w = World::new().await;
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
    signed_unseen(&w, &c).await;
    // The citizen pressed "Avbryt" just as the phone said "signed": BankID has nothing left to
    // cancel, so the gateway collects once more and files what was signed.
    let (status, v) = c.call(Method::POST, "/sign/cancel", None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "complete", "{v}");
    let receipt = v["receipt"].clone();
    assert_eq!(receipt["signerName"], "Tolvan Tolvansson");
    assert_eq!(w.store.count_cases().await.unwrap(), 1);
    // Every later question gets the same receipt: never a `failed` after `complete`.
    let (_, again) = c.status().await;
    assert_eq!(again["receipt"], receipt);
    let (status, again) = c.call(Method::POST, "/sign/cancel", None).await;
    assert_eq!((status, &again["receipt"]), (200, &receipt));
    assert_eq!(w.store.count_cases().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_polling_one_order_at_once_file_one_case() {
    let w = World::new().await;
    // A second instance on the same store, as behind a load balancer.
    let second = serve(settings(&w.sim, w.store.clone()));
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
    signed_unseen(&w, &c).await;
    let other = Citizen {
        gateway: &second,
        http: &w.http,
        key: c.key.clone(),
        id: c.id.clone(),
    };
    // Many polls at once through both instances, with no interval between collects: BankID's
    // collect gives `complete` once; whoever collects second must not record it as failed.
    let mut polls = Vec::new();
    for i in 0..16 {
        let (gateway, key, id, http) = (
            if i % 2 == 0 {
                w.gateway.clone()
            } else {
                second.clone()
            },
            c.key.clone(),
            c.id.clone(),
            w.http.clone(),
        );
        polls.push(tokio::spawn(async move {
            let r = http
                .get(format!("{gateway}/api/v1/submissions/{id}/sign"))
                .bearer_auth(key)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }));
    }
    for p in polls {
        let (status, v) = p.await.unwrap();
        assert_eq!(status, 200, "{v}");
        assert_ne!(v["status"], "failed", "{v}");
    }
    let (_, v) = other.status().await;
    assert_eq!(v["status"], "complete", "{v}");
    assert_eq!(w.store.count_cases().await.unwrap(), 1);
    assert_eq!(order_of(&w.store, &c.id).await.status, "complete");
}

/// A catalogue folder holding a copy of the synpunkt e-service as flow 99001, its first
/// question named `question`.
fn catalogue_with(dir: &Path, version: u32, question: &str) -> etjanst::catalogue::Catalogue {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms/flows/synpunkt.json");
    let mut flow: Value = serde_json::from_slice(&std::fs::read(source).unwrap()).unwrap();
    flow["id"] = 99001.into();
    flow["familyId"] = 99.into();
    flow["version"] = version.into();
    flow["aliases"] = json!([]);
    flow["steps"][0]["queries"][1]["name"] = question.into();
    std::fs::create_dir_all(dir.join("flows")).unwrap();
    std::fs::write(
        dir.join("flows/synpunkt-kopia.json"),
        serde_json::to_vec(&flow).unwrap(),
    )
    .unwrap();
    etjanst::catalogue::Catalogue::open(dir).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_upgraded_between_upload_and_signature_files_what_was_uploaded() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path()).await;
    let store: Arc<dyn Store> = Arc::new(Sqlite::open(&dir.path().join("gw.sqlite")).unwrap());
    let http = reqwest::Client::new();
    let mut body: Value = serde_json::from_slice(&upload_body("synpunkt")).unwrap();
    body["document"]["flow"] = "99001".into();
    let body = serde_json::to_vec(&body).unwrap();

    let before = {
        let mut s = settings(&sim, store.clone());
        s.catalogue = catalogue_with(&dir.path().join("v1"), 1, "Vad vill du säga oss?");
        serve(s)
    };
    let c = Citizen::upload(&before, &http, body).await;

    // The municipality upgrades: a new version of the e-service (its question reworded) and a
    // new PDF renderer whose bytes differ (here: the organisation's name on the page).
    let (after, cases) = {
        let mut s = settings(&sim, store.clone());
        s.catalogue = catalogue_with(&dir.path().join("v2"), 2, "Beskriv ärendet");
        s.renderer = "etjanst-pdf/nästa".into();
        s.organisation = "Lindesbergs kommun, kontaktcenter".into();
        serve_with_cases(s)
    };
    let c = Citizen {
        gateway: &after,
        http: &http,
        key: c.key,
        id: c.id,
    };
    let started = c.sign(true).await;
    let v = sign_here(&sim, &store, &c, &started, TOLVAN).await;
    assert_eq!(v["status"], "complete", "{v}");
    let case = v["receipt"]["caseNumber"].as_str().unwrap().to_string();
    assert_eq!(store.count_cases().await.unwrap(), 1);
    let (status, xml) = case_api(&http, &cases, &format!("getinstance/{case}/xml")).await;
    assert_eq!(status, 200);
    let xml = latin1(&xml);
    assert!(
        xml.contains("Vad vill du säga oss?"),
        "filed against the version the citizen answered"
    );
    assert!(!xml.contains("Beskriv ärendet"));
}
