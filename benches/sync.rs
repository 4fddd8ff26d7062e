//! A full sync of 600 e-services with icons (and blankett probes) from a loopback server.
//! Goal: under 1 s.

#[path = "../tests/common/http.rs"]
mod http;

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use etjanst::catalogue::index::Index;
use etjanst::catalogue::sync::{self, CancelHandle, SyncOptions, SyncOutcome};
use http::{Route, Server};

const SUNDSVALL: &[u8] = include_bytes!("../tests/fixtures/oep/catalogue-getflows-sundsvall.json");

fn serve_600() -> Server {
    let server = Server::start();
    let text: String = SUNDSVALL.iter().map(|&b| b as char).collect();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let base = doc["Flows"].as_array().unwrap();
    let flows: Vec<serde_json::Value> = (0..600)
        .map(|i| {
            let mut f = base[i % base.len()].clone();
            f["ID"] = (10_000 + i).into();
            f["Icon"] = format!("{}/oversikt/icon/{}", server.url, 10_000 + i).into();
            server.route(
                &format!("/oversikt/icon/{}", 10_000 + i),
                Route {
                    content_type: "image/png".into(),
                    body: b"\x89PNG\r\n\x1a\n".repeat(200),
                    ..Default::default()
                },
            );
            f
        })
        .collect();
    let json = serde_json::json!({ "Flows": flows }).to_string();
    server.route(
        "/api/v1/getflows/json",
        Route {
            content_type: "text/xml; charset=ISO-8859-1".into(),
            body: json.chars().map(|c| c as u32 as u8).collect(),
            ..Default::default()
        },
    );
    server
}

fn bench(c: &mut Criterion) {
    let server = serve_600();
    let run = || {
        let dir = tempfile::tempdir().unwrap();
        let mut index = Index::open(dir.path()).unwrap();
        let outcome = sync::sync(
            &mut index,
            &server.url,
            "Bänkkommun",
            &SyncOptions::default(),
            &mut |_| {},
            &CancelHandle::default(),
        )
        .unwrap();
        assert!(matches!(
            outcome,
            SyncOutcome::Updated {
                services: 600,
                icons: 600,
                ..
            }
        ));
    };
    let t = Instant::now();
    run();
    println!(
        "full sync of 600 e-services with icons and blankett probes: {:?}",
        t.elapsed()
    );
    let mut group = c.benchmark_group("sync");
    group.sample_size(10);
    group.bench_function("full sync of 600 e-services with icons", |b| b.iter(run));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
