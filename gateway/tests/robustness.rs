//! Retries and load: a dropped connection mid-upload and many citizens at once still give
//! exactly one case per submission.

mod common;

use std::io::{Read, Write};
use std::sync::Arc;

use common::*;
use serde_json::Value;

/// Sends `body` as an upload over a raw socket, `cut` bytes short (0: all of it), and hangs
/// up without reading the answer: the network dying under the citizen.
fn upload_and_hang_up(gateway: &str, key: &str, body: &[u8], cut: usize) {
    let addr = gateway.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /api/v1/submissions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nIdempotency-Key: {key}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body[..body.len() - cut]).unwrap();
    if cut == 0 {
        // Let the gateway take the whole body in before the line goes dead.
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut first = [0u8; 1];
        let _ = s.read(&mut first);
    }
    drop(s);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_during_upload_is_retried_into_exactly_one_case() {
    let w = World::new().await;
    let body = felanmalan();
    let key = new_key();
    let gateway = w.gateway.clone();
    let (k, b) = (key.clone(), body.clone());
    tokio::task::spawn_blocking(move || {
        upload_and_hang_up(&gateway, &k, &b, 100);
        upload_and_hang_up(&gateway, &k, &b, 0);
    })
    .await
    .unwrap();

    // The client retries with the same key and the same bytes, twice.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = w
            .http
            .post(format!("{}/api/v1/submissions", w.gateway))
            .header("Idempotency-Key", &key)
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "the stored upload, not a new one");
        let v: Value = r.json().await.unwrap();
        ids.push(v["submissionId"].as_str().unwrap().to_string());
    }
    assert_eq!(ids[0], ids[1]);
    let c = Citizen {
        gateway: &w.gateway,
        http: &w.http,
        key,
        id: ids[0].clone(),
    };
    let started = c.sign(true).await;
    let v = sign_here(&w.sim, &w.store, &c, &started, TOLVAN).await;
    let number = v["receipt"]["caseNumber"].as_str().unwrap().to_string();
    assert_eq!(w.store.count_cases().await.unwrap(), 1);

    // The photo is in the case with the file id the gateway gave it.
    let (_, xml) = case_api(&w.http, &w.cases, &format!("getinstance/{number}/xml")).await;
    let text = latin1(&xml);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let file = doc.descendants().find(|n| n.has_tag_name("File")).unwrap();
    let id = file.children().find(|n| n.has_tag_name("ID")).unwrap();
    assert!(id.text().unwrap().trim().parse::<i64>().is_ok(), "{text}");
    assert!(file.children().any(|n| n.has_tag_name("EncodedData")));
}

/// Uploads, signs through the simulator and collects one submission; its case number.
pub async fn submit_one(w: &World, http: &reqwest::Client, body: Vec<u8>) -> String {
    let c = Citizen::upload(&w.gateway, http, body).await;
    let started = c.sign(true).await;
    let v = sign_here(&w.sim, &w.store, &c, &started, TOLVAN).await;
    v["receipt"]["caseNumber"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_submissions_make_two_hundred_cases() {
    let w = Arc::new(World::new().await);
    let http = reqwest::Client::new();
    let limit = Arc::new(tokio::sync::Semaphore::new(25));
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (w, http, limit) = (w.clone(), http.clone(), limit.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire().await.unwrap();
            let body = if i % 2 == 0 {
                upload_body("synpunkt")
            } else {
                felanmalan()
            };
            submit_one(&w, &http, body).await
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 200, "no case lost, none twice");
    assert_eq!(w.store.count_cases().await.unwrap(), 200);
    let (_, list) = case_api(&w.http, &w.cases, "getinstances/family/306").await;
    assert_eq!(latin1(&list).matches("<FlowInstance>").count(), 100);
}
