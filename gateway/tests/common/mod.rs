//! A BankID simulator and a gateway on 127.0.0.1 in the test's own runtime, with the clients a
//! test needs: the citizen's app (plain HTTP to the gateway) and the citizen's BankID app (the
//! simulator's control endpoints, over mutual TLS like every RP call).
#![allow(dead_code)]

pub mod settings;
pub mod signers;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use etjanst_gateway::api::{self, Settings};
use etjanst_gateway::bankid::RpConfig;
use etjanst_gateway::store::{Sqlite, Store};
use etjanst_gateway::{sim, tls::TestPki};
use serde_json::{Value, json};

pub const API_KEY: &str = "nyckel-for-kommunens-arendesystem";
pub const TOLVAN: &str = "199908072391";

pub struct Sim {
    pub url: String,
    pub pki: TestPki,
    pub phone: reqwest::Client,
}

impl Sim {
    pub async fn start(dir: &Path) -> Sim {
        Sim::start_with(dir, sim::Timings::default()).await
    }

    pub async fn start_with(dir: &Path, timings: sim::Timings) -> Sim {
        let pki = TestPki::in_dir(&dir.join("bankid-certs")).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let pki2 = TestPki {
            dir: pki.dir.clone(),
        };
        tokio::spawn(async move { sim::serve(listener, &pki2, timings).await.unwrap() });
        let phone = mtls_client(&pki);
        Sim { url, pki, phone }
    }

    pub fn rp_config(&self) -> RpConfig {
        RpConfig {
            base_url: format!("{}/rp/v6.0", self.url),
            certificate: self.pki.rp_pem(),
            certificate_password: None,
            root: self.pki.ca(),
        }
    }

    /// The citizen's BankID app does `action` (`autostart`, `scan`, `approve`, `cancel`, …).
    pub async fn phone(&self, action: &str, body: Value) -> (u16, Value) {
        let r = self
            .phone
            .post(format!("{}/__sim/{action}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

pub fn mtls_client(pki: &TestPki) -> reqwest::Client {
    let identity = reqwest::Identity::from_pem(&std::fs::read(pki.rp_pem()).unwrap()).unwrap();
    let roots = reqwest::Certificate::from_pem_bundle(&std::fs::read(pki.ca()).unwrap()).unwrap();
    reqwest::Client::builder()
        .tls_certs_only(roots)
        .identity(identity)
        .build()
        .unwrap()
}

pub fn settings(sim: &Sim, store: Arc<dyn Store>) -> Settings {
    settings::test_settings(&sim.rp_config(), store, API_KEY)
}

/// Serves a gateway's citizen API; its base URL.
pub fn serve(settings: Settings) -> String {
    serve_with_cases(settings).0
}

/// Serves a gateway: the citizens' base URL and the case API's, each on its own port.
pub fn serve_with_cases(settings: Settings) -> (String, String) {
    let citizens = TcpListener::bind("127.0.0.1:0").unwrap();
    let cases = TcpListener::bind("127.0.0.1:0").unwrap();
    let urls = (
        format!("http://{}", citizens.local_addr().unwrap()),
        format!("http://{}", cases.local_addr().unwrap()),
    );
    tokio::spawn(async move {
        api::serve_with_cases(citizens, Some(cases), settings)
            .await
            .unwrap()
    });
    urls
}

pub struct World {
    pub dir: tempfile::TempDir,
    pub sim: Sim,
    pub gateway: String,
    /// The case API's base URL (its own listener).
    pub cases: String,
    pub store: Arc<dyn Store>,
    pub db: PathBuf,
    pub http: reqwest::Client,
}

impl World {
    pub async fn new() -> World {
        World::with(|_| {}).await
    }

    pub async fn with(tweak: impl FnOnce(&mut Settings)) -> World {
        let dir = tempfile::tempdir().unwrap();
        let sim = Sim::start(dir.path()).await;
        let db = dir.path().join("gateway.sqlite");
        let store: Arc<dyn Store> = Arc::new(Sqlite::open(&db).unwrap());
        let mut s = settings(&sim, store.clone());
        tweak(&mut s);
        let (gateway, cases) = serve_with_cases(s);
        World {
            dir,
            sim,
            gateway,
            cases,
            store,
            db,
            http: reqwest::Client::new(),
        }
    }
}

/// An answers document from `forms/examples/` as an upload body.
pub fn upload_body(example: &str) -> Vec<u8> {
    upload_body_with(example, &[])
}

/// The same with attached files' content (base64 in the upload).
pub fn upload_body_with(example: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let attachments: Vec<Value> = files
        .iter()
        .map(|(name, data)| json!({ "name": name, "data": b64.encode(data) }))
        .collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../forms/examples")
        .join(format!("{example}.json"));
    let mut document: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    // The answers declare each file's size, which the gateway checks against what is sent.
    for answer in document["answers"].as_object_mut().unwrap().values_mut() {
        for file in answer.as_array_mut().into_iter().flatten() {
            if let Some((_, data)) = files.iter().find(|(name, _)| file["name"] == *name) {
                file["size"] = data.len().into();
            }
        }
    }
    serde_json::to_vec(&json!({ "document": document, "attachments": attachments })).unwrap()
}

/// The photo `forms/examples/felanmalan.json` attaches.
pub fn felanmalan() -> Vec<u8> {
    upload_body_with(
        "felanmalan",
        &[(
            "prastgatan-kvall.jpg",
            b"\xff\xd8\xff\xe0 ett foto av gatan",
        )],
    )
}

/// Tolvan's application for ekonomiskt bistånd from `forms/examples/`, with the statement and
/// the rent notice it attaches; Åsa, who lives with him, is the co-applicant.
pub fn ekonomiskt_bistand() -> Vec<u8> {
    upload_body_with(
        "ekonomiskt-bistand",
        &[
            (
                "kontoutdrag-september-november.pdf",
                b"%PDF-1.7 kontoutdrag",
            ),
            ("hyresavi-december.pdf", b"%PDF-1.7 hyresavi"),
        ],
    )
}

/// The BankID order a submission has, as the gateway stored it.
pub async fn order_of(
    store: &Arc<dyn Store>,
    submission_id: &str,
) -> etjanst_gateway::store::Order {
    store
        .submission(submission_id)
        .await
        .unwrap()
        .unwrap()
        .order
        .unwrap()
}

pub fn new_key() -> String {
    format!("test-{}", uuid::Uuid::new_v4())
}

/// The citizen's app: one gateway and one submission's key.
pub struct Citizen<'a> {
    pub gateway: &'a str,
    pub http: &'a reqwest::Client,
    pub key: String,
    pub id: String,
}

impl<'a> Citizen<'a> {
    pub async fn upload(gateway: &'a str, http: &'a reqwest::Client, body: Vec<u8>) -> Citizen<'a> {
        let key = new_key();
        let r = http
            .post(format!("{gateway}/api/v1/submissions"))
            .header("Idempotency-Key", &key)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
        let v: Value = r.json().await.unwrap();
        Citizen {
            gateway,
            http,
            key,
            id: v["submissionId"].as_str().unwrap().to_string(),
        }
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut r = self
            .http
            .request(
                method,
                format!("{}/api/v1/submissions/{}{path}", self.gateway, self.id),
            )
            .bearer_auth(&self.key);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn sign(&self, same_device: bool) -> Value {
        let (status, v) = self
            .call(
                reqwest::Method::POST,
                "/sign",
                Some(json!({ "sameDevice": same_device })),
            )
            .await;
        assert_eq!(status, 200, "{v}");
        v
    }

    pub async fn status(&self) -> (u16, Value) {
        self.call(reqwest::Method::GET, "/sign", None).await
    }
}

/// The municipality's back-end reading the case API.
pub async fn case_api(http: &reqwest::Client, cases: &str, path: &str) -> (u16, Vec<u8>) {
    let r = http
        .get(format!("{cases}/api/instanceapi/{path}"))
        .basic_auth("arendesystem", Some(API_KEY))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

/// Any path of the case API's listener, with the key.
pub async fn case_api_path(http: &reqwest::Client, cases: &str, path: &str) -> (u16, Vec<u8>) {
    let r = http
        .get(format!("{cases}{path}"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

/// Latin-1 bytes as text.
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

/// The citizen opens BankID on this computer through the order's autostart token, the app
/// polls until BankID waits for the security code, and the citizen signs as `personal_number`.
/// The gateway's last answer.
pub async fn sign_here(
    sim: &Sim,
    store: &Arc<dyn Store>,
    c: &Citizen<'_>,
    started: &Value,
    personal_number: &str,
) -> Value {
    sim.phone(
        "autostart",
        json!({ "autoStartToken": started["autoStartToken"] }),
    )
    .await;
    for _ in 0..3 {
        c.status().await;
    }
    let order = order_of(store, &c.id).await;
    let (status, v) = sim
        .phone(
            "approve",
            json!({ "orderRef": order.order_ref, "personalNumber": personal_number }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    c.status().await.1
}

/// The steps both stores must take alike: 6 a minute (10 s apart), 3 at once.
pub async fn limit_steps(store: &dyn Store) {
    let (cost, tolerance) = (10_000, 20_000);
    for _ in 0..3 {
        assert_eq!(
            store.take_limit("k", 0, cost, tolerance).await.unwrap(),
            Ok(())
        );
    }
    assert_eq!(
        store.take_limit("k", 0, cost, tolerance).await.unwrap(),
        Err(10_000)
    );
    assert_eq!(
        store.take_limit("k", 0, 0, tolerance).await.unwrap(),
        Err(10_000),
        "a check sees it"
    );
    assert_eq!(
        store
            .take_limit("k", 10_000, cost, tolerance)
            .await
            .unwrap(),
        Ok(())
    );
    assert_eq!(
        store.take_limit("other", 0, cost, tolerance).await.unwrap(),
        Ok(())
    );
    assert_eq!(store.purge_limits(50_000).await.unwrap(), 2);
}

/// The child element `name` of a case XML element.
pub fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
    n.children()
        .find(|c| c.has_tag_name(name))
        .unwrap_or_else(|| panic!("no {name}"))
}

/// An element's text, trimmed.
pub fn text_of(n: roxmltree::Node<'_, '_>) -> String {
    n.text().unwrap_or_default().trim().to_string()
}
