//! Signed updates, end to end: the real window, a copy of the app's program, and an update
//! server on 127.0.0.1 over TLS with a test CA. A package whose bytes do not match its
//! signature is refused and the program is left as it was; the genuine one replaces the
//! program and the app restarts into it, with the draft that was being filled saved and
//! closed first.

mod common;

use std::io::Cursor;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::{ENTER, PASSPHRASE, SERIAL, launch, launch_program};
use etjanst_gateway::tls::TestPki;
use rustls::pki_types::pem::PemObject;

const NEW_VERSION: &str = "9.9.9";
/// The development key's password: public like the key (packaging/updater/README.md).
const DEV_KEY_PASSWORD: &str = "etjanst-dev";
const NOTES: &str =
    "Nu kan du skriva ut blanketter direkt.\nRättat: sökningen hittar fler e-tjänster.";

/// The update server's one release, and whether it serves it with one byte changed.
struct Release {
    package: Vec<u8>,
    signature: String,
    tampered: AtomicBool,
    base: String,
}

async fn announcement(State(r): State<Arc<Release>>) -> impl IntoResponse {
    let entry = serde_json::json!({
        "signature": r.signature,
        "url": format!("{}/etjanst-{NEW_VERSION}", r.base),
    });
    axum::Json(serde_json::json!({
        "version": NEW_VERSION,
        "notes": NOTES,
        "pub_date": "2026-12-01T09:00:00Z",
        "platforms": { "linux-x86_64": entry },
    }))
}

async fn package(State(r): State<Arc<Release>>) -> impl IntoResponse {
    let mut bytes = r.package.clone();
    if r.tampered.load(Ordering::SeqCst) {
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x20;
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream")],
        bytes,
    )
}

/// Signs `bytes` for `version` with the development key the debug build trusts (the
/// configuration's `plugins.updater.pubkey`), as `tauri signer sign` does: the trusted
/// comment names the version, and the whole is base64 of minisign's text.
fn sign(bytes: &[u8], version: &str) -> String {
    let key_file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/updater/dev-signing.key");
    let key_text = String::from_utf8(
        B64.decode(std::fs::read_to_string(key_file).unwrap().trim())
            .unwrap(),
    )
    .unwrap();
    let sk = minisign::SecretKeyBox::from_string(&key_text)
        .unwrap()
        .into_secret_key(Some(DEV_KEY_PASSWORD.into()))
        .unwrap();
    let trusted = format!("timestamp:1764579600\tfile:etjanst-{version}\tversion:{version}");
    let sig = minisign::sign(
        None,
        &sk,
        Cursor::new(bytes),
        Some(&trusted),
        Some("signature from tauri secret key"),
    )
    .unwrap();
    B64.encode(sig.to_string())
}

async fn serve(pki: &TestPki, release: Arc<Release>, listener: std::net::TcpListener) {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let certs = rustls::pki_types::CertificateDer::pem_file_iter(pki.server_cert())
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_file(pki.server_key()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let app = Router::new()
        .route("/latest.json", get(announcement))
        .route(&format!("/etjanst-{NEW_VERSION}"), get(package))
        .with_state(release);
    listener.set_nonblocking(true).unwrap();
    let tls = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config));
    tokio::spawn(async move {
        axum_server::from_tcp_rustls(listener, tls)
            .serve(app.into_make_service_with_connect_info::<SocketAddr>())
            .await
            .unwrap();
    });
}

fn running(program: &Path) -> bool {
    std::process::Command::new("pgrep")
        .args(["-f", program.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

async fn until(what: &str, mut f: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "{what}: not within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_update_is_refused_and_a_signed_one_installed() {
    let _one = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let saves = dir.path().join("saves");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&saves).unwrap();
    // The update replaces the running program: a copy of the test build, not the build.
    let program: PathBuf = dir.path().join("app").join("etjanst-desktop");
    std::fs::create_dir_all(program.parent().unwrap()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_etjanst-desktop"), &program).unwrap();
    let before = std::fs::read(&program).unwrap();

    // The "new version": a real program (an update must be one), which exits at once when
    // the app restarts into it.
    let package = std::fs::read("/usr/bin/true").unwrap();
    let pki = TestPki::in_dir(&dir.path().join("pki")).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let release = Arc::new(Release {
        signature: sign(&package, NEW_VERSION),
        package: package.clone(),
        tampered: AtomicBool::new(true),
        base: base.clone(),
    });
    serve(&pki, release.clone(), listener).await;

    // The citizen said yes to updates earlier; none was looked for yet.
    std::fs::write(data.join("desktop.json"), r#"{"updates": true}"#).unwrap();
    let url = format!("{base}/latest.json");
    let ca = pki.ca().to_str().unwrap().to_string();
    let app = launch_program(
        &program,
        &data,
        &saves,
        &[("ETJANST_UPDATE_URL", &url), ("ETJANST_UPDATE_CA", &ca)],
    )
    .await;

    // A form being filled in when the new version is announced.
    app.type_into("#search", "gatubelysning").await;
    app.click_text("button", "Felanmälan gata, park och belysning")
        .await;
    app.click_text("button", "Fyll i").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.type_into("#passphrase-again", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Felet").await;
    app.click("#q-2101-210102").await;
    app.type_into("#q-2103-210301", "Drottninggatan 3").await;
    app.saved().await;
    app.with_text(
        "h2",
        &format!("En ny version av etjanst finns: {NEW_VERSION}"),
    )
    .await;
    app.click_text("button", "Läs vad som är nytt").await;
    app.heading("Om etjanst").await;
    app.with_text("h3", &format!("Version {NEW_VERSION} finns"))
        .await;
    app.with_text("p", "Nu kan du skriva ut blanketter direkt.")
        .await;
    app.shot("update").await;
    app.axe("about with an update").await;

    // Tampered on the way: refused, said so, and the program untouched.
    app.click("#update-install").await;
    app.with_text("p", "inte undertecknad av etjanst").await;
    assert!(
        std::fs::read(&program).unwrap() == before,
        "a tampered update changed the program"
    );
    assert!(
        running(&program),
        "the app stopped after refusing an update"
    );

    // The genuine package: installed, and the app restarts into it.
    release.tampered.store(false, Ordering::SeqCst);
    // The install may restart the app before WebDriver has answered the click: what happened
    // is checked below, on the program file and the process, not on that answer.
    let _ = app.find("#update-install").await.click().await;
    until("the signed update installed", || {
        std::fs::read(&program).is_ok_and(|b| b == package)
    })
    .await;
    until("the app restarted into the new version", || {
        !running(&program)
    })
    .await;
    app.quit().await;

    // What was typed is in the draft, closed cleanly: no "a draft was open" offer.
    let app = launch(&data, &saves).await;
    app.click_text("button", "Mina utkast").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Mina utkast").await;
    // The offer would come with the list; give it the time it takes.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !app.present_text("h2", "Ett utkast var öppet").await,
        "the draft was left open by the update"
    );
    app.click_text("button", "Fortsätt").await;
    app.heading("Felet").await;
    assert_eq!(app.value("#q-2103-210301").await, "Drottninggatan 3");
    app.quit().await;
}
