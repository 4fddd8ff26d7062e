//! Load on a running gateway: `clients` citizens at once uploading complete applications for
//! `seconds`, each a new submission. Prints submissions per second and the upload latency
//! (signing, a human's wait, is not part of it). Used by `scripts/bench-gateway`.

use std::sync::Arc;
use std::time::{Duration, Instant};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

#[tokio::main]
async fn main() {
    let gateway = arg("--gateway", "http://127.0.0.1:8080");
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
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "submissions={} errors={errors} per_second={:.0} p50_ms={:.1} p99_ms={:.1} max_ms={:.1}",
        all.len(),
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
}
