//! Limits that mean something: the case API on its own listener, guessing its key slowed, polls
//! limited per submission, and the per-address limits counted in the store (so they hold across
//! instances) and per IPv6 /64.

mod common;

use std::sync::Arc;

use common::*;

async fn get_case_api(http: &reqwest::Client, url: &str, key: &str) -> reqwest::Response {
    http.get(format!("{url}/api/instanceapi/getinstances/family/306"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_the_case_api_key_is_slowed_and_the_citizens_are_served_meanwhile() {
    let w = World::with(|s| s.failed_logins_per_minute = 5).await;

    // The case API is not on the citizens' listener at all.
    let r = get_case_api(&w.http, &w.gateway, API_KEY).await;
    assert_eq!(r.status(), 404);
    // On its own, with the key: answered, and never kept by a cache.
    let r = get_case_api(&w.http, &w.cases, API_KEY).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");

    let mut statuses = Vec::new();
    for guess in 0..8 {
        let r = get_case_api(&w.http, &w.cases, &format!("gissning-{guess:024}")).await;
        assert_eq!(r.headers()["cache-control"], "no-store");
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    // Refused before the key is looked at: the right key from this address waits too.
    let r = get_case_api(&w.http, &w.cases, API_KEY).await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");

    // Citizens are not touched by it.
    let citizen = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
    let (status, v) = citizen.call(reqwest::Method::GET, "", None).await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_are_limited_per_submission() {
    let w = World::with(|s| s.polls_per_minute = 30).await;
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
    c.sign(false).await;
    // A third of a minute's polls at once, then 429 with the time to wait.
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(c.status().await);
    }
    let answered = statuses.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(answered, 10, "{statuses:?}");
    let (status, v) = statuses.last().unwrap();
    assert_eq!(*status, 429, "{v}");
    assert_eq!(v["error"], "tooManyRequests");
    // Another submission polls on.
    let other = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
    other.sign(false).await;
    assert_eq!(other.status().await.0, 200);
}

/// An upload from `client` as the proxy in front of `gateway` names it.
async fn upload_from(http: &reqwest::Client, gateway: &str, client: &str) -> u16 {
    http.post(format!("{gateway}/api/v1/submissions"))
        .header("Idempotency-Key", new_key())
        .header("X-Forwarded-For", client)
        .body(upload_body("synpunkt"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limits_hold_across_instances_and_count_an_ipv6_network_as_one() {
    let w = World::with(|s| s.uploads_per_minute = 3).await;
    // A second instance on the same store, behind the same load balancer.
    let second = serve({
        let mut s = settings(&w.sim, w.store.clone());
        s.uploads_per_minute = 3;
        s
    });
    let http = &w.http;
    assert_eq!(upload_from(http, &w.gateway, "203.0.113.5").await, 201);
    assert_eq!(upload_from(http, &second, "203.0.113.5").await, 201);
    assert_eq!(upload_from(http, &w.gateway, "203.0.113.5").await, 201);
    assert_eq!(
        upload_from(http, &second, "203.0.113.5").await,
        429,
        "the fourth, whichever instance it reaches"
    );
    assert_eq!(upload_from(http, &second, "203.0.113.6").await, 201);

    // Addresses of one /64 (one home network, where a device picks addresses at will).
    for i in 1..=3 {
        let from = format!("2001:db8:5:6::{i:x}");
        assert_eq!(upload_from(http, &w.gateway, &from).await, 201);
    }
    assert_eq!(
        upload_from(http, &second, "2001:db8:5:6:ffff:1:2:3").await,
        429
    );
    assert_eq!(upload_from(http, &second, "2001:db8:5:7::1").await, 201);
}

#[tokio::test]
async fn a_store_limit_allows_the_burst_then_says_how_long_to_wait() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn etjanst_gateway::store::Store> =
        Arc::new(etjanst_gateway::store::Sqlite::open(&dir.path().join("g.sqlite")).unwrap());
    limit_steps(&*store).await;
}

#[test]
fn a_case_api_key_shorter_than_128_bits_is_refused_with_how_to_make_one() {
    use etjanst_gateway::api::weak_api_key;
    for weak in [
        "hemlig",
        "bench",
        &"a".repeat(64),
        "0123456789abcdef0123456789abcde",
    ] {
        let why = weak_api_key(weak).unwrap_or_else(|| panic!("{weak} passed"));
        assert!(why.contains("etjanst-gateway api-key"), "{why}");
    }
    for strong in [
        "3f9c2a7be1d04c58a6f1e9b27d30c4a5",
        "q8Zt3-Lm_9Xw2Rb7Kp4Nv6",
        API_KEY,
    ] {
        assert_eq!(weak_api_key(strong), None, "{strong}");
    }
}
