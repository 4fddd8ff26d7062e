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

#[test]
fn a_signed_bundle_installs_and_a_tampered_or_foreign_one_is_refused() {
    let admin = tempfile::tempdir().unwrap();
    let secret = admin.path().join("nyckel.txt");
    let keygen = etjanst(
        admin.path(),
        &["bundle", "keygen", "-o", secret.to_str().unwrap()],
    );
    assert!(keygen.status.success());
    let public = String::from_utf8_lossy(&keygen.stdout).trim().to_string();
    let file = admin.path().join("paket.json");
    let flows = flows_dir(admin.path());
    let built = etjanst(
        admin.path(),
        &[
            "bundle",
            "build",
            "--flows",
            flows.to_str().unwrap(),
            "--key",
            secret.to_str().unwrap(),
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let good = std::fs::read(&file).unwrap();

    let server = Server::start();
    server.route(
        "/api/v1/getflows/json",
        Route {
            content_type: "text/xml; charset=ISO-8859-1".into(),
            body: SUNDSVALL.to_vec(),
            ..Default::default()
        },
    );
    server.route(
        "/paket",
        Route {
            content_type: "application/json".into(),
            body: good.clone(),
            ..Default::default()
        },
    );
    let citizen = tempfile::tempdir().unwrap();
    let sync = |key: &str| {
        etjanst(
            citizen.path(),
            &[
                "sync",
                "--site",
                &server.url,
                "--no-icons",
                "--no-blanketter",
                "--bundle",
                &format!("{}/paket", server.url),
                "--key",
                key,
            ],
        )
    };
    let ok = sync(&public);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let shown = etjanst(citizen.path(), &["show", "paketflode"]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("Synpunkter via paket"));
    assert!(
        etjanst(citizen.path(), &["show", "2217"]).status.success(),
        ".oeflow in the bundle"
    );

    // One flipped byte in the payload: refused, and the installed bundle stays.
    let mut tampered = good.clone();
    let text = String::from_utf8(tampered.clone()).unwrap();
    let at = text.find("\"payload\": \"").unwrap() + 40;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    server.route(
        "/paket",
        Route {
            content_type: "application/json".into(),
            body: tampered,
            ..Default::default()
        },
    );
    let refused = sync(&public);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("signatur"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(
        etjanst(citizen.path(), &["show", "paketflode"])
            .status
            .success(),
        "old bundle kept"
    );

    // Signed with another key: refused as well.
    server.route(
        "/paket",
        Route {
            content_type: "application/json".into(),
            body: good,
            ..Default::default()
        },
    );
    let (_, other_public) = bundle::keygen();
    let foreign = sync(&other_public);
    assert_eq!(foreign.status.code(), Some(1));
    assert!(
        etjanst(citizen.path(), &["show", "paketflode"])
            .status
            .success()
    );
}

/// Signs an arbitrary payload the way `bundle build` does.
fn signed(payload: &serde_json::Value) -> (Vec<u8>, ed25519_dalek::VerifyingKey) {
    let (secret, _) = bundle::keygen();
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
}

#[test]
fn build_refuses_a_broken_flow() {
    let dir = tempfile::tempdir().unwrap();
    let flows = flows_dir(dir.path());
    std::fs::write(flows.join("trasig.json"), "{\"id\": \"x\", ").unwrap();
    let (secret, _) = bundle::keygen();
    let err = bundle::build(&flows, None, &secret, "nu").err().unwrap();
    assert!(err.to_string().contains("trasig.json"), "{err}");
}
