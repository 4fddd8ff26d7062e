//! Signed catalogue bundles: built by an administrator, fetched over HTTP, refused unless the
//! municipality's key signed exactly these bytes.

mod common;

use std::path::Path;

use base64::Engine;
use common::etjanst;
use common::http::{Route, Server};
use ed25519_dalek::Signer;
use etjanst::catalogue::bundle::{self, BundleError};

const SUNDSVALL: &[u8] = include_bytes!("fixtures/oep/catalogue-getflows-sundsvall.json");

fn flows_dir(dir: &Path) -> std::path::PathBuf {
    let flows = dir.join("flows");
    std::fs::create_dir_all(flows.join("blanketter")).unwrap();
    let mut flow: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/forms/flows/synpunkt.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    flow["id"] = 4242.into();
    flow["name"] = "Synpunkter via paket".into();
    flow["aliases"] = serde_json::json!(["paketflode"]);
    std::fs::write(flows.join("paketflode.json"), flow.to_string()).unwrap();
    std::fs::copy(
        format!("{}/forms/flows/eldstad.oeflow", env!("CARGO_MANIFEST_DIR")),
        flows.join("eldstad.oeflow"),
    )
    .unwrap();
    std::fs::write(flows.join("blanketter/ansokan.pdf"), b"%PDF-1.4 blankett").unwrap();
    flows
}

fn keygen(admin: &Path, file: &str) -> (std::path::PathBuf, String) {
    let secret = admin.join(file);
    let out = etjanst(admin, &["bundle", "keygen", "-o", secret.to_str().unwrap()]);
    assert!(out.status.success());
    (
        secret,
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

fn build(admin: &Path, flows: &Path, secret: &Path, site: &str) -> Vec<u8> {
    build_with(admin, flows, secret, site, &[])
}

fn build_with(admin: &Path, flows: &Path, secret: &Path, site: &str, extra: &[&str]) -> Vec<u8> {
    let file = admin.join("paket.json");
    let mut args = vec![
        "bundle",
        "build",
        "--flows",
        flows.to_str().unwrap(),
        "--site",
        site,
        "--key",
        secret.to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let built = etjanst(admin, &args);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    std::fs::read(&file).unwrap()
}

fn serve(server: &Server, body: Vec<u8>) {
    server.route(
        "/paket",
        Route {
            content_type: "application/json".into(),
            body,
            ..Default::default()
        },
    );
}

fn site_server() -> Server {
    let server = Server::start();
    server.route(
        "/api/v1/getflows/json",
        Route {
            content_type: "text/xml; charset=ISO-8859-1".into(),
            body: SUNDSVALL.to_vec(),
            ..Default::default()
        },
    );
    server
}

fn sync(citizen: &Path, server: &Server, key: &str, extra: &[&str]) -> std::process::Output {
    let url = format!("{}/paket", server.url);
    let mut args = vec![
        "sync",
        "--site",
        &server.url,
        "--no-icons",
        "--no-blanketter",
        "--bundle",
        &url,
        "--key",
        key,
    ];
    args.extend_from_slice(extra);
    etjanst(citizen, &args)
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn shown(citizen: &Path, flow: &str) -> String {
    String::from_utf8_lossy(&etjanst(citizen, &["show", flow]).stdout).into_owned()
}

#[test]
fn a_signed_bundle_installs_and_a_tampered_or_foreign_one_is_refused() {
    let admin = tempfile::tempdir().unwrap();
    let (secret, public) = keygen(admin.path(), "nyckel.txt");
    let server = site_server();
    let flows = flows_dir(admin.path());
    let good = build(admin.path(), &flows, &secret, &server.url);
    serve(&server, good.clone());
    let citizen = tempfile::tempdir().unwrap();
    let ok = sync(citizen.path(), &server, &public, &[]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(shown(citizen.path(), "paketflode").contains("Synpunkter via paket"));
    assert!(
        etjanst(citizen.path(), &["show", "2217"]).status.success(),
        ".oeflow in the bundle"
    );
    // The same bundle again is no change, not a refusal.
    let again = sync(citizen.path(), &server, &public, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(String::from_utf8_lossy(&again.stdout).contains("oförändrat"));

    // One flipped byte in the payload: refused, and the installed bundle stays.
    let mut tampered = good.clone();
    let text = String::from_utf8(tampered.clone()).unwrap();
    let at = text.find("\"payload\": \"").unwrap() + 40;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    serve(&server, tampered);
    let refused = sync(citizen.path(), &server, &public, &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("signatur"),
        "{}",
        stderr(&refused)
    );
    assert!(
        shown(citizen.path(), "paketflode").contains("Synpunkter via paket"),
        "old bundle kept"
    );

    // A bundle signed by another key, given with that key: the pinned key is not swapped
    // silently.
    serve(&server, good);
    let (_, other_public) = bundle::keygen().unwrap();
    let swapped = sync(citizen.path(), &server, &other_public, &[]);
    assert_eq!(swapped.status.code(), Some(2));
    assert!(
        stderr(&swapped).contains("--replace-key"),
        "{}",
        stderr(&swapped)
    );
    let foreign = sync(citizen.path(), &server, &other_public, &["--replace-key"]);
    assert_eq!(
        foreign.status.code(),
        Some(1),
        "signed with the old key: refused"
    );
    assert!(shown(citizen.path(), "paketflode").contains("Synpunkter via paket"));
}

/// The flows of a bundle whose ekonomiskt-bistand flow names the attacker's postal address.
fn attacker_flows(dir: &Path, version: &str) -> std::path::PathBuf {
    let flows = dir.join(format!("flows-{version}"));
    std::fs::create_dir_all(&flows).unwrap();
    let mut flow: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/forms/flows/ekonomiskt-bistand.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    flow["contact"]["postalAddress"] = serde_json::json!([format!("ATTACKER {version}")]);
    std::fs::write(flows.join("ekonomiskt-bistand.json"), flow.to_string()).unwrap();
    let mut own: serde_json::Value = flow.clone();
    own["id"] = 4343.into();
    own["aliases"] = serde_json::json!([format!("paket-{version}")]);
    own["name"] = format!("Paketets e-tjänst {version}").into();
    std::fs::write(flows.join("egen.json"), own.to_string()).unwrap();
    flows
}

#[test]
fn old_or_foreign_bundles_and_embedded_ids_cannot_mislead() {
    let admin = tempfile::tempdir().unwrap();
    let (secret, public) = keygen(admin.path(), "nyckel.txt");
    let server = site_server();
    let v1 = build(
        admin.path(),
        &attacker_flows(admin.path(), "v1"),
        &secret,
        &server.url,
    );
    // Built a second later, so that it is newer.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let v2 = build(
        admin.path(),
        &attacker_flows(admin.path(), "v2"),
        &secret,
        &server.url,
    );
    let elsewhere = build(
        admin.path(),
        &attacker_flows(admin.path(), "annan"),
        &secret,
        "https://other-municipality.example",
    );
    let citizen = tempfile::tempdir().unwrap();
    serve(&server, v2);
    let ok = sync(citizen.path(), &server, &public, &[]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(shown(citizen.path(), "paket-v2").contains("Paketets e-tjänst v2"));
    // A bundle flow never takes the place of an embedded one.
    let embedded = etjanst(citizen.path(), &["show", "ekonomiskt-bistand"]);
    assert!(!String::from_utf8_lossy(&embedded.stdout).contains("ATTACKER"));
    let pdf = citizen.path().join("blank.pdf");
    let out = etjanst(
        citizen.path(),
        &[
            "pdf",
            "ekonomiskt-bistand",
            "--blank",
            "-o",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ersätts inte"),
        "a warning says so: {}",
        stderr(&out)
    );

    // The older bundle, validly signed: refused, the newer one stays.
    serve(&server, v1);
    let old = sync(citizen.path(), &server, &public, &[]);
    assert_eq!(old.status.code(), Some(1));
    assert!(stderr(&old).contains("inte nyare"), "{}", stderr(&old));
    assert!(shown(citizen.path(), "paket-v2").contains("v2"));
    assert!(etjanst(citizen.path(), &["show", "paket-v1"]).status.code() == Some(2));

    // Signed by the same key for another site: refused.
    serve(&server, elsewhere);
    let foreign = sync(citizen.path(), &server, &public, &[]);
    assert_eq!(foreign.status.code(), Some(1));
    assert!(
        stderr(&foreign).contains("other-municipality.example"),
        "{}",
        stderr(&foreign)
    );
    assert!(shown(citizen.path(), "paket-v2").contains("v2"));
}

#[test]
fn a_failed_install_leaves_nothing_that_loads() {
    let admin = tempfile::tempdir().unwrap();
    let (secret, public) = keygen(admin.path(), "nyckel.txt");
    let server = site_server();
    serve(
        &server,
        build(admin.path(), &flows_dir(admin.path()), &secret, &server.url),
    );
    let citizen = tempfile::tempdir().unwrap();
    let bad = sync(citizen.path(), &server, &public, &["--name", "!!!"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--name"), "{}", stderr(&bad));
    let bundles = citizen.path().join("bundles");
    assert!(
        !bundles.exists() || std::fs::read_dir(&bundles).unwrap().next().is_none(),
        "nothing written"
    );
    // A half-written folder from an interrupted install is never read.
    let half = bundles.join(".ny-avbruten");
    std::fs::create_dir_all(&half).unwrap();
    std::fs::copy(
        flows_dir(admin.path()).join("paketflode.json"),
        half.join("paketflode.json"),
    )
    .unwrap();
    assert_eq!(
        etjanst(citizen.path(), &["show", "paketflode"])
            .status
            .code(),
        Some(2)
    );
}

/// Signs an arbitrary payload the way `bundle build` does.
fn signed(payload: &serde_json::Value) -> (Vec<u8>, ed25519_dalek::VerifyingKey) {
    let (secret, _) = bundle::keygen().unwrap();
    let seed: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(secret)
        .unwrap()
        .try_into()
        .unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let bytes = serde_json::to_vec(payload).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let env = serde_json::json!({
        "etjanstBundle": 1,
        "payload": b64.encode(&bytes),
        "signature": b64.encode(key.sign(&bytes).to_bytes()),
    });
    (serde_json::to_vec(&env).unwrap(), key.verifying_key())
}

#[test]
fn even_a_signed_bundle_cannot_escape_its_folder_or_carry_a_broken_flow() {
    let b64 = base64::engine::general_purpose::STANDARD;
    let file = |path: &str, data: &[u8]| {
        use sha2::Digest;
        serde_json::json!({"path": path, "sha256": hex::encode(sha2::Sha256::digest(data)), "data": b64.encode(data)})
    };
    let (escape, key) = signed(
        &serde_json::json!({"site": null, "created": "nu", "files": [file("../../utanfor.json", b"{}")]}),
    );
    assert!(matches!(
        bundle::verify(&escape, &key),
        Err(BundleError::BadFile(_))
    ));
    let (broken, key) = signed(
        &serde_json::json!({"site": null, "created": "nu", "files": [file("trasig.json", b"{\"id\": ")]}),
    );
    assert!(matches!(
        bundle::verify(&broken, &key),
        Err(BundleError::BadFlow { .. })
    ));
    let (lying, key) = signed(
        &serde_json::json!({"site": null, "created": "nu", "files": [
        {"path": "a.pdf", "sha256": "00", "data": b64.encode(b"%PDF")}]}),
    );
    assert!(matches!(
        bundle::verify(&lying, &key),
        Err(BundleError::BadFile(_))
    ));
    assert!(matches!(
        bundle::verify(b"inget paket", &key),
        Err(BundleError::NotABundle)
    ));
    // Names that mean another folder on some system.
    for path in [
        "C:/win/abs.txt",
        "a\\..\\..\\win.txt",
        "/etc/x.json",
        "./a.json",
        "a//b.pdf",
        "a b.pdf",
        "",
    ] {
        let (bytes, key) = signed(
            &serde_json::json!({"site": null, "created": "nu", "files": [file(path, b"x")]}),
        );
        assert!(
            matches!(bundle::verify(&bytes, &key), Err(BundleError::BadFile(_))),
            "{path:?}"
        );
    }
}

#[test]
fn build_refuses_a_broken_flow() {
    let dir = tempfile::tempdir().unwrap();
    let flows = flows_dir(dir.path());
    std::fs::write(flows.join("trasig.json"), "{\"id\": \"x\", ").unwrap();
    let (secret, _) = bundle::keygen().unwrap();
    let err = bundle::build(&flows, None, None, &secret, "nu")
        .err()
        .unwrap();
    assert!(err.to_string().contains("trasig.json"), "{err}");
}

#[test]
fn the_signed_bundle_names_where_its_applications_are_sent() {
    let admin = tempfile::tempdir().unwrap();
    let (secret, public) = keygen(admin.path(), "nyckel.txt");
    let server = site_server();
    let flows = flows_dir(admin.path());
    let gateway = "https://etjanst.lindesberg.se/inlamning";
    serve(
        &server,
        build_with(
            admin.path(),
            &flows,
            &secret,
            &server.url,
            &["--gateway", gateway],
        ),
    );
    let citizen = tempfile::tempdir().unwrap();
    let ok = sync(citizen.path(), &server, &public, &[]);
    assert!(ok.status.success(), "{}", stderr(&ok));

    let mut c = etjanst::catalogue::Catalogue::open(citizen.path()).unwrap();
    let can_send = |c: &etjanst::catalogue::Catalogue, name: &str| {
        c.capabilities(c.service(name).unwrap()).submit_online
    };
    assert_eq!(c.gateway("paketflode"), Some(gateway), "by alias too");
    assert!(can_send(&c, "paketflode"));
    // The embedded e-services' site names no gateway: they are printed and posted.
    assert_eq!(c.gateway("synpunkt"), None);
    assert!(!can_send(&c, "synpunkt"));
    // A tester's setting sends every fillable e-service to the gateway tried.
    c.set_gateway_override(Some("http://127.0.0.1:8080".into()));
    assert_eq!(c.gateway("synpunkt"), Some("http://127.0.0.1:8080"));
    assert!(can_send(&c, "synpunkt"));

    // On the command line, an e-service without a gateway says what to do instead.
    let answers = format!(
        "{}/forms/examples/synpunkt.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = common::etjanst_with(
        citizen.path(),
        "en lång lösenfras för testet",
        &[],
        &["submit", "synpunkt", "--answers", &answers],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("etjanst pdf"), "{}", stderr(&out));
}

#[test]
fn a_gateway_that_would_send_applications_in_clear_is_refused() {
    use etjanst::catalogue::gateway_address;
    assert_eq!(
        gateway_address(" https://etjanst.lindesberg.se/ ").unwrap(),
        "https://etjanst.lindesberg.se"
    );
    for local in [
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:8080",
    ] {
        assert!(gateway_address(local).is_ok(), "{local}");
    }
    for clear in [
        "http://etjanst.lindesberg.se",
        "http://192.0.2.7:8080",
        "ftp://etjanst.lindesberg.se",
        "etjanst.lindesberg.se",
    ] {
        let e = gateway_address(clear).unwrap_err();
        assert!(e.contains("https://"), "{clear}: {e}");
    }

    // Not in a bundle the administrator builds…
    let admin = tempfile::tempdir().unwrap();
    let (secret, _) = keygen(admin.path(), "nyckel.txt");
    let flows = flows_dir(admin.path());
    let out = etjanst(
        admin.path(),
        &[
            "bundle",
            "build",
            "--flows",
            flows.to_str().unwrap(),
            "--site",
            "https://etjanst.lindesberg.se",
            "--gateway",
            "http://etjanst.lindesberg.se",
            "--key",
            secret.to_str().unwrap(),
            "-o",
            admin.path().join("p.json").to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("https://"), "{}", stderr(&out));
    // …nor in one signed by other means.
    let (bytes, key) = signed(&serde_json::json!({
        "site": "https://etjanst.lindesberg.se",
        "created": "2026-12-03T10:00:00Z",
        "gateway": "http://192.0.2.7",
        "files": [],
    }));
    assert!(matches!(
        bundle::verify(&bytes, &key),
        Err(BundleError::BadGateway(_))
    ));
}
