//! Signed catalogue bundles: the fillable flows (JSON and `.oeflow`), blanketter and icons a
//! municipality publishes, in one file signed with its Ed25519 key. The app is configured with
//! the public key per site and refuses a bundle whose signature or contents do not verify,
//! keeping the one it had.
//!
//! File format (JSON): `{"etjanstBundle": 1, "payload": base64, "signature": base64}`; the
//! signature covers the payload bytes exactly. The payload is JSON:
//! `{"site": …, "created": …, "files": [{"path", "sha256", "data"}]}`.

use std::path::{Path, PathBuf};

use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::flow;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("paketet är inte ett etjanst-paket")]
    NotABundle,
    #[error("paketets signatur stämmer inte med kommunens nyckel; det gamla paketet behålls")]
    BadSignature,
    #[error("ogiltig nyckel: {0}")]
    BadKey(String),
    #[error("filen {0} i paketet är skadad; det gamla paketet behålls")]
    BadFile(String),
    #[error("e-tjänsten {path} i paketet: {message}")]
    BadFlow { path: String, message: String },
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    etjanst_bundle: u32,
    payload: String,
    signature: String,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    site: Option<String>,
    created: String,
    files: Vec<File>,
}

#[derive(Serialize, Deserialize)]
struct File {
    path: String,
    sha256: String,
    data: String,
}

/// A verified bundle's files: (relative path, bytes).
pub struct Bundle {
    pub site: Option<String>,
    pub files: Vec<(String, Vec<u8>)>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> BundleError + '_ {
    move |e| BundleError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// A new key pair: (secret key file content, public key), both base64.
pub fn keygen() -> (String, String) {
    let mut seed = [0u8; 32];
    // The OS random source is the only acceptable one for a signing key.
    getrandom::fill(&mut seed).expect("the operating system's random source works");
    let key = SigningKey::from_bytes(&seed);
    zeroize::Zeroize::zeroize(&mut seed);
    (
        B64.encode(key.to_bytes()),
        B64.encode(key.verifying_key().to_bytes()),
    )
}

/// The 32 bytes of a base64 key; `what` names it in the error.
fn key_bytes(text: &str, what: &str) -> Result<[u8; 32], BundleError> {
    let bytes = B64
        .decode(text.trim())
        .map_err(|e| BundleError::BadKey(e.to_string()))?;
    bytes
        .try_into()
        .map_err(|_| BundleError::BadKey(format!("en {what} nyckel är 32 byte")))
}

fn signing_key(secret: &str) -> Result<SigningKey, BundleError> {
    Ok(SigningKey::from_bytes(&key_bytes(secret, "hemlig")?))
}

/// Parses a public key given as base64.
pub fn public_key(text: &str) -> Result<VerifyingKey, BundleError> {
    VerifyingKey::from_bytes(&key_bytes(text, "publik")?)
        .map_err(|e| BundleError::BadKey(e.to_string()))
}

fn files_below(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), BundleError> {
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.is_dir() {
            files_below(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Builds a signed bundle of every file below `dir`; every flow must load and pass the checks.
pub fn build(
    dir: &Path,
    site: Option<&str>,
    secret: &str,
    created: &str,
) -> Result<Vec<u8>, BundleError> {
    let key = signing_key(secret)?;
    let mut paths = Vec::new();
    files_below(dir, &mut paths)?;
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let data = std::fs::read(&path).map_err(io(&path))?;
        let rel = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if rel.ends_with(".json") || rel.ends_with(".oeflow") {
            flow::from_bytes(Path::new(&rel), &data).map_err(|e| BundleError::BadFlow {
                path: rel.clone(),
                message: e.to_string(),
            })?;
        }
        files.push(File {
            path: rel,
            sha256: hex::encode(Sha256::digest(&data)),
            data: B64.encode(&data),
        });
    }
    let payload = serde_json::to_vec(&Payload {
        site: site.map(str::to_string),
        created: created.to_string(),
        files,
    })
    .unwrap_or_default();
    let signature = key.sign(&payload);
    Ok(serde_json::to_vec_pretty(&Envelope {
        etjanst_bundle: 1,
        payload: B64.encode(&payload),
        signature: B64.encode(signature.to_bytes()),
    })
    .unwrap_or_default())
}

/// Verifies a bundle against the site's public key: the signature, every file's hash, every
/// flow. Nothing is trusted before all of it holds.
pub fn verify(bytes: &[u8], key: &VerifyingKey) -> Result<Bundle, BundleError> {
    let env: Envelope = serde_json::from_slice(bytes).map_err(|_| BundleError::NotABundle)?;
    if env.etjanst_bundle != 1 {
        return Err(BundleError::NotABundle);
    }
    let payload = B64
        .decode(&env.payload)
        .map_err(|_| BundleError::NotABundle)?;
    let sig = B64
        .decode(&env.signature)
        .ok()
        .and_then(|s| Signature::from_slice(&s).ok())
        .ok_or(BundleError::BadSignature)?;
    key.verify_strict(&payload, &sig)
        .map_err(|_| BundleError::BadSignature)?;
    let payload: Payload = serde_json::from_slice(&payload).map_err(|_| BundleError::NotABundle)?;
    let mut files = Vec::new();
    for f in payload.files {
        // A signed bundle can still not be allowed to write outside its own folder.
        if f.path.split('/').any(|p| p == ".." || p.is_empty()) || f.path.starts_with('/') {
            return Err(BundleError::BadFile(f.path));
        }
        let data = B64
            .decode(&f.data)
            .map_err(|_| BundleError::BadFile(f.path.clone()))?;
        if hex::encode(Sha256::digest(&data)) != f.sha256 {
            return Err(BundleError::BadFile(f.path));
        }
        if f.path.ends_with(".json") || f.path.ends_with(".oeflow") {
            flow::from_bytes(Path::new(&f.path), &data).map_err(|e| BundleError::BadFlow {
                path: f.path.clone(),
                message: e.to_string(),
            })?;
        }
        files.push((f.path, data));
    }
    Ok(Bundle {
        site: payload.site,
        files,
    })
}

/// Installs a verified bundle as `<data>/bundles/<name>/`, replacing the previous one only
/// once the new one is completely on disk.
pub fn install(data_dir: &Path, name: &str, bundle: &Bundle) -> Result<PathBuf, BundleError> {
    let root = data_dir.join("bundles");
    let target = root.join(crate::slug(name));
    let staging = root.join(format!("{}.ny", crate::slug(name)));
    let old = root.join(format!("{}.gammal", crate::slug(name)));
    let _ = std::fs::remove_dir_all(&staging);
    for (path, data) in &bundle.files {
        let dest = staging.join(path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&dest, data).map_err(io(&dest))?;
    }
    std::fs::create_dir_all(&staging).map_err(io(&staging))?;
    let _ = std::fs::remove_dir_all(&old);
    if target.exists() {
        std::fs::rename(&target, &old).map_err(io(&target))?;
    }
    std::fs::rename(&staging, &target).map_err(io(&staging))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(target)
}
