//! Signed catalogue bundles: the fillable flows (JSON and `.oeflow`), blanketter and icons a
//! municipality publishes, in one file signed with its Ed25519 key. The app is configured with
//! the public key per site and refuses a bundle whose signature or contents do not verify,
//! keeping the one it had.
//!
//! File format (JSON): `{"etjanstBundle": 1, "payload": base64, "signature": base64}`; the
//! signature covers the payload bytes exactly. The payload is JSON:
//! `{"site": …, "created": …, "files": [{"path", "sha256", "data"}]}`.
//!
//! A valid signature is not enough: a bundle the same key signed earlier (an old flow with an
//! old postal address) or for another of the key holder's sites would verify too. So a bundle
//! must name the site it is installed for, and be newer than the one installed for it.

use std::path::{Path, PathBuf};

use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::flow;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[derive(Debug)]
pub enum BundleError {
    NotABundle,
    BadSignature,
    BadKey(String),
    BadFile(String),
    BadFlow {
        path: String,
        message: String,
    },
    Io {
        path: PathBuf,
        message: String,
    },
    NoSite,
    ForeignSite {
        bundle_site: String,
        site: String,
    },
    Stale {
        created: String,
        installed: String,
    },
    BadDate(String),
    BadName(String),
    /// The gateway named is not `https://` (nor on this computer); the message says so.
    BadGateway(String),
}

impl BundleError {
    /// The message in `lang`, from the message catalogue.
    pub fn message(&self, lang: crate::fill::Lang) -> String {
        use crate::t;
        match self {
            BundleError::NotABundle => t!(lang, "bundle-not-a-bundle"),
            BundleError::BadSignature => t!(lang, "bundle-bad-signature"),
            BundleError::BadKey(e) => t!(lang, "bundle-bad-key", error = e),
            BundleError::BadFile(path) => t!(lang, "bundle-bad-file", path = path),
            BundleError::BadFlow { path, message } => {
                t!(lang, "bundle-bad-flow", path = path, error = message)
            }
            BundleError::Io { path, message } => format!("{}: {message}", path.display()),
            BundleError::NoSite => t!(lang, "bundle-no-site"),
            BundleError::ForeignSite { bundle_site, site } => {
                t!(
                    lang,
                    "bundle-foreign-site",
                    bundle_site = bundle_site,
                    site = site
                )
            }
            BundleError::Stale { created, installed } => {
                t!(
                    lang,
                    "bundle-stale",
                    created = created,
                    installed = installed
                )
            }
            BundleError::BadDate(d) => t!(lang, "bundle-bad-date", date = d),
            BundleError::BadName(n) => t!(lang, "bundle-bad-name", name = n),
            BundleError::BadGateway(message) => message.clone(),
        }
    }
}

impl std::fmt::Display for BundleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::i18n::language()))
    }
}

impl std::error::Error for BundleError {}

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
    /// The site's submission gateway, where its applications are sent online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gateway: Option<String>,
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
    /// The municipality's submission gateway (`https://`); `None`: its forms are printed.
    pub gateway: Option<String>,
    /// When the administrator built it (RFC 3339).
    pub created: String,
    /// SHA-256 of the signed payload: the same bundle fetched twice has the same digest.
    pub digest: String,
    pub files: Vec<(String, Vec<u8>)>,
}

/// What is recorded beside an installed bundle, to judge the next one against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installed {
    pub site: String,
    pub created: String,
    pub digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
}

const MANIFEST: &str = ".etjanst-bundle.json";

/// Whether a verified bundle should be installed over what is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    New,
    /// The very bundle already installed: nothing to do.
    Unchanged,
}

/// `scheme://host:port` of an address, the unit a bundle is made for.
pub fn origin(url: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.origin().ascii_serialization())
}

fn parse_created(created: &str) -> Result<chrono::DateTime<chrono::Utc>, BundleError> {
    chrono::DateTime::parse_from_rfc3339(created)
        .map(|d| d.with_timezone(&chrono::Utc))
        .or_else(|_| {
            // Bundles built before dates carried a zone: local time without offset.
            chrono::NaiveDateTime::parse_from_str(created, "%Y-%m-%dT%H:%M:%S").map(|d| d.and_utc())
        })
        .map_err(|_| BundleError::BadDate(created.to_string()))
}

/// Judges a verified bundle for `site`: it must name that site, and be newer than the one
/// installed (the same bundle again is [`Freshness::Unchanged`]).
pub fn judge(
    bundle: &Bundle,
    site: &str,
    installed: Option<&Installed>,
) -> Result<Freshness, BundleError> {
    let named = bundle.site.as_deref().ok_or(BundleError::NoSite)?;
    if origin(named).is_none() || origin(named) != origin(site) {
        return Err(BundleError::ForeignSite {
            bundle_site: named.to_string(),
            site: site.to_string(),
        });
    }
    let created = parse_created(&bundle.created)?;
    let Some(installed) = installed else {
        return Ok(Freshness::New);
    };
    if installed.digest == bundle.digest {
        return Ok(Freshness::Unchanged);
    }
    // An installed date that cannot be read must not let an old bundle in.
    match parse_created(&installed.created) {
        Ok(at) if created > at => Ok(Freshness::New),
        _ => Err(BundleError::Stale {
            created: bundle.created.clone(),
            installed: installed.created.clone(),
        }),
    }
}

/// The record of the bundle installed as `name`, if any.
pub fn installed(data_dir: &Path, name: &str) -> Option<Installed> {
    installed_in(&data_dir.join("bundles").join(crate::slug(name)))
}

/// The record of the bundle installed in folder `dir`, if any.
pub fn installed_in(dir: &Path) -> Option<Installed> {
    serde_json::from_slice(&std::fs::read(dir.join(MANIFEST)).ok()?).ok()
}

/// A path inside a bundle: plain components of `[A-Za-z0-9._-]`, none of them `.` or `..`, so
/// that no name can mean another folder on any system (`C:`, `a\b`, `/x`).
fn plain_path(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> BundleError + '_ {
    move |e| BundleError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// A new key pair: (secret key file content, public key), both base64.
pub fn keygen() -> Result<(String, String), BundleError> {
    let mut seed = [0u8; 32];
    // The OS random source is the only acceptable one for a signing key.
    getrandom::fill(&mut seed).map_err(|e| BundleError::BadKey(e.to_string()))?;
    let key = SigningKey::from_bytes(&seed);
    zeroize::Zeroize::zeroize(&mut seed);
    Ok((
        B64.encode(key.to_bytes()),
        B64.encode(key.verifying_key().to_bytes()),
    ))
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
    gateway: Option<&str>,
    secret: &str,
    created: &str,
) -> Result<Vec<u8>, BundleError> {
    let key = signing_key(secret)?;
    let gateway = gateway
        .map(|g| super::gateway_address(g).map_err(BundleError::BadGateway))
        .transpose()?;
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
        gateway,
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
    let digest = hex::encode(Sha256::digest(&payload));
    let payload: Payload = serde_json::from_slice(&payload).map_err(|_| BundleError::NotABundle)?;
    let mut files = Vec::new();
    for f in payload.files {
        // A signed bundle can still not be allowed to write outside its own folder.
        if !plain_path(&f.path) || f.path == MANIFEST {
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
    // Signed or not, an address that would send applications in clear is not used.
    let gateway = payload
        .gateway
        .map(|g| super::gateway_address(&g).map_err(BundleError::BadGateway))
        .transpose()?;
    Ok(Bundle {
        site: payload.site,
        created: payload.created,
        gateway,
        digest,
        files,
    })
}

/// Installs a verified bundle as `<data>/bundles/<name>/`: written into a fresh folder that
/// the catalogue never reads (its name starts with a dot), and renamed into place only when
/// all of it is on disk. On any failure the folder is removed and the installed bundle stays.
pub fn install(data_dir: &Path, name: &str, bundle: &Bundle) -> Result<PathBuf, BundleError> {
    let slug = crate::slug(name);
    if slug.is_empty() {
        return Err(BundleError::BadName(name.to_string()));
    }
    let site = bundle.site.clone().ok_or(BundleError::NoSite)?;
    let root = data_dir.join("bundles");
    std::fs::create_dir_all(&root).map_err(io(&root))?;
    let staging = tempfile::Builder::new()
        .prefix(".ny-")
        .tempdir_in(&root)
        .map_err(io(&root))?;
    for (path, data) in &bundle.files {
        let dest = staging.path().join(path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&dest, data).map_err(io(&dest))?;
    }
    let manifest = Installed {
        site,
        created: bundle.created.clone(),
        digest: bundle.digest.clone(),
        gateway: bundle.gateway.clone(),
    };
    let manifest_path = staging.path().join(MANIFEST);
    std::fs::write(
        &manifest_path,
        serde_json::to_vec(&manifest).unwrap_or_default(),
    )
    .map_err(io(&manifest_path))?;
    let target = root.join(&slug);
    let old = root.join(format!(".gammal-{slug}"));
    let _ = std::fs::remove_dir_all(&old);
    if target.exists() {
        std::fs::rename(&target, &old).map_err(io(&target))?;
    }
    let staged = staging.keep();
    if let Err(e) = std::fs::rename(&staged, &target) {
        // Put the previous bundle back before reporting.
        let _ = std::fs::rename(&old, &target);
        let _ = std::fs::remove_dir_all(&staged);
        return Err(io(&staged)(e));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(target)
}
