//! `etjanst submit` as a citizen uses it: against a real gateway and the BankID simulator on
//! 127.0.0.1, the terminal's QR code scanned by the "phone", the receipt kept, the outbox used
//! when the network is gone.

mod common;
#[path = "../gateway/tests/common/settings.rs"]
mod gateway_settings;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use etjanst_gateway::api::{self, Settings};
use etjanst_gateway::bankid::RpConfig;
use etjanst_gateway::store::{Sqlite, Store};
use etjanst_gateway::{sim, tls::TestPki};
use serde_json::{Value, json};

const PASSPHRASE: &str = "korrekt häst batteri häftklammer";

struct Phone {
    url: String,
    http: reqwest::Client,
}

impl Phone {
    async fn act(&self, action: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/__sim/{action}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    phone: Phone,
    settings: Box<dyn Fn() -> Settings + Send + Sync>,
    store: Arc<dyn Store>,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let pki = TestPki::in_dir(&dir.path().join("certs")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let sim_url = format!("https://{}", listener.local_addr().unwrap());
    let pki2 = TestPki {
        dir: pki.dir.clone(),
    };
    tokio::spawn(async move { sim::serve(listener, &pki2, sim::Timings::default()).await });
    let identity = reqwest::Identity::from_pem(&std::fs::read(pki.rp_pem()).unwrap()).unwrap();
    let roots = reqwest::Certificate::from_pem_bundle(&std::fs::read(pki.ca()).unwrap()).unwrap();
    let http = reqwest::Client::builder()
        .tls_certs_only(roots)
        .identity(identity)
        .build()
        .unwrap();
    let store: Arc<dyn Store> = Arc::new(Sqlite::open(&dir.path().join("gw.sqlite")).unwrap());
    let config = RpConfig {
        base_url: format!("{sim_url}/rp/v6.0"),
        certificate: pki.rp_pem(),
        certificate_password: None,
        root: pki.ca(),
    };
    let store2 = store.clone();
    let settings = move || Settings {
        max_body: 1 << 20,
        // The command line polls once a second, as the apps do.
        collect_interval: Duration::from_millis(200),
        ..gateway_settings::test_settings(&config, store2.clone(), "nyckel")
    };
    let data = dir.path().join("medborgare");
    Setup {
        data,
        _dir: dir,
        phone: Phone { url: sim_url, http },
        settings: Box::new(settings),
        store,
    }
}

fn serve_on(listener: TcpListener, settings: Settings) -> String {
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { api::serve(listener, settings).await });
    url
}

/// `etjanst` with its output read line by line as it comes.
fn spawn(data: &Path, args: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_etjanst"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("ETJANST_PASSPHRASE", PASSPHRASE)
        .env("ETJANST_SCRYPT_LOG_N", "10")
        .env_remove("ETJANST_DATA_DIR")
        .env_remove("ETJANST_GATEWAY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx2.send(format!("stderr: {line}"));
        }
    });
    (child, rx)
}

/// The next line containing `what`, and every line read until then.
async fn wait_for(rx: &mpsc::Receiver<String>, what: &str, seen: &mut Vec<String>) -> String {
    for _ in 0..300 {
        while let Ok(line) = rx.try_recv() {
            seen.push(line.clone());
            if line.contains(what) {
                return line;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {what:?} in {seen:#?}");
}

async fn finish(mut child: Child, rx: &mpsc::Receiver<String>, seen: &mut Vec<String>) -> i32 {
    let code = tokio::task::spawn_blocking(move || child.wait().unwrap().code().unwrap())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    seen.extend(rx.try_iter());
    code
}

/// Scans the QR code the terminal shows and approves as Tolvan.
async fn scan_and_approve(phone: &Phone, rx: &mpsc::Receiver<String>, seen: &mut Vec<String>) {
    scan_and_approve_as(phone, rx, seen, "199908072391").await;
}

async fn scan_and_approve_as(
    phone: &Phone,
    rx: &mpsc::Receiver<String>,
    seen: &mut Vec<String>,
    personal_number: &str,
) {
    let order = scan(phone, rx, seen).await;
    let (status, v) = phone
        .act(
            "approve",
            json!({ "orderRef": order, "personalNumber": personal_number }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
}

/// Scans the QR code the terminal shows, until BankID asks for the security code; the order.
async fn scan(phone: &Phone, rx: &mpsc::Receiver<String>, seen: &mut Vec<String>) -> String {
    let line = wait_for(rx, "QR: bankid.", seen).await;
    let frame = line.trim_start_matches("QR: ");
    let (status, v) = phone.act("scan", json!({ "qrData": frame })).await;
    assert_eq!(status, 200, "{v}");
    let order = v["orderRef"].as_str().unwrap().to_string();
    wait_for(rx, "säkerhetskod", seen).await;
    order
}

/// The example answers of `flow` saved as a draft; its id.
fn save_draft(data: &Path, flow: &str) -> String {
    let (code, out) = run(
        data,
        &[
            "draft",
            "save",
            flow,
            "--answers",
            &common::example_path(flow),
        ],
    );
    assert_eq!(code, 0, "{out}");
    out.trim().to_string()
}

fn run(data: &Path, args: &[&str]) -> (i32, String) {
    let out = common::etjanst_with(data, PASSPHRASE, &[], args);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_is_submitted_signed_and_only_then_removed() {
    let s = setup().await;
    let gateway = serve_on(TcpListener::bind("127.0.0.1:0").unwrap(), (s.settings)());
    let draft = save_draft(&s.data, "synpunkt");

    let (child, rx) = spawn(
        &s.data,
        &["submit", "--draft", &draft, "--gateway", &gateway],
    );
    let mut seen = Vec::new();
    wait_for(&rx, "Kontrollsumman", &mut seen).await;
    wait_for(&rx, "bankid:///?autostarttoken=", &mut seen).await;
    // The QR code is drawn in the terminal with Unicode blocks.
    wait_for(&rx, "█", &mut seen).await;
    wait_for(&rx, "Starta BankID-appen.", &mut seen).await;
    scan_and_approve(&s.phone, &rx, &mut seen).await;
    assert_eq!(finish(child, &rx, &mut seen).await, 0, "{seen:#?}");
    let text = seen.join("\n");
    assert!(text.contains("Ansökan är inskickad."), "{text}");
    assert!(
        text.contains("Underskriven av: Tolvan Tolvansson"),
        "{text}"
    );
    let number = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Ärendenummer: "))
        .unwrap()
        .to_string();
    let case = s
        .store
        .case(number.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&case.xml).contains("Tolvansson"));

    // The draft is gone, the receipt is kept (encrypted) and the outbox is empty.
    let (_, drafts) = run(&s.data, &["draft", "list"]);
    assert!(!drafts.contains(&draft), "{drafts}");
    let (_, receipts) = run(&s.data, &["receipts"]);
    assert!(
        receipts.contains(&format!("Ärendenummer: {number}")),
        "{receipts}"
    );
    assert!(receipts.contains("Lämna synpunkt eller klagomål"));
    let (_, outbox) = run(&s.data, &["outbox", "list"]);
    assert!(outbox.contains("Inga ansökningar väntar"), "{outbox}");

    // The copy of what was sent is kept with the receipt, sealed: saved, it reads as sent.
    let copy = s.data.join("kopia.pdf");
    let (code, out) = run(
        &s.data,
        &["receipts", "--copy", &number, "-o", copy.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{out}");
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&copy)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout);
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words(&text).contains("hjälpte min pappa att lära sig använda surfplattan"),
        "{text}"
    );
    let (code, out) = run(&s.data, &["receipts", "--copy", "999999", "-o", "x.pdf"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("Inget kvitto har ärendenummer 999999"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_network_the_application_waits_encrypted_and_is_sent_later() {
    let s = setup().await;
    // The gateway's address, with nothing listening on it yet.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let gateway = format!("http://127.0.0.1:{port}");
    let answers = common::example_path("synpunkt");
    let (code, out) = run(
        &s.data,
        &[
            "submit",
            "synpunkt",
            "--answers",
            &answers,
            "--gateway",
            &gateway,
        ],
    );
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("väntar på att skickas"), "{out}");
    let (_, outbox) = run(&s.data, &["outbox", "list"]);
    assert!(outbox.contains("väntar på att skickas"), "{outbox}");
    assert!(outbox.contains("1 försök"), "{outbox}");
    // Waiting in the outbox is not waiting in plain text.
    for entry in common::walk(&s.data) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("biblioteket i Lindesberg"),
            "{}",
            entry.display()
        );
        assert!(!text.contains("karin.lindqvist"), "{}", entry.display());
    }

    // The network is back.
    serve_on(
        TcpListener::bind(("127.0.0.1", port)).unwrap(),
        (s.settings)(),
    );
    let (child, rx) = spawn(&s.data, &["outbox", "send"]);
    let mut seen = Vec::new();
    scan_and_approve(&s.phone, &rx, &mut seen).await;
    assert_eq!(finish(child, &rx, &mut seen).await, 0, "{seen:#?}");
    assert_eq!(s.store.count_cases().await.unwrap(), 1);
    let (_, outbox) = run(&s.data, &["outbox", "list"]);
    assert!(outbox.contains("Inga ansökningar väntar"), "{outbox}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_signature_submits_nothing_and_keeps_the_application() {
    let s = setup().await;
    let gateway = serve_on(TcpListener::bind("127.0.0.1:0").unwrap(), (s.settings)());
    let answers = common::example_path("synpunkt");
    let (child, rx) = spawn(
        &s.data,
        &[
            "submit",
            "synpunkt",
            "--answers",
            &answers,
            "--gateway",
            &gateway,
        ],
    );
    let mut seen = Vec::new();
    let line = wait_for(&rx, "QR: bankid.", &mut seen).await;
    let (_, v) = s
        .phone
        .act("scan", json!({ "qrData": line.trim_start_matches("QR: ") }))
        .await;
    s.phone
        .act("cancel", json!({ "orderRef": v["orderRef"] }))
        .await;
    assert_eq!(finish(child, &rx, &mut seen).await, 1, "{seen:#?}");
    let text = seen.join("\n");
    assert!(text.contains("Åtgärden avbruten."), "{text}");
    assert!(text.contains("Ansökan har inte skickats in"), "{text}");
    assert_eq!(s.store.count_cases().await.unwrap(), 0);
    let (_, outbox) = run(&s.data, &["outbox", "list"]);
    assert!(outbox.contains("väntar på underskrift"), "{outbox}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incomplete_application_is_stopped_before_anything_is_sent() {
    let s = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("svar.json");
    std::fs::write(
        &answers,
        r#"{"flow": "synpunkt", "answers": {"omrade": {"selected": "kultur"}}}"#,
    )
    .unwrap();
    let (code, out) = run(
        &s.data,
        &[
            "submit",
            "synpunkt",
            "--answers",
            answers.to_str().unwrap(),
            "--gateway",
            "http://127.0.0.1:9",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("inte komplett"), "{out}");
    assert!(!out.contains("väntar på att skickas"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_applicant_is_named_and_only_their_bankid_signs() {
    let s = setup().await;
    let gateway = serve_on(TcpListener::bind("127.0.0.1:0").unwrap(), (s.settings)());
    let answers = common::example_path("forskoleplats");
    let (child, rx) = spawn(
        &s.data,
        &[
            "submit",
            "forskoleplats",
            "--answers",
            &answers,
            "--gateway",
            &gateway,
        ],
    );
    let mut seen = Vec::new();
    // The first guardian applies; the second is named in the form but does not sign.
    wait_for(&rx, "skrivs under av sökanden, 19920505-2385,", &mut seen).await;
    let order = scan(&s.phone, &rx, &mut seen).await;
    let approve = |pnr: &'static str| {
        let order = order.clone();
        let phone = &s.phone;
        async move {
            phone
                .act(
                    "approve",
                    json!({ "orderRef": order, "personalNumber": pnr }),
                )
                .await
                .0
        }
    };
    // The other guardian's BankID can take the order, but the gateway files nothing that is
    // not the applicant's signature, and the citizen is told why.
    assert_eq!(approve("199306102394").await, 200, "the other guardian");
    wait_for(&rx, "sitt eget BankID", &mut seen).await;
    assert_eq!(finish(child, &rx, &mut seen).await, 1, "{seen:#?}");
    assert_eq!(s.store.count_cases().await.unwrap(), 0);

    // The applicant signs from the outbox, in a new order, and then the second guardian on
    // this same computer (`--here`), in an order for him alone.
    let (child, rx) = spawn(&s.data, &["outbox", "send", "--here"]);
    let mut seen = Vec::new();
    scan_and_approve_as(&s.phone, &rx, &mut seen, "199205052385").await;
    wait_for(&rx, "Nu ska Vårdnadshavare 2 skriva under", &mut seen).await;
    let order = scan(&s.phone, &rx, &mut seen).await;
    let (status, _) = s
        .phone
        .act(
            "approve",
            json!({ "orderRef": order, "personalNumber": "199205052385" }),
        )
        .await;
    assert_eq!(status, 409, "the first guardian cannot sign for the second");
    let (status, v) = s
        .phone
        .act(
            "approve",
            json!({ "orderRef": order, "personalNumber": "199306102394" }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(finish(child, &rx, &mut seen).await, 0, "{seen:#?}");
    let text = seen.join("\n");
    assert!(text.contains("Ansökan är inskickad."), "{text}");
    assert!(text.contains("Åsa Öberg (Sökande)"), "{text}");
    assert!(text.contains("Jonas Öberg (Vårdnadshavare 2)"), "{text}");
    assert_eq!(s.store.count_cases().await.unwrap(), 1);
    let (_, receipts) = run(&s.data, &["receipts"]);
    assert!(
        receipts.contains("Åsa Öberg (Sökande), Jonas Öberg (Vårdnadshavare 2)"),
        "{receipts}"
    );
}

/// The answers of ekonomiskt bistånd and the two files they attach, in a folder of their own.
fn ekonomiskt_bistand(dir: &Path) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("kontoutdrag-september-november.pdf"),
        b"%PDF-1.7 kontoutdrag",
    )
    .unwrap();
    std::fs::write(dir.join("hyresavi-december.pdf"), b"%PDF-1.7 hyresavi").unwrap();
    let answers = dir.join("ekonomiskt-bistand.json");
    std::fs::copy(common::example_path("ekonomiskt-bistand"), &answers).unwrap();
    answers.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_co_applicant_signs_later_on_her_own_computer_with_the_code() {
    let s = setup().await;
    let gateway = serve_on(TcpListener::bind("127.0.0.1:0").unwrap(), (s.settings)());
    let answers = ekonomiskt_bistand(&s.data.with_file_name("papper"));
    let (child, rx) = spawn(
        &s.data,
        &[
            "submit",
            "ekonomiskt-bistand",
            "--answers",
            &answers,
            "--gateway",
            &gateway,
        ],
    );
    let mut seen = Vec::new();
    scan_and_approve(&s.phone, &rx, &mut seen).await;
    let line = wait_for(&rx, "underskriftskoden:", &mut seen).await;
    let code = line.rsplit(' ').next().unwrap().to_string();
    assert_eq!(code.len(), 19, "{line}");
    assert_eq!(finish(child, &rx, &mut seen).await, 3, "{seen:#?}");
    assert_eq!(s.store.count_cases().await.unwrap(), 0);
    let (_, list) = run(&s.data, &["outbox", "list"]);
    assert!(
        list.contains("väntar på att Medsökande skriver under"),
        "{list}"
    );

    // Åsa, on her own computer (another data folder, nothing of Tolvan's in it), identifies,
    // reads what he signed, and signs.
    let hers = s.data.with_file_name("asas-dator");
    let (child, rx) = spawn(
        &hers,
        &["sign", &code.to_lowercase(), "--gateway", &gateway, "--yes"],
    );
    let mut seen = Vec::new();
    wait_for(&rx, "Du ska skriva under som Medsökande", &mut seen).await;
    scan_and_approve_as(&s.phone, &rx, &mut seen, "199511242381").await;
    wait_for(&rx, "Öberg-Ławniczak", &mut seen).await;
    scan_and_approve_as(&s.phone, &rx, &mut seen, "199511242381").await;
    assert_eq!(finish(child, &rx, &mut seen).await, 0, "{seen:#?}");
    let text = seen.join("\n");
    assert!(text.contains("Ansökan är inskickad."), "{text}");
    assert!(text.contains("Åsa Öberg-Ławniczak (Medsökande)"), "{text}");
    assert!(text.contains("Tolvan Tolvansson (Sökande)"), "{text}");
    assert_eq!(s.store.count_cases().await.unwrap(), 1);

    // Tolvan's computer collects the receipt: the outbox is empty, the receipt kept.
    let (code, out) = run(&s.data, &["outbox", "send", "--wait"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Ansökan är inskickad."), "{out}");
    let (_, list) = run(&s.data, &["outbox", "list"]);
    assert!(!list.contains("Ekonomiskt"), "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_signature_is_told_to_the_applicant_and_the_draft_stays() {
    let s = setup().await;
    let gateway = serve_on(TcpListener::bind("127.0.0.1:0").unwrap(), (s.settings)());
    let draft = save_draft(&s.data, "forskoleplats");
    let (child, rx) = spawn(
        &s.data,
        &["submit", "--draft", &draft, "--gateway", &gateway],
    );
    let mut seen = Vec::new();
    scan_and_approve_as(&s.phone, &rx, &mut seen, "199205052385").await;
    let line = wait_for(&rx, "underskriftskoden:", &mut seen).await;
    let code = line.rsplit(' ').next().unwrap().to_string();
    assert_eq!(finish(child, &rx, &mut seen).await, 3, "{seen:#?}");

    let his = s.data.with_file_name("jonas-dator");
    let (child, rx) = spawn(&his, &["sign", &code, "--gateway", &gateway, "--decline"]);
    let mut seen = Vec::new();
    scan_and_approve_as(&s.phone, &rx, &mut seen, "199306102394").await;
    wait_for(&rx, "har avböjt", &mut seen).await;
    assert_eq!(finish(child, &rx, &mut seen).await, 0, "{seen:#?}");

    let (code, out) = run(&s.data, &["outbox", "send"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Vårdnadshavare 2 har avböjt att skriva under"),
        "{out}"
    );
    assert!(out.contains("Utkastet finns kvar"), "{out}");
    let (_, list) = run(&s.data, &["outbox", "list"]);
    assert!(!list.contains("rskoleplats"), "{list}");
    let (_, drafts) = run(&s.data, &["draft", "list"]);
    assert!(drafts.contains(&draft), "{drafts}");
    assert_eq!(s.store.count_cases().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_lost_on_the_way_is_collected_later_and_the_case_filed_once() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let s = setup().await;
    let gateway = serve_on(TcpListener::bind("127.0.0.1:0").unwrap(), (s.settings)());
    let cutting = Arc::new(AtomicBool::new(true));
    let proxy = etjanst_gateway::faults::receipt_cutting_proxy(&gateway, cutting.clone()).await;
    let draft = save_draft(&s.data, "synpunkt");

    let (mut child, rx) = spawn(&s.data, &["submit", "--draft", &draft, "--gateway", &proxy]);
    let mut seen = Vec::new();
    scan_and_approve(&s.phone, &rx, &mut seen).await;
    // The case is filed; the answers carrying the receipt are cut, and the citizen closes the
    // laptop.
    for _ in 0..100 {
        if s.store.count_cases().await.unwrap() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(s.store.count_cases().await.unwrap(), 1);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap();
    let _ = child.wait();
    seen.extend(rx.try_iter());
    assert!(
        !seen.iter().any(|l| l.contains("Ansökan är inskickad.")),
        "{seen:#?}"
    );
    let (_, drafts) = run(&s.data, &["draft", "list"]);
    assert!(
        drafts.contains(&draft),
        "nothing is lost meanwhile: {drafts}"
    );

    // Back on a good network, the citizen does the natural thing: submits the draft again.
    cutting.store(false, Ordering::SeqCst);
    let (child, rx) = spawn(&s.data, &["submit", "--draft", &draft, "--gateway", &proxy]);
    let mut seen = Vec::new();
    assert_eq!(finish(child, &rx, &mut seen).await, 0, "{seen:#?}");
    let text = seen.join("\n");
    assert!(text.contains("väntar redan i utkorgen"), "{text}");
    assert!(text.contains("Ansökan är inskickad."), "{text}");
    assert_eq!(s.store.count_cases().await.unwrap(), 1, "one case, not two");
    let (_, receipts) = run(&s.data, &["receipts"]);
    assert!(receipts.contains("Tolvan Tolvansson"), "{receipts}");
    let (_, drafts) = run(&s.data, &["draft", "list"]);
    assert!(!drafts.contains(&draft), "{drafts}");
    let (_, outbox) = run(&s.data, &["outbox", "list"]);
    assert!(outbox.contains("Inga ansökningar väntar"), "{outbox}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attached_file_is_sent_with_its_own_size_whatever_the_answers_file_said() {
    let s = setup().await;
    let gateway = serve_on(TcpListener::bind("127.0.0.1:0").unwrap(), (s.settings)());
    // The answers file says the photo is 1 843 200 bytes; the photo on disk is smaller.
    let folder = s.data.parent().unwrap().join("felanmalan");
    std::fs::create_dir_all(&folder).unwrap();
    let answers = folder.join("felanmalan.json");
    std::fs::copy(common::example_path("felanmalan"), &answers).unwrap();
    let photo = b"\xff\xd8\xff\xe0 ett foto av gatan i kvallsljus";
    std::fs::write(folder.join("prastgatan-kvall.jpg"), photo).unwrap();
    let (child, rx) = spawn(
        &s.data,
        &[
            "submit",
            "felanmalan",
            "--answers",
            answers.to_str().unwrap(),
            "--gateway",
            &gateway,
        ],
    );
    let mut seen = Vec::new();
    scan_and_approve(&s.phone, &rx, &mut seen).await;
    assert_eq!(finish(child, &rx, &mut seen).await, 0, "{seen:#?}");
    assert_eq!(s.store.count_cases().await.unwrap(), 1);
    let number = seen
        .iter()
        .find_map(|l| l.trim().strip_prefix("Ärendenummer: "))
        .unwrap();
    let case = s
        .store
        .case(number.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let xml = String::from_utf8_lossy(&case.xml).to_string();
    assert!(
        xml.contains(&format!("<Size>{}</Size>", photo.len())),
        "the case names the size sent: {xml}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_whose_second_signer_never_signs_expires_and_the_draft_stays() {
    let s = setup().await;
    let gateway = serve_on(
        TcpListener::bind("127.0.0.1:0").unwrap(),
        Settings {
            pending_ttl: Duration::from_secs(2),
            ..(s.settings)()
        },
    );
    let draft = save_draft(&s.data, "forskoleplats");
    let (child, rx) = spawn(
        &s.data,
        &["submit", "--draft", &draft, "--gateway", &gateway],
    );
    let mut seen = Vec::new();
    scan_and_approve_as(&s.phone, &rx, &mut seen, "199205052385").await;
    wait_for(&rx, "underskriftskoden:", &mut seen).await;
    assert_eq!(finish(child, &rx, &mut seen).await, 3, "{seen:#?}");
    // The gateway's time for the others runs out; asked next, the applicant's computer says so.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (code, out) = run(&s.data, &["outbox", "send"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("väntade för länge på underskrifter"), "{out}");
    assert!(out.contains("Utkastet finns kvar"), "{out}");
    let (_, list) = run(&s.data, &["outbox", "list"]);
    assert!(!list.contains("rskoleplats"), "{list}");
    let (_, drafts) = run(&s.data, &["draft", "list"]);
    assert!(drafts.contains(&draft), "{drafts}");
    assert_eq!(s.store.count_cases().await.unwrap(), 0);
}
