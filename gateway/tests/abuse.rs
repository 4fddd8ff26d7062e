//! What an attacker's uploads cost the gateway: junk JSON is refused without building it, a
//! file no answer names is not stored, and a citizen is served meanwhile. One test in its own
//! binary, so the process's peak memory is this test's alone.

mod common;

use common::*;
use serde_json::Value;

/// The process's peak resident memory so far, in MB (Linux).
fn peak_rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junk_uploads_cost_little_and_a_citizen_is_served_meanwhile() {
    let w = World::with(|s| s.max_body = 25 * 1024 * 1024).await;
    let citizen = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;

    // 24 MB of `[0,0,…]` as an answer of a real e-service: as a generic JSON tree that is 12
    // million values, hundreds of megabytes each.
    let mut junk = b"{\"document\":{\"flow\":\"synpunkt\",\"answers\":{\"text\":[".to_vec();
    while junk.len() < 24 * 1024 * 1024 {
        junk.extend_from_slice(b"0,");
    }
    junk.extend_from_slice(b"0]}}}");
    let before = peak_rss_mb();
    let mut uploads = Vec::new();
    for _ in 0..4 {
        let (http, gateway, junk) = (w.http.clone(), w.gateway.clone(), junk.clone());
        uploads.push(tokio::spawn(async move {
            let r = http
                .post(format!("{gateway}/api/v1/submissions"))
                .header("Idempotency-Key", new_key())
                .header("Content-Type", "application/json")
                .body(junk)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }));
    }
    // The citizen's status is answered while the junk arrives.
    let (status, v) = citizen.call(reqwest::Method::GET, "", None).await;
    assert_eq!(status, 200, "{v}");
    for u in uploads {
        let (status, v) = u.await.unwrap();
        assert!(status == 422 || status == 503, "{status} {v}");
    }
    let grown = peak_rss_mb().saturating_sub(before);
    println!("peak RSS grew {grown} MB for four 24 MB junk uploads");
    assert!(grown < 500, "peak RSS grew {grown} MB");

    // A 6 MB file that no answer names is refused, not stored.
    let mut body: Value = serde_json::from_slice(&upload_body("synpunkt")).unwrap();
    body["attachments"] =
        serde_json::json!([{ "name": "fyllnad.bin", "data": "A".repeat(8 * 1024 * 1024) }]);
    let r = w
        .http
        .post(format!("{}/api/v1/submissions", w.gateway))
        .header("Idempotency-Key", new_key())
        .body(serde_json::to_vec(&body).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "badAttachments", "{v}");
    assert_eq!(
        w.store.pending_bytes().await.unwrap() as usize,
        upload_body("synpunkt").len()
    );
}
