//! Load on a running gateway, for `scripts/bench-gateway`:
//!
//! - `--mode citizens` (the default): `clients` citizens at once uploading complete
//!   applications for `seconds`, each a new submission. Prints submissions per second and the
//!   upload latency (signing, a human's wait, is not part of it).
//! - `--mode junk`: four attackers at once sending 24 MB of `[0,0,…]` as an answer, again and
//!   again, while one citizen uploads; prints the junk refused and the citizen's latency.
//! - `--mode one-address`: one address uploading the largest applications the e-service takes
//!   (a fault report with two 8 MB photos) as fast as the gateway lets it; prints how many
//!   were taken and refused.

use std::sync::Arc;
use std::time::{Duration, Instant};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

/// Uploads `body` under a new key; the status, or 0 when the connection failed.
async fn upload(http: &reqwest::Client, gateway: &str, body: Vec<u8>) -> u16 {
    match http
        .post(format!("{gateway}/api/v1/submissions"))
        .header("Idempotency-Key", format!("load-{}", uuid::Uuid::new_v4()))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
    {
        Ok(r) => {
            let status = r.status().as_u16();
            let _ = r.bytes().await;
            status
        }
        Err(_) => 0,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1))
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

async fn junk(gateway: String, seconds: u64, citizen: Vec<u8>) {
    let mut body = b"{\"document\":{\"flow\":\"synpunkt\",\"answers\":{\"text\":[".to_vec();
    while body.len() < 24 * 1024 * 1024 {
        body.extend_from_slice(b"0,");
    }
    body.extend_from_slice(b"0]}}}");
    let body = Arc::new(body);
    let http = reqwest::Client::new();
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut attackers = Vec::new();
    for _ in 0..4 {
        let (http, body, gateway) = (http.clone(), body.clone(), gateway.clone());
        attackers.push(tokio::spawn(async move {
            let mut sent = 0u64;
            while Instant::now() < end {
                let status = upload(&http, &gateway, body.to_vec()).await;
                assert!(status != 201, "junk was taken");
                sent += 1;
            }
            sent
        }));
    }
    let mut latencies = Vec::new();
    while Instant::now() < end {
        let t = Instant::now();
        if upload(&http, &gateway, citizen.clone()).await == 201 {
            latencies.push(t.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut refused = 0;
    for a in attackers {
        refused += a.await.unwrap();
    }
    latencies.sort();
    println!(
        "junk_refused={refused} citizen_uploads={} citizen_p50_ms={:.1} citizen_p99_ms={:.1}",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );
}

async fn one_address(gateway: String, seconds: u64) {
    use base64::Engine;
    let path = format!(
        "{}/../forms/examples/felanmalan.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut photo = vec![0u8; 8 * 1024 * 1024];
    photo[..4].copy_from_slice(b"\xff\xd8\xff\xe0");
    let names = ["foto-1.jpg", "foto-2.jpg"];
    document["answers"]["foto"] = names
        .iter()
        .map(|n| serde_json::json!({ "name": n, "size": photo.len() }))
        .collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&photo);
    let attachments: Vec<_> = names
        .iter()
        .map(|n| serde_json::json!({ "name": n, "data": b64 }))
        .collect();
    let body = serde_json::to_vec(
        &serde_json::json!({ "document": document, "attachments": attachments }),
    )
    .unwrap();
    let http = reqwest::Client::new();
    let end = Instant::now() + Duration::from_secs(seconds);
    let (mut taken, mut limited, mut other) = (0u64, 0u64, 0u64);
    while Instant::now() < end {
        match upload(&http, &gateway, body.clone()).await {
            201 => taken += 1,
            429 => {
                limited += 1;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            _ => other += 1,
        }
    }
    println!(
        "upload_bytes={} taken={taken} rate_limited={limited} other={other}",
        body.len()
    );
}

#[tokio::main]
async fn main() {
    let gateway = arg("--gateway", "http://127.0.0.1:8080");
    let mode = arg("--mode", "citizens");
    let clients: usize = arg("--clients", "50").parse().unwrap();
    let seconds: u64 = arg("--seconds", "10").parse().unwrap();
    let example = arg("--example", "synpunkt");
    let path = format!(
        "{}/../forms/examples/{example}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let body = Arc::new(
        serde_json::to_vec(&serde_json::json!({ "document": document, "attachments": [] }))
            .unwrap(),
    );
    match mode.as_str() {
        "junk" => return junk(gateway, seconds, body.to_vec()).await,
        "one-address" => return one_address(gateway, seconds).await,
        _ => {}
    }
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    // A first upload so that fonts and the catalogue are warm, as in service.
    let warm = http
        .post(format!("{gateway}/api/v1/submissions"))
        .header("Idempotency-Key", format!("warm-{}", uuid::Uuid::new_v4()))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert!(warm.status().is_success(), "{}", warm.text().await.unwrap());
    let end = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, body, gateway) = (http.clone(), body.clone(), gateway.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < end {
                let t = Instant::now();
                let r = http
                    .post(format!("{gateway}/api/v1/submissions"))
                    .header("Idempotency-Key", format!("load-{}", uuid::Uuid::new_v4()))
                    .header("Content-Type", "application/json")
                    .body(body.to_vec())
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let _ = r.bytes().await;
                        latencies.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| percentile(&all, p);
    println!(
        "submissions={} errors={errors} per_second={:.0} p50_ms={:.1} p99_ms={:.1} max_ms={:.1}",
        all.len(),
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
}
