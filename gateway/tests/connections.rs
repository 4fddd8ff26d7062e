//! Slow and idle clients (slowloris): a connection that sends half a header, or a body at a
//! trickle, is dropped within its deadline, and citizens are served meanwhile.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn quick(s: &mut etjanst_gateway::api::Settings) {
    s.deadlines.header = Duration::from_secs(2);
    s.deadlines.request = Duration::from_secs(2);
}

/// Reads until the server closes the connection (or 10 s pass); what it sent.
async fn until_closed(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_headers_are_dropped_and_citizens_served_meanwhile() {
    let w = World::with(quick).await;
    let address = w.gateway.trim_start_matches("http://").to_string();
    let mut slow = Vec::new();
    for i in 0..200 {
        let mut s = TcpStream::connect(&address).await.unwrap();
        s.write_all(
            format!("GET /api/v1/submissions/{i} HTTP/1.1\r\nHost: gw\r\nX-Slow: ").as_bytes(),
        )
        .await
        .unwrap();
        slow.push(s);
    }
    let opened = Instant::now();

    // A citizen uploads and is answered while the 200 wait.
    let citizen = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
    let (status, v) = citizen.call(reqwest::Method::GET, "", None).await;
    assert_eq!(status, 200, "{v}");
    assert!(opened.elapsed() < Duration::from_secs(2), "served at once");

    for s in &mut slow {
        assert!(
            until_closed(s).await.is_some(),
            "a half-sent header is dropped"
        );
    }
    let took = opened.elapsed();
    assert!(
        took < Duration::from_secs(6),
        "dropped after the 2 s header deadline, took {took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_and_a_trickled_body_are_dropped() {
    let w = World::with(quick).await;
    let address = w.gateway.trim_start_matches("http://").to_string();

    // A connection that never sends anything.
    let mut idle = TcpStream::connect(&address).await.unwrap();
    let opened = Instant::now();
    assert!(until_closed(&mut idle).await.is_some());
    assert!(opened.elapsed() < Duration::from_secs(5));

    // An upload that declares 1 000 bytes and sends ten: 408 once the deadline for that size
    // has passed, with the reason in JSON.
    let mut trickle = TcpStream::connect(&address).await.unwrap();
    trickle
        .write_all(
            concat!(
                "POST /api/v1/submissions HTTP/1.1\r\nHost: gw\r\n",
                "Idempotency-Key: test-trickle-0001\r\nContent-Type: application/json\r\n",
                "Content-Length: 1000\r\n\r\n{\"documen"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let sent = Instant::now();
    let answer = until_closed(&mut trickle).await.expect("the server closes");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"timeout\""), "{answer}");
    assert!(
        sent.elapsed() < Duration::from_secs(6),
        "{:?}",
        sent.elapsed()
    );
}
