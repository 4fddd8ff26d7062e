//! A citizen submits through the gateway and signs with the BankID simulator; the
//! municipality's back-end reads the case through the Open ePlatform-compatible API.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};

async fn poll(c: &Citizen<'_>) -> Value {
    let (status, v) = c.status().await;
    assert_eq!(status, 200, "{v}");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_submission_becomes_a_case_that_an_oep_integration_reads() {
    let w = World::new().await;
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
    let started = c.sign(true).await;
    let token = started["autoStartToken"].as_str().unwrap();
    assert_eq!(
        started["autoStartUrl"],
        format!("bankid:///?autostarttoken={token}&redirect=null")
    );

    let v = poll(&c).await;
    assert_eq!(v["hintCode"], "outstandingTransaction");
    assert_eq!(v["message"], "Försöker starta BankID-appen.");
    assert!(v["qrData"].as_str().unwrap().starts_with("bankid."));

    assert_eq!(
        w.sim
            .phone("autostart", json!({ "autoStartToken": token }))
            .await
            .0,
        200
    );
    assert_eq!(poll(&c).await["hintCode"], "started");
    let v = poll(&c).await;
    assert_eq!(v["hintCode"], "started");
    assert!(
        v.get("qrData").is_none(),
        "no QR once the app has the order"
    );
    let v = poll(&c).await;
    assert_eq!(v["hintCode"], "userSign");
    assert_eq!(
        v["message"],
        "Skriv in din säkerhetskod i BankID-appen och välj Skriv under."
    );
    let (_, en) = c.call(Method::GET, "/sign?lang=en", None).await;
    assert_eq!(
        en["message"],
        "Enter your security code in the BankID app and select Sign."
    );

    let order = w.sim_order_ref(&c).await;
    assert_eq!(
        w.sim
            .phone(
                "approve",
                json!({ "orderRef": order, "personalNumber": TOLVAN })
            )
            .await
            .0,
        200
    );
    let v = poll(&c).await;
    assert_eq!(v["status"], "complete", "{v}");
    let receipt = &v["receipt"];
    assert_eq!(receipt["signerName"], "Tolvan Tolvansson");
    let case_number = receipt["caseNumber"].as_str().unwrap().to_string();
    // Polling again gives the same receipt, not a second case.
    assert_eq!(poll(&c).await["receipt"], *receipt);

    // The back-end: the family's list, the case XML, the PDF, the status.
    let (status, list) = case_api(&w.http, &w.cases, "getinstances/family/306").await;
    assert_eq!(status, 200);
    let list = latin1(&list);
    assert!(
        list.contains(&format!("<flowInstanceID>{case_number}</flowInstanceID>")),
        "{list}"
    );
    let (status, xml) =
        case_api(&w.http, &w.cases, &format!("getinstance/{case_number}/xml")).await;
    assert_eq!(status, 200);
    let text = latin1(&xml);
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"ISO-8859-1\" standalone=\"no\"?>"));
    let doc = roxmltree::Document::parse(&text).unwrap();
    let header = doc
        .root_element()
        .children()
        .find(|n| n.has_tag_name("Header"))
        .unwrap();
    assert_eq!(text_of(child(header, "FlowInstanceID")), case_number);
    assert_eq!(text_of(child(child(header, "Status"), "Name")), "Inskickat");
    let poster = child(header, "Poster");
    assert_eq!(text_of(child(poster, "Firstname")), "Tolvan");
    assert_eq!(text_of(child(poster, "Lastname")), "Tolvansson");
    assert_eq!(
        text_of(child(child(header, "Owner"), "Lastname")),
        "Tolvansson"
    );
    let events = child(doc.root_element(), "SigningEvents");
    let sign = child(events, "SignEvent");
    assert_eq!(text_of(child(child(sign, "Signer"), "Firstname")), "Tolvan");
    let values = child(doc.root_element(), "Values");
    assert!(
        text.contains("biblioteket i Lindesberg"),
        "the answers are in the case"
    );
    assert!(values.children().any(|n| n.is_element()));

    let (status, pdf) =
        case_api(&w.http, &w.cases, &format!("getinstance/{case_number}/pdf")).await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"));
    let sums = |b: &[u8]| etjanst_gateway_sha(b);
    assert_eq!(
        text_of(child(sign, "SignedChecksum")),
        sums(&pdf),
        "the signed PDF"
    );

    let (_, st) = case_api(&w.http, &w.cases, &format!("getstatus/{case_number}")).await;
    assert!(latin1(&st).contains("<contentType>SUBMITTED</contentType>"));
    let r = w
        .http
        .post(format!(
            "{}/api/instanceapi/setstatus/{case_number}",
            w.cases
        ))
        .basic_auth("x", Some(API_KEY))
        .json(&json!({ "contentType": "IN_PROGRESS" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(latin1(&r.bytes().await.unwrap()).contains("<eventID>"));
    let (_, st) = case_api(&w.http, &w.cases, &format!("getstatus/{case_number}")).await;
    assert!(latin1(&st).contains("<name>Under behandling</name>"));

    // Without the key, nothing.
    let r = w
        .http
        .get(format!(
            "{}/api/instanceapi/getinstance/{case_number}/xml",
            w.cases
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Another client without the submission's key cannot see or sign it.
    let stranger = Citizen {
        key: new_key(),
        ..c
    };
    assert_eq!(stranger.status().await.0, 404);
}

fn etjanst_gateway_sha(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

impl World {
    /// The order's reference as the simulator knows it, found through the QR code the gateway
    /// showed… or, once the app has it, from the gateway's store.
    async fn sim_order_ref(&self, c: &Citizen<'_>) -> String {
        order_of(&self.store, &c.id).await.order_ref
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_qr_code_is_animated_and_a_stale_frame_is_refused() {
    let w = World::new().await;
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
    c.sign(false).await;
    let first = poll(&c).await;
    assert_eq!(first["message"], "Starta BankID-appen.");
    let frame = first["qrData"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(3300)).await;
    let later = poll(&c).await["qrData"].as_str().unwrap().to_string();
    assert_ne!(frame, later, "a new frame each second");
    let (status, v) = w.sim.phone("scan", json!({ "qrData": frame })).await;
    assert_eq!(status, 409);
    assert!(v["error"].as_str().unwrap().contains("för gammal"), "{v}");
    assert_eq!(w.sim.phone("scan", json!({ "qrData": later })).await.0, 200);
    assert_eq!(poll(&c).await["hintCode"], "userSign");
    let order = w.sim_order_ref(&c).await;
    w.sim
        .phone(
            "approve",
            json!({ "orderRef": order, "personalNumber": "201701012393" }),
        )
        .await;
    let v = poll(&c).await;
    assert_eq!(v["receipt"]["signerName"], "Elva Elvansdotter");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_files_nothing_and_says_so() {
    let w = World::new().await;
    // The citizen presses "Avbryt" in the BankID app.
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
    c.sign(true).await;
    let order = w.sim_order_ref(&c).await;
    assert_eq!(
        w.sim.phone("cancel", json!({ "orderRef": order })).await.0,
        200
    );
    let v = poll(&c).await;
    assert_eq!(v["status"], "failed");
    assert_eq!(v["hintCode"], "userCancel");
    assert_eq!(v["message"], "Åtgärden avbruten.");

    // The citizen closes the dialog in etjanst instead.
    let d = Citizen::upload(&w.gateway, &w.http, felanmalan()).await;
    d.sign(false).await;
    let (status, v) = d.call(Method::POST, "/sign/cancel", None).await;
    assert_eq!(status, 200);
    assert!(v["message"].as_str().unwrap().contains("inte skickats in"));
    let order = w.sim_order_ref(&d).await;
    // The order is gone at BankID too: the phone can no longer approve it.
    let (status, _) = w
        .sim
        .phone(
            "approve",
            json!({ "orderRef": order, "personalNumber": TOLVAN }),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(poll(&d).await["status"], "failed");
    assert_eq!(w.store.count_cases().await.unwrap(), 0);

    // Signing may start again after a failure, with a new order.
    d.sign(false).await;
    assert_eq!(poll(&d).await["status"], "pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qr_code_never_scanned_ends_in_start_failed() {
    let w = World::new().await;
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
    c.sign(false).await;
    assert_eq!(poll(&c).await["status"], "pending");
    w.sim.phone("advance", json!({ "seconds": 31 })).await;
    let v = poll(&c).await;
    assert_eq!(v["hintCode"], "startFailed");
    assert_eq!(v["messageCode"], "RFA17B");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("Misslyckades att läsa av QR-koden.")
    );
    assert_eq!(w.store.count_cases().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_changed_after_signing_is_refused() {
    let w = World::new().await;
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
    c.sign(true).await;
    let token = order_of(&w.store, &c.id).await;
    w.sim
        .phone(
            "autostart",
            json!({ "autoStartToken": token.auto_start_token }),
        )
        .await;
    poll(&c).await;
    poll(&c).await;
    // Someone with access to the database rewrites the answers while the citizen signs.
    {
        let db = rusqlite::Connection::open(&w.db).unwrap();
        let body: Vec<u8> = db
            .query_row("SELECT body FROM submissions WHERE id = ?1", [&c.id], |r| {
                r.get(0)
            })
            .unwrap();
        let forged = String::from_utf8(body)
            .unwrap()
            .replace("Stort tack", "Inget tack");
        db.execute(
            "UPDATE submissions SET body = ?2 WHERE id = ?1",
            rusqlite::params![c.id, forged.as_bytes()],
        )
        .unwrap();
    }
    w.sim
        .phone(
            "approve",
            json!({ "orderRef": token.order_ref, "personalNumber": TOLVAN }),
        )
        .await;
    let v = poll(&c).await;
    assert_eq!(v["status"], "failed", "{v}");
    assert_eq!(v["hintCode"], "caseChanged");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("Ingenting har skickats in")
    );
    // Final: every later poll says the same, and nothing is filed or retried.
    assert_eq!(poll(&c).await, v);
    assert_eq!(w.store.count_cases().await.unwrap(), 0);
    let order = order_of(&w.store, &c.id).await;
    assert_eq!(order.status, "complete", "BankID's answer stays as it was");
    assert_eq!(order.refusal.as_deref(), Some("caseChanged"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_get_clear_json_errors() {
    let w = World::with(|s| s.max_body = 64 * 1024).await;
    let post = |key: Option<String>, body: Vec<u8>| {
        let mut r = w
            .http
            .post(format!("{}/api/v1/submissions", w.gateway))
            .header("Content-Type", "application/json")
            .body(body);
        if let Some(k) = key {
            r = r.header("Idempotency-Key", k);
        }
        r.send()
    };
    let json_of = |r: reqwest::Response| async move {
        let s = r.status().as_u16();
        (s, r.json::<Value>().await.unwrap())
    };

    let big = vec![b' '; 65 * 1024];
    let (status, v) = json_of(post(Some(new_key()), big).await.unwrap()).await;
    assert_eq!(status, 413);
    assert!(v["message"].as_str().unwrap().contains("för stor"), "{v}");

    let (status, v) = json_of(post(None, upload_body("synpunkt")).await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(v["error"], "idempotencyKey");

    let (status, v) = json_of(
        post(Some(new_key()), b"{\"document\": ".to_vec())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("Ansökan gick inte att läsa"),
        "{v}"
    );

    let incomplete = serde_json::to_vec(&json!({
        "document": { "flow": "synpunkt", "answers": { "omrade": { "selected": "kultur" } } }
    }))
    .unwrap();
    let (status, v) = json_of(post(Some(new_key()), incomplete).await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(v["error"], "incomplete");
    let details = v["details"].as_array().unwrap();
    assert!(!details.is_empty());
    // Each error names its place as the citizen knows it, and says what is wrong in Swedish.
    assert!(
        details
            .iter()
            .all(|d| d["place"].is_string() && d["message"].is_string()),
        "{v}"
    );

    let unknown =
        serde_json::to_vec(&json!({ "document": { "flow": "finns-inte", "answers": {} } }))
            .unwrap();
    let (status, v) = json_of(post(Some(new_key()), unknown).await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(v["error"], "unknownService");

    // One key, two different submissions: refused.
    let key = new_key();
    assert_eq!(
        post(Some(key.clone()), upload_body("synpunkt"))
            .await
            .unwrap()
            .status(),
        201
    );
    let (status, v) = json_of(post(Some(key), felanmalan()).await.unwrap()).await;
    assert_eq!(status, 409);
    assert_eq!(v["error"], "idempotencyKeyReused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_is_rate_limited() {
    let w = World::with(|s| s.uploads_per_minute = 2).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = w
            .http
            .post(format!("{}/api/v1/submissions", w.gateway))
            .header("Idempotency-Key", new_key())
            .body(upload_body("synpunkt"))
            .send()
            .await
            .unwrap();
        statuses.push((
            r.status().as_u16(),
            r.headers().get("Retry-After").is_some(),
        ));
    }
    assert_eq!(statuses, [(201, false), (201, false), (429, true)]);
}

/// A client whose requests reach the gateway through a proxy on its host (nginx holding TLS),
/// which appended `forwarded` to `X-Forwarded-For`.
fn through_proxy(forwarded: &str) -> reqwest::Client {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("X-Forwarded-For", forwarded.parse().unwrap());
    reqwest::Client::builder()
        .default_headers(h)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_the_proxy_each_citizen_is_counted_and_named_to_bankid() {
    let w = World::with(|s| s.uploads_per_minute = 1).await;
    let anna = through_proxy("203.0.113.5");
    let bertil = through_proxy("198.51.100.9");
    let upload = |http: reqwest::Client| {
        let url = format!("{}/api/v1/submissions", w.gateway);
        async move {
            http.post(url)
                .header("Idempotency-Key", new_key())
                .body(upload_body("synpunkt"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let c = Citizen::upload(&w.gateway, &anna, upload_body("synpunkt")).await;
    assert_eq!(
        upload(bertil).await,
        201,
        "another citizen behind the same proxy"
    );
    assert_eq!(
        upload(anna.clone()).await,
        429,
        "the first citizen's limit is used"
    );
    // What a client writes itself comes before the proxy's entry and is not believed.
    let pretender = through_proxy("192.0.2.44, 203.0.113.5");
    assert_eq!(upload(pretender).await, 429);

    let started = c.sign(false).await;
    let v = sign_here(&w.sim, &w.store, &c, &started, TOLVAN).await;
    let number: i64 = v["receipt"]["caseNumber"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let case = w.store.case(number).await.unwrap().unwrap();
    let completion: Value = serde_json::from_str(&case.completion).unwrap();
    assert_eq!(
        completion["device"]["ipAddress"], "203.0.113.5",
        "BankID was given the citizen's address, not the proxy's: {completion}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_trusted_proxy_the_forwarded_header_is_ignored() {
    let w = World::with(|s| {
        s.uploads_per_minute = 1;
        s.trusted_proxies = etjanst_gateway::api::TrustedProxies::default();
    })
    .await;
    let mut statuses = Vec::new();
    for from in ["203.0.113.5", "198.51.100.9"] {
        let r = through_proxy(from)
            .post(format!("{}/api/v1/submissions", w.gateway))
            .header("Idempotency-Key", new_key())
            .body(upload_body("synpunkt"))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [201, 429], "one address however it names itself");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_cannot_be_started_again_and_again() {
    let w = World::with(|s| s.uploads_per_minute = 2).await;
    let c = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
    for _ in 0..2 {
        c.sign(false).await;
        let (status, _) = c.call(Method::POST, "/sign/cancel", None).await;
        assert_eq!(status, 200);
    }
    let (status, v) = c
        .call(Method::POST, "/sign", Some(json!({ "sameDevice": false })))
        .await;
    assert_eq!(status, 429, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("Försök igen om"),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_applicant_can_sign() {
    let w = World::new().await;
    // Tolvan applies for ekonomiskt bistånd; Åsa, who lives with him, is the co-applicant.
    let c = Citizen::upload(&w.gateway, &w.http, ekonomiskt_bistand()).await;
    let started = c.sign(true).await;
    w.sim
        .phone(
            "autostart",
            json!({ "autoStartToken": started["autoStartToken"] }),
        )
        .await;
    for _ in 0..3 {
        poll(&c).await;
    }
    // The co-applicant's BankID can take the order (BankID is not told whose it is), but the
    // signature is not filed: it is not the applicant's.
    let order = w.sim_order_ref(&c).await;
    let (status, v) = w
        .sim
        .phone(
            "approve",
            json!({ "orderRef": order, "personalNumber": "199511242381" }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let v = poll(&c).await;
    assert_eq!(v["status"], "failed", "{v}");
    assert_eq!(v["hintCode"], "notApplicant");
    assert!(
        v["message"].as_str().unwrap().contains("sitt eget BankID"),
        "{v}"
    );
    assert_eq!(w.store.count_cases().await.unwrap(), 0);
    // The municipality sees the signature it did not file, and whose it was.
    let (status, list) = case_api_path(&w.http, &w.cases, "/api/etjanst/refused").await;
    assert_eq!(status, 200);
    let list: Value = serde_json::from_slice(&list).unwrap();
    assert_eq!(list[0]["submissionId"], c.id.as_str(), "{list}");
    assert_eq!(list[0]["refusal"], "notApplicant");
    assert_eq!(list[0]["signer"]["personalNumber"], "199511242381");

    // The applicant signs in a new order; then the co-applicant, in an order for her alone.
    let started = c.sign(true).await;
    let v = sign_here(&w.sim, &w.store, &c, &started, TOLVAN).await;
    assert_eq!(v["status"], "waiting", "{v}");
    assert_eq!(v["next"], "Medsökande", "{v}");
    assert_eq!(w.store.count_cases().await.unwrap(), 0);
    let started = c.sign(true).await;
    let v = sign_here(&w.sim, &w.store, &c, &started, "199511242381").await;
    assert_eq!(v["receipt"]["signerName"], "Tolvan Tolvansson", "{v}");
    assert_eq!(w.store.count_cases().await.unwrap(), 1);
    let (_, list) = case_api_path(&w.http, &w.cases, "/api/etjanst/refused").await;
    assert_eq!(list, b"[]", "filed after all: no longer refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn naming_a_citizen_in_a_form_cannot_keep_them_from_signing() {
    let w = World::new().await;
    let tolvan = Citizen::upload(&w.gateway, &w.http, ekonomiskt_bistand()).await;
    let started = tolvan.sign(true).await;
    w.sim
        .phone(
            "autostart",
            json!({ "autoStartToken": started["autoStartToken"] }),
        )
        .await;
    // A stranger uploads the same form naming Tolvan as applicant and starts signing again
    // and again while Tolvan's order runs (BankID would cancel an order restricted to the
    // same personal number each time).
    for _ in 0..5 {
        let stranger = Citizen::upload(&w.gateway, &w.http, ekonomiskt_bistand()).await;
        stranger.sign(false).await;
        let (_, v) = tolvan.status().await;
        assert_eq!(v["status"], "pending", "Tolvan's order goes on: {v}");
        stranger.call(Method::POST, "/sign/cancel", None).await;
    }
    let order = w.sim_order_ref(&tolvan).await;
    poll(&tolvan).await;
    let (status, v) = w
        .sim
        .phone(
            "approve",
            json!({ "orderRef": order, "personalNumber": TOLVAN }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    // Signed: the application now waits for the co-applicant.
    let v = poll(&tolvan).await;
    assert_eq!(v["status"], "waiting", "{v}");
    assert_eq!(v["signers"][0]["signed"], true, "{v}");
}

/// The case numbers of a `getinstances` list.
fn listed(list: &[u8]) -> Vec<String> {
    let text = latin1(list);
    let doc = roxmltree::Document::parse(&text).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("flowInstanceID"))
        .map(text_of)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_ends_list_cases_by_status_date_and_citizen_as_on_open_eplatform() {
    let w = World::new().await;
    let mut numbers = Vec::new();
    for _ in 0..2 {
        let c = Citizen::upload(&w.gateway, &w.http, upload_body("synpunkt")).await;
        let started = c.sign(true).await;
        let v = sign_here(&w.sim, &w.store, &c, &started, TOLVAN).await;
        numbers.push(v["receipt"]["caseNumber"].as_str().unwrap().to_string());
    }
    let (older, newer) = (numbers[0].clone(), numbers[1].clone());
    let r = w
        .http
        .post(format!("{}/api/instanceapi/setstatus/{older}", w.cases))
        .basic_auth("x", Some(API_KEY))
        .json(&json!({ "statusID": 2 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let today = chrono::Local::now().date_naive();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let (yesterday, tomorrow) = (
        day(today.pred_opt().unwrap()),
        day(today.succ_opt().unwrap()),
    );
    let list = |path: String| {
        let (http, cases) = (&w.http, &w.cases);
        async move {
            let (status, body) = case_api(http, cases, &path).await;
            assert_eq!(status, 200, "{path}: {}", latin1(&body));
            listed(&body)
        }
    };
    let both = vec![newer.clone(), older.clone()];
    assert_eq!(list("getinstances/family/306".into()).await, both);
    // The status as OeP's integrations name it, by name, content type or number.
    assert_eq!(
        list("getinstances/family/306/Inskickat".into()).await,
        std::slice::from_ref(&newer)
    );
    assert_eq!(
        list("getinstances/family/306/IN_PROGRESS".into()).await,
        std::slice::from_ref(&older)
    );
    assert_eq!(
        list("getinstances/family/306/2".into()).await,
        std::slice::from_ref(&older)
    );
    assert!(
        list("getinstances/family/306/Arkiverat".into())
            .await
            .is_empty()
    );
    let t = day(today);
    assert_eq!(
        list(format!(
            "getinstances/family/306/Inskickat?fromDate={t}&toDate={t}"
        ))
        .await,
        std::slice::from_ref(&newer)
    );
    assert!(
        list(format!("getinstances/family/306?fromDate={tomorrow}"))
            .await
            .is_empty()
    );
    assert!(
        list(format!("getinstances/family/306?toDate={yesterday}"))
            .await
            .is_empty()
    );
    assert_eq!(
        list(format!(
            "getinstances/family/306?fromDate={yesterday}&toDate="
        ))
        .await,
        both
    );
    assert!(list("getinstances/family/999".into()).await.is_empty());

    // A citizen's cases, whichever way the personnummer is written.
    let owner = "getinstances/owner/citizenidentifier";
    assert_eq!(list(format!("{owner}/19990807-2391")).await, both);
    assert_eq!(
        list(format!("{owner}/199908072391/SUBMITTED")).await,
        [newer]
    );
    assert!(list(format!("{owner}/201701012393")).await.is_empty());

    for bad in [
        format!("{owner}/19990807-2390"),
        "getinstances/family/306?fromDate=1%20december".to_string(),
    ] {
        let (status, body) = case_api(&w.http, &w.cases, &bad).await;
        assert_eq!(status, 400, "{bad}");
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert!(!v["message"].as_str().unwrap().is_empty(), "{v}");
    }
}
