//! The draft vault: saved, not submitted, applications, encrypted at rest.
//!
//! One SQLite database in the data directory. Every draft version is one row whose only
//! plaintext is a random id and the update time; the rest is two age records to the
//! installation's X25519 key: a small header (flow, title, step, times) for listings, and the
//! body holding everything. Attachments and receipts are age records too. The last
//! [`VERSIONS_KEPT`] versions of each draft are kept so that a bad autosave can be undone.
//!
//! The key lives in the operating system's keychain and/or wrapped with a passphrase
//! (`keys`). A lock file keeps a second process out while one has the vault open.

mod keys;

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use age::secrecy::ExposeSecret;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::Zeroize;

pub use keys::{Keychain, OsKeychain, Passphrase};

use crate::fill::FileRef;
use crate::flow::{Flow, QueryKind};

/// The flow id of a draft of blankett `index` of `service`.
pub fn blankett_flow_id(service: &str, index: usize) -> String {
    format!("blankett:{service}:{index}")
}

/// The service and blankett a draft's flow id names, if it is a blankett's.
pub fn blankett_of(flow_id: &str) -> Option<(&str, usize)> {
    let rest = flow_id.strip_prefix("blankett:")?;
    let (service, index) = rest.rsplit_once(':')?;
    Some((service, index.parse().ok()?))
}

/// An imported draft's header: another computer's "open in a window" means nothing here, and
/// names lose control characters and markup.
fn clean_imported_header(header: &mut DraftHeader) {
    header.editing = false;
    header.service_name = crate::catalogue::flowinfo::clean_text(&header.service_name, false);
    header.title = crate::catalogue::flowinfo::clean_text(&header.title, false);
}

/// An imported blankett draft: text and ticks only, no attachments, nothing marked open.
fn check_blankett_import(export: &mut ExportFile) -> Result<(), VaultError> {
    clean_imported_header(&mut export.header);
    let values = export
        .answers
        .get("answers")
        .and_then(Value::as_object)
        .ok_or(VaultError::NotAnExport)?;
    if !export.attachments.is_empty() || values.values().any(|v| !(v.is_string() || v.is_boolean()))
    {
        return Err(VaultError::NotAnExport);
    }
    Ok(())
}

/// A file made by [`Vault::export`] or [`Vault::export_profile`], decrypted: a wrong passphrase
/// is `WrongPassphrase`, anything else that is not such a file `NotAnExport`.
fn open_file(file: &[u8], passphrase: &Passphrase) -> Result<Vec<u8>, VaultError> {
    if file.len() > MAX_EXPORT_BYTES {
        return Err(VaultError::TooLarge {
            max_mb: MAX_EXPORT_BYTES >> 20,
        });
    }
    age::decrypt(&passphrase.identity(), file).map_err(|e| match e {
        age::DecryptError::DecryptionFailed
        | age::DecryptError::NoMatchingKeys
        | age::DecryptError::KeyDecryptionFailed => VaultError::WrongPassphrase,
        _ => VaultError::NotAnExport,
    })
}

/// Versions of each draft kept for undo.
pub const VERSIONS_KEPT: usize = 3;

const DB_FILE: &str = "vault.sqlite";
const LOCK_FILE: &str = "vault.lock";
const EXPORT_FORMAT: &str = "etjanst-utkast";
const PROFILE_FORMAT: &str = "etjanst-uppgifter";

#[derive(Debug)]
pub enum VaultError {
    AlreadyOpen,
    NotCreated,
    WrongPassphrase,
    PassphraseNeeded,
    /// "Lås" on a vault with no passphrase: nothing could open it again.
    LockNeedsPassphrase,
    Keychain(String),
    Damaged(String),
    NotFound(String),
    Attachment(String),
    NotAnExport,
    WeakPassphrase {
        min: usize,
    },
    TooLarge {
        max_mb: usize,
    },
    UnknownFlow(String),
    Crypto(String),
    Db(rusqlite::Error),
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl VaultError {
    /// The message in `lang`, from the message catalogue.
    pub fn message(&self, lang: crate::fill::Lang) -> String {
        use crate::t;
        match self {
            VaultError::AlreadyOpen => t!(lang, "vault-already-open"),
            VaultError::NotCreated => t!(lang, "vault-not-created"),
            VaultError::WrongPassphrase => t!(lang, "vault-wrong-passphrase"),
            VaultError::PassphraseNeeded => t!(lang, "vault-passphrase-needed"),
            VaultError::LockNeedsPassphrase => t!(lang, "vault-lock-needs-passphrase"),
            VaultError::Keychain(e) => t!(lang, "vault-keychain", error = e),
            VaultError::Damaged(id) => t!(lang, "vault-damaged", id = id),
            VaultError::NotFound(id) => t!(lang, "vault-not-found", id = id),
            VaultError::Attachment(m) => m.clone(),
            VaultError::NotAnExport => t!(lang, "vault-not-an-export"),
            VaultError::WeakPassphrase { min } => t!(lang, "vault-weak-passphrase", min = min),
            VaultError::TooLarge { max_mb } => t!(lang, "vault-too-large", max = max_mb),
            VaultError::UnknownFlow(id) => t!(lang, "vault-unknown-flow", flow = id),
            VaultError::Crypto(e) => t!(lang, "vault-crypto", error = e),
            VaultError::Db(e) => t!(lang, "vault-db", error = e),
            VaultError::Io { path, source } => format!("{}: {source}", path.display()),
        }
    }
}

impl std::fmt::Display for VaultError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::i18n::language()))
    }
}

impl std::error::Error for VaultError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VaultError::Db(e) => Some(e),
            VaultError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for VaultError {
    fn from(e: rusqlite::Error) -> Self {
        VaultError::Db(e)
    }
}

/// The shortest passphrase a new vault or export accepts: it is all that stands between a
/// stolen file and the drafts in it (existing ones still unlock, whatever their length).
pub const MIN_PASSPHRASE: usize = 10;

/// The largest export file imported: an export holds one draft and its attachments, within
/// its flow's limits.
pub const MAX_EXPORT_BYTES: usize = 128 << 20;

/// How well a new passphrase would protect the vault, for a hint while it is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Strength {
    /// Refused: under [`MIN_PASSPHRASE`] characters, or too few different ones.
    Refused,
    Fair,
    /// Long, or several words.
    Strong,
}

pub fn strength(secret: &str) -> Strength {
    let chars = secret.trim().chars().count();
    let distinct = secret
        .chars()
        .collect::<std::collections::HashSet<_>>()
        .len();
    if chars < MIN_PASSPHRASE || distinct < 4 {
        Strength::Refused
    } else if chars >= 20 || secret.split_whitespace().count() >= 4 {
        Strength::Strong
    } else {
        Strength::Fair
    }
}

fn check_new(p: &Passphrase) -> Result<(), VaultError> {
    if strength(p.secret.expose_secret()) == Strength::Refused {
        return Err(VaultError::WeakPassphrase {
            min: MIN_PASSPHRASE,
        });
    }
    Ok(())
}

/// A file name as it came from another computer, made safe: no folders, no control
/// characters, never empty.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean = crate::catalogue::flowinfo::clean_text(base, false);
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() {
        "bilaga".to_string()
    } else {
        clean
    }
}

/// How a new vault's key is protected. At least one must be given.
pub struct KeySetup<'a> {
    pub keychain: Option<&'a dyn Keychain>,
    pub passphrase: Option<&'a Passphrase>,
}

/// How to unlock an existing vault.
pub enum Unlock<'a> {
    Keychain(&'a dyn Keychain),
    Passphrase(&'a Passphrase),
}

/// What is known about a draft without decrypting its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftHeader {
    pub flow_id: String,
    pub flow_version: u32,
    /// The e-service's name, as the citizen saw it.
    pub service_name: String,
    /// A title the citizen may give, else the service name.
    pub title: String,
    /// Index of the step the citizen was on.
    pub current_step: usize,
    /// Milliseconds since 1970.
    pub created: i64,
    pub updated: i64,
    /// Open for editing: set while a window has it open, cleared on a clean close, so a
    /// draft still marked after a crash is offered for recovery.
    pub editing: bool,
}

/// A draft with everything in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub id: String,
    pub header: DraftHeader,
    /// An answers document (`{"flow": …, "answers": {…}}`, `forms/README.md`).
    pub answers: Value,
}

impl Drop for Draft {
    /// The answers are personal data decrypted from the vault: wiped from memory with the
    /// draft, not left for the allocator to hand out again.
    fn drop(&mut self) {
        crate::fill::wipe_json(&mut self.answers);
    }
}

/// One line of the draft list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftSummary {
    pub id: String,
    pub updated: i64,
    /// `None` when the header cannot be decrypted: the draft is damaged.
    pub header: Option<DraftHeader>,
}

/// Proof of a submission, kept after the draft is gone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub flow_id: String,
    pub service_name: String,
    pub case_number: Option<String>,
    /// ISO 8601 time of submission.
    pub submitted: String,
    /// SHA-256 of the submission, as the gateway computed it.
    pub sha256: String,
    #[serde(default)]
    pub details: Value,
}

/// A submission waiting to be sent or signed: the exact bytes and the key it goes with, so
/// that every retry sends the same submission and the gateway files it once.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outgoing {
    pub gateway: String,
    pub idempotency_key: String,
    #[serde(with = "b64")]
    pub body: Vec<u8>,
    pub sha256: String,
    pub flow_id: String,
    pub service_name: String,
    /// The draft it was made from, removed once the receipt is stored.
    pub draft_id: Option<String>,
    /// Milliseconds since 1970.
    pub created: i64,
    pub attempts: u32,
    /// Not to be tried before this (ms since 1970): the backoff after a failed attempt.
    pub next_attempt: i64,
    pub last_error: Option<String>,
    /// The gateway's id, once it has the upload.
    pub submission_id: Option<String>,
    /// The applicant's personnummer (12 digits) when the form names one: only their BankID
    /// can sign, and the citizen is told so before the order starts.
    #[serde(default)]
    pub signer: Option<String>,
    /// The role the submission waits for, once the applicant has signed and others must
    /// ("Vårdnadshavare 2"): the outbox shows it and the app follows it, not a new order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_for: Option<String>,
}

impl std::fmt::Debug for Outgoing {
    /// The body is personal data: never in a log or a panic message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing")
            .field("gateway", &self.gateway)
            .field("service_name", &self.service_name)
            .field("attempts", &self.attempts)
            .field("submission_id", &self.submission_id)
            .finish_non_exhaustive()
    }
}

impl Drop for Outgoing {
    fn drop(&mut self) {
        self.body.zeroize();
        self.idempotency_key.zeroize();
    }
}

#[derive(Deserialize)]
struct Body {
    header: DraftHeader,
    answers: Value,
}

/// The body as written, borrowing the draft rather than copying it on every autosave.
#[derive(Serialize)]
struct BodyRef<'a> {
    header: &'a DraftHeader,
    answers: &'a Value,
}

#[derive(Serialize, Deserialize)]
struct StoredAttachment {
    name: String,
    #[serde(with = "b64")]
    data: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct ExportFile {
    format: String,
    version: u32,
    header: DraftHeader,
    answers: Value,
    attachments: HashMap<String, StoredAttachment>,
}

#[derive(Serialize, Deserialize)]
struct ProfileFile {
    format: String,
    version: u32,
    profile: crate::profile::Profile,
}

mod b64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(serde::de::Error::custom)
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A random id: 16 bytes as hex. Without the OS random source there is no id: one made from
/// the clock could repeat, and the same function makes the secret that lets only this
/// computer sign a submission.
pub fn random_id() -> Result<String, VaultError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| {
        VaultError::Crypto(format!("operativsystemets slumpkälla svarar inte: {e}"))
    })?;
    Ok(hex::encode(b))
}

/// The wrapped key in the slot of `kind` ("passphrase", "keychain"), if the vault has one;
/// locked or open, the same question.
fn slot(conn: &Connection, kind: &str) -> Result<Option<Vec<u8>>, VaultError> {
    Ok(conn
        .query_row("SELECT data FROM keyslots WHERE kind = ?1", [kind], |r| {
            r.get(0)
        })
        .optional()?)
}

/// The installation's name, under which the keychain keeps its key.
fn installation(conn: &Connection) -> Result<String, VaultError> {
    Ok(conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'installation'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default())
}

/// The vault's database, opened and locked but not yet unlocked.
pub struct LockedVault {
    conn: Connection,
    lock: File,
    dir: PathBuf,
}

impl LockedVault {
    /// Whether a vault was ever created in `dir` (without creating anything).
    pub fn exists(dir: &Path) -> bool {
        dir.join(DB_FILE).exists()
    }

    /// Opens (creating the files if needed) and takes the single-process lock.
    pub fn open(dir: &Path) -> Result<LockedVault, VaultError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| VaultError::Io { path, source }
        };
        crate::private::dir(dir).map_err(io(dir))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        // A window that is closing, or a child process another thread of this program is
        // starting (it shares open files until it executes), may hold the lock for a moment:
        // wait briefly before saying the vault is open elsewhere.
        let mut attempts = 0;
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if attempts < 25 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => return Err(VaultError::AlreadyOpen),
                Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
            }
        }
        // Owner-only before SQLite opens it: its -wal and -shm files take the same mode.
        let db = dir.join(DB_FILE);
        crate::private::file(&db).map_err(io(&db))?;
        crate::private::file(&lock_path).map_err(io(&lock_path))?;
        for journal in ["-wal", "-shm"] {
            let path = dir.join(format!("{DB_FILE}{journal}"));
            crate::private::restrict(&path, 0o600).map_err(io(&path))?;
        }
        let conn = Connection::open(&db)?;
        // WAL with synchronous=NORMAL: a crash or power cut may lose the last commit but
        // never corrupts an earlier one. Temp data stays in memory; deleted pages are zeroed.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA temp_store = MEMORY;
             PRAGMA secure_delete = ON;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS keyslots (kind TEXT PRIMARY KEY, data BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS drafts (
                 id TEXT NOT NULL, updated INTEGER NOT NULL,
                 header BLOB NOT NULL, body BLOB NOT NULL,
                 PRIMARY KEY (id, updated)) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS attachments (
                 id TEXT PRIMARY KEY, draft TEXT NOT NULL, data BLOB NOT NULL);
             CREATE INDEX IF NOT EXISTS attachments_draft ON attachments (draft);
             CREATE TABLE IF NOT EXISTS receipts (
                 id TEXT PRIMARY KEY, created INTEGER NOT NULL, data BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS outbox (
                 id TEXT PRIMARY KEY, created INTEGER NOT NULL, data BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS receipt_copies (
                 receipt TEXT PRIMARY KEY, data BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS profile (
                 id TEXT PRIMARY KEY, data BLOB NOT NULL);",
        )?;
        Ok(LockedVault {
            conn,
            lock,
            dir: dir.to_path_buf(),
        })
    }

    /// Whether a key has been set up (some draft was ever saved here).
    pub fn is_created(&self) -> Result<bool, VaultError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM keyslots", [], |r| r.get::<_, i64>(0))?
            > 0)
    }

    pub fn has_passphrase(&self) -> Result<bool, VaultError> {
        Ok(slot(&self.conn, "passphrase")?.is_some())
    }

    pub fn has_keychain(&self) -> Result<bool, VaultError> {
        Ok(slot(&self.conn, "keychain")?.is_some())
    }

    /// Creates the installation's key and protects it as `setup` says.
    pub fn create(self, setup: KeySetup) -> Result<Vault, VaultError> {
        if self.is_created()? {
            return Err(VaultError::Crypto("valvet finns redan".into()));
        }
        if setup.keychain.is_none() && setup.passphrase.is_none() {
            return Err(VaultError::PassphraseNeeded);
        }
        if let Some(p) = setup.passphrase {
            check_new(p)?;
        }
        let identity = age::x25519::Identity::generate();
        let installation = random_id()?;
        // Keychain first: if it fails, nothing has been written.
        if let Some(k) = setup.keychain {
            k.set(&installation, &identity.to_string())
                .map_err(VaultError::Keychain)?;
        }
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('installation', ?1)",
            [&installation],
        )?;
        if setup.keychain.is_some() {
            tx.execute(
                "INSERT INTO keyslots (kind, data) VALUES ('keychain', x'')",
                [],
            )?;
        }
        if let Some(p) = setup.passphrase {
            tx.execute(
                "INSERT INTO keyslots (kind, data) VALUES ('passphrase', ?1)",
                [keys::wrap(&identity, p)?],
            )?;
        }
        tx.commit()?;
        Ok(self.into_vault(identity))
    }

    /// Unlocks with the keychain or a passphrase. On failure nothing is changed.
    pub fn unlock(self, unlock: Unlock) -> Result<Vault, VaultError> {
        if !self.is_created()? {
            return Err(VaultError::NotCreated);
        }
        let identity = match unlock {
            Unlock::Keychain(k) => {
                if !self.has_keychain()? {
                    return Err(VaultError::PassphraseNeeded);
                }
                let secret = k
                    .get(&installation(&self.conn)?)
                    .map_err(VaultError::Keychain)?
                    .ok_or(VaultError::PassphraseNeeded)?;
                keys::parse_identity(secret.expose_secret().as_bytes().to_vec())?
            }
            Unlock::Passphrase(p) => {
                let wrapped = slot(&self.conn, "passphrase")?.ok_or_else(|| {
                    VaultError::Keychain(
                        "utkasten skyddas av nyckelringen och har ingen lösenfras".into(),
                    )
                })?;
                keys::unwrap(&wrapped, p)?
            }
        };
        Ok(self.into_vault(identity))
    }

    fn into_vault(self, identity: age::x25519::Identity) -> Vault {
        let recipient = identity.to_public();
        Vault {
            conn: self.conn,
            _lock: self.lock,
            dir: self.dir,
            identity,
            recipient,
        }
    }
}

impl Vault {
    /// The import checks of [`Vault::import`]; cleans names in place.
    fn check_import(&self, flow: &Flow, export: &mut ExportFile) -> Result<(), VaultError> {
        clean_imported_header(&mut export.header);
        let answers = export
            .answers
            .get_mut("answers")
            .and_then(Value::as_object_mut)
            .ok_or(VaultError::NotAnExport)?;
        let mut used = std::collections::HashSet::new();
        for query in flow.queries() {
            let QueryKind::FileUpload(limits) = &query.kind else {
                continue;
            };
            // Drafts written by hand or by older versions may name the query by its alias.
            let key = [Some(&query.id), query.alias.as_ref()]
                .into_iter()
                .flatten()
                .find(|k| answers.contains_key(k.as_str()));
            let Some(value) = key.and_then(|k| answers.get_mut(k.as_str())) else {
                continue;
            };
            let mut files: Vec<FileRef> =
                serde_json::from_value(value.clone()).map_err(|_| VaultError::NotAnExport)?;
            for f in &mut files {
                f.name = clean_name(&f.name);
                // A file named in the answers but never attached has no content to check.
                let Some(id) = f.attachment.clone() else {
                    continue;
                };
                let stored = export
                    .attachments
                    .get_mut(&id)
                    .ok_or(VaultError::NotAnExport)?;
                // The declared size must be the real one, or the limits mean nothing.
                f.size = stored.data.len() as u64;
                stored.name = f.name.clone();
                used.insert(id);
            }
            if let Some(problem) = crate::fill::file_problems(limits, &files)
                .into_iter()
                .next()
            {
                return Err(VaultError::Attachment(
                    crate::fill::Issue {
                        query: query.id.clone(),
                        field: None,
                        row: None,
                        problem,
                    }
                    .message(crate::fill::Lang::Sv),
                ));
            }
            *value = serde_json::to_value(&files).unwrap_or_default();
        }
        // Attachments no answer refers to are not brought in.
        export.attachments.retain(|id, _| used.contains(id));
        crate::fill::Answers::from_json(flow, &export.answers)
            .map_err(|e| VaultError::Attachment(format!("utkastet passar inte e-tjänsten: {e}")))?;
        Ok(())
    }
}

/// Marks a padded record (`seal`); an age file starts with `age-encryption.org`.
const PAD_MAGIC: &[u8] = b"etjP";
const PAD_HEADER: usize = 8;

/// The length a sealed record of `len` bytes is padded to: 1 KiB at least, then the next
/// power of two up to 64 KiB, then whole 64 KiB.
fn padded_len(len: usize) -> usize {
    const STEP: usize = 64 << 10;
    if len <= STEP {
        len.next_power_of_two().max(1024)
    } else {
        len.div_ceil(STEP) * STEP
    }
}

/// An unlocked vault.
pub struct Vault {
    conn: Connection,
    _lock: File,
    dir: PathBuf,
    identity: age::x25519::Identity,
    recipient: age::x25519::Recipient,
}

impl Vault {
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Serializes and encrypts a record, padded so that its length tells little (not which
    /// e-service a draft is for); the plaintext buffer is wiped.
    fn seal(&self, value: &impl Serialize) -> Result<Vec<u8>, VaultError> {
        let mut plain = serde_json::to_vec(value).unwrap_or_default();
        let sealed = age::encrypt(&self.recipient, &plain);
        plain.zeroize();
        let sealed = sealed.map_err(|e| VaultError::Crypto(e.to_string()))?;
        // age's header varies in length (its grease stanza), so the stored blob is padded,
        // not the plaintext: magic, the ciphertext's length, the ciphertext, zeros.
        let mut blob = Vec::with_capacity(padded_len(sealed.len() + PAD_HEADER));
        blob.extend_from_slice(PAD_MAGIC);
        blob.extend_from_slice(&(sealed.len() as u32).to_le_bytes());
        blob.extend_from_slice(&sealed);
        blob.resize(padded_len(blob.len()), 0);
        Ok(blob)
    }

    /// Decrypts and parses a record; `None` when it is damaged. The plaintext buffer is wiped.
    fn unseal<T: serde::de::DeserializeOwned>(&self, sealed: &[u8]) -> Option<T> {
        // Records written before padding are bare age files.
        let sealed = match sealed.strip_prefix(PAD_MAGIC) {
            Some(rest) => {
                let len = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
                rest.get(4..4 + len)?
            }
            None => sealed,
        };
        let mut plain = age::decrypt(&self.identity, sealed).ok()?;
        let value = serde_json::from_slice(&plain).ok();
        plain.zeroize();
        value
    }

    /// Sets (or replaces) the passphrase that can unlock the vault, beside the keychain.
    pub fn set_passphrase(&mut self, p: &Passphrase) -> Result<(), VaultError> {
        check_new(p)?;
        self.conn.execute(
            "INSERT OR REPLACE INTO keyslots (kind, data) VALUES ('passphrase', ?1)",
            [keys::wrap(&self.identity, p)?],
        )?;
        Ok(())
    }

    /// "Lås", for a computer whose account several people share: the keychain forgets the
    /// key, so that once this vault is dropped only the passphrase opens it again (and, typed,
    /// puts the key back with [`Vault::add_keychain`]). Refused, with nothing changed, when
    /// the vault has no passphrase: nothing could open it then.
    pub fn lock(&self, k: &dyn Keychain) -> Result<(), VaultError> {
        if !self.has_passphrase_slot()? {
            return Err(VaultError::LockNeedsPassphrase);
        }
        if self.has_keychain_slot()? {
            k.delete(&installation(&self.conn)?)
                .map_err(VaultError::Keychain)?;
        }
        Ok(())
    }

    /// Whether the keychain opens the vault (its key is kept there).
    pub fn has_keychain_slot(&self) -> Result<bool, VaultError> {
        Ok(slot(&self.conn, "keychain")?.is_some())
    }

    /// Whether a passphrase opens the vault.
    pub fn has_passphrase_slot(&self) -> Result<bool, VaultError> {
        Ok(slot(&self.conn, "passphrase")?.is_some())
    }

    /// Also keeps the key in the keychain, so no passphrase is needed on this computer.
    pub fn add_keychain(&mut self, k: &dyn Keychain) -> Result<(), VaultError> {
        k.set(&installation(&self.conn)?, &self.identity.to_string())
            .map_err(VaultError::Keychain)?;
        self.conn.execute(
            "INSERT OR REPLACE INTO keyslots (kind, data) VALUES ('keychain', x'')",
            [],
        )?;
        Ok(())
    }

    /// A new, unsaved draft of `flow`.
    pub fn new_draft(&self, flow: &Flow) -> Result<Draft, VaultError> {
        let now = now_ms();
        Ok(Draft {
            id: random_id()?,
            header: DraftHeader {
                flow_id: flow.id.clone(),
                flow_version: flow.version,
                service_name: flow.name.clone(),
                title: flow.name.clone(),
                current_step: 0,
                created: now,
                updated: now,
                editing: false,
            },
            answers: serde_json::json!({ "flow": flow.id, "answers": {} }),
        })
    }

    /// A new draft of a PDF blankett's fields ([`crate::blankett`]): its answers are the
    /// fields' values, its flow id names the service and the blankett ([`blankett_flow_id`]).
    pub fn new_blankett_draft(
        &self,
        service: &str,
        index: usize,
        name: &str,
    ) -> Result<Draft, VaultError> {
        let now = now_ms();
        let flow_id = blankett_flow_id(service, index);
        Ok(Draft {
            id: random_id()?,
            header: DraftHeader {
                flow_id: flow_id.clone(),
                flow_version: 1,
                service_name: name.to_string(),
                title: name.to_string(),
                current_step: 0,
                created: now,
                updated: now,
                editing: false,
            },
            answers: serde_json::json!({ "flow": flow_id, "answers": {} }),
        })
    }

    /// Saves a new version of `draft` in one transaction (the autosave), keeping the last
    /// [`VERSIONS_KEPT`]. Sets `draft.header.updated`.
    pub fn save(&mut self, draft: &mut Draft) -> Result<(), VaultError> {
        let tx = self.conn.unchecked_transaction()?;
        self.write_version(&tx, draft)?;
        tx.commit()?;
        Ok(())
    }

    fn write_version(&self, conn: &Connection, draft: &mut Draft) -> Result<(), VaultError> {
        // Strictly increasing per draft even if the clock stands still or steps back.
        let latest: Option<i64> = conn
            .prepare_cached("SELECT MAX(updated) FROM drafts WHERE id = ?1")?
            .query_row([&draft.id], |r| r.get(0))?;
        let updated = now_ms().max(latest.map_or(0, |l| l + 1));
        draft.header.updated = updated;
        let sealed_header = self.seal(&draft.header);
        let sealed_body = self.seal(&BodyRef {
            header: &draft.header,
            answers: &draft.answers,
        });
        conn.prepare_cached(
            "INSERT INTO drafts (id, updated, header, body) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![draft.id, updated, sealed_header?, sealed_body?])?;
        conn.prepare_cached(
            "DELETE FROM drafts WHERE id = ?1 AND updated NOT IN
                 (SELECT updated FROM drafts WHERE id = ?1 ORDER BY updated DESC LIMIT ?2)",
        )?
        .execute(params![draft.id, VERSIONS_KEPT as i64])?;
        Ok(())
    }

    /// All drafts, newest first. Only the small headers are decrypted.
    pub fn list(&self) -> Result<Vec<DraftSummary>, VaultError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, MAX(updated), header FROM drafts GROUP BY id ORDER BY 2 DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, updated, sealed) = row?;
            let header = self.unseal(&sealed);
            out.push(DraftSummary {
                id,
                updated,
                header,
            });
        }
        Ok(out)
    }

    /// Drafts that were open for editing when the app last stopped: offer to recover them.
    pub fn recoverable(&self) -> Result<Vec<DraftSummary>, VaultError> {
        Ok(self
            .list()?
            .into_iter()
            .filter(|d| d.header.as_ref().is_some_and(|h| h.editing))
            .collect())
    }

    /// The newest version of a draft.
    pub fn load(&self, id: &str) -> Result<Draft, VaultError> {
        self.load_version(id, 0)
    }

    /// `back` versions before the newest (0 = newest), for undoing a bad autosave.
    pub fn load_version(&self, id: &str, back: usize) -> Result<Draft, VaultError> {
        let sealed: Option<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT body FROM drafts WHERE id = ?1 ORDER BY updated DESC LIMIT 1 OFFSET ?2",
            )?
            .query_row(params![id, back as i64], |r| r.get(0))
            .optional()?;
        let sealed = sealed.ok_or_else(|| VaultError::NotFound(id.to_string()))?;
        let body: Body = self
            .unseal(&sealed)
            .ok_or_else(|| VaultError::Damaged(id.to_string()))?;
        Ok(Draft {
            id: id.to_string(),
            header: body.header,
            answers: body.answers,
        })
    }

    /// How many versions of a draft are kept.
    pub fn version_count(&self, id: &str) -> Result<usize, VaultError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM drafts WHERE id = ?1", [id], |r| {
                r.get::<_, i64>(0)
            })? as usize)
    }

    /// Removes a draft with all its versions and attachments.
    pub fn delete(&mut self, id: &str) -> Result<(), VaultError> {
        let tx = self.conn.unchecked_transaction()?;
        let n = tx.execute("DELETE FROM drafts WHERE id = ?1", [id])?;
        tx.execute("DELETE FROM attachments WHERE draft = ?1", [id])?;
        tx.commit()?;
        if n == 0 {
            return Err(VaultError::NotFound(id.to_string()));
        }
        self.forget()?;
        Ok(())
    }

    /// Moves everything into the database file (whose freed pages `secure_delete` zeroes) and
    /// empties the write-ahead log, which still holds the deleted records' pages otherwise.
    fn forget(&self) -> Result<(), VaultError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Attaches a file to a FileUpload query of the draft, within the query's limits, and
    /// saves the draft in the same transaction.
    pub fn add_attachment(
        &mut self,
        draft: &mut Draft,
        flow: &Flow,
        query_id: &str,
        name: &str,
        data: &[u8],
    ) -> Result<FileRef, VaultError> {
        let query = flow
            .query(query_id)
            .filter(|q| matches!(q.kind, QueryKind::FileUpload(_)))
            .ok_or_else(|| {
                VaultError::Attachment(format!("frågan {query_id} tar inte emot filer"))
            })?;
        let QueryKind::FileUpload(limits) = &query.kind else {
            return Err(VaultError::Attachment(format!(
                "frågan {query_id} tar inte emot filer"
            )));
        };
        let answers = draft
            .answers
            .get_mut("answers")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| VaultError::Attachment("utkastet saknar svar".into()))?;
        let mut files: Vec<FileRef> = answers
            .get(query_id)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let file = FileRef {
            name: name.to_string(),
            size: data.len() as u64,
            attachment: Some(random_id()?),
        };
        files.push(file.clone());
        if let Some(problem) = crate::fill::file_problems(limits, &files)
            .into_iter()
            .next()
        {
            return Err(VaultError::Attachment(
                crate::fill::Issue {
                    query: query_id.to_string(),
                    field: None,
                    row: None,
                    problem,
                }
                .message(crate::fill::Lang::Sv),
            ));
        }
        answers.insert(
            query_id.to_string(),
            serde_json::to_value(&files).unwrap_or_default(),
        );
        let sealed = self.seal(&StoredAttachment {
            name: name.to_string(),
            data: data.to_vec(),
        });
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO attachments (id, draft, data) VALUES (?1, ?2, ?3)",
            params![file.attachment, draft.id, sealed?],
        )?;
        self.write_version(&tx, draft)?;
        tx.commit()?;
        Ok(file)
    }

    /// An attachment's file name and content.
    pub fn attachment(&self, id: &str) -> Result<(String, Vec<u8>), VaultError> {
        let sealed: Vec<u8> = self
            .conn
            .query_row("SELECT data FROM attachments WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| VaultError::NotFound(id.to_string()))?;
        let stored: StoredAttachment = self
            .unseal(&sealed)
            .ok_or_else(|| VaultError::Damaged(id.to_string()))?;
        Ok((stored.name, stored.data))
    }

    /// One draft with its attachments as a passphrase-encrypted file (`.etjanst`) to open on
    /// another computer.
    pub fn export(&self, id: &str, passphrase: &Passphrase) -> Result<Vec<u8>, VaultError> {
        check_new(passphrase)?;
        let mut draft = self.load(id)?;
        let mut attachments = HashMap::new();
        let ids: Vec<String> = self
            .conn
            .prepare("SELECT id FROM attachments WHERE draft = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for a in ids {
            let (name, data) = self.attachment(&a)?;
            attachments.insert(a, StoredAttachment { name, data });
        }
        let mut plain = serde_json::to_vec(&ExportFile {
            format: EXPORT_FORMAT.into(),
            version: 1,
            header: DraftHeader {
                editing: false,
                ..draft.header.clone()
            },
            answers: std::mem::take(&mut draft.answers),
            attachments,
        })
        .unwrap_or_default();
        let sealed = age::encrypt(&passphrase.recipient(), &plain)
            .map_err(|e| VaultError::Crypto(e.to_string()));
        plain.zeroize();
        sealed
    }

    /// Imports an exported draft as a new draft; returns its id. The file is not trusted: it
    /// must be for a flow this computer has (`flow_of` finds it by id), its answers must fit
    /// that flow, its attachments the flow's limits, and file names lose any folders and
    /// control characters. Nothing is written unless all of it holds.
    pub fn import(
        &mut self,
        file: &[u8],
        passphrase: &Passphrase,
        flow_of: &dyn Fn(&str) -> Option<Flow>,
    ) -> Result<String, VaultError> {
        let mut plain = open_file(file, passphrase)?;
        let parsed: Result<ExportFile, _> = serde_json::from_slice(&plain);
        plain.zeroize();
        let mut export = parsed.map_err(|_| VaultError::NotAnExport)?;
        if export.format != EXPORT_FORMAT {
            return Err(VaultError::NotAnExport);
        }
        if blankett_of(&export.header.flow_id).is_some() {
            check_blankett_import(&mut export)?;
        } else {
            let flow = flow_of(&export.header.flow_id)
                .ok_or_else(|| VaultError::UnknownFlow(export.header.flow_id.clone()))?;
            self.check_import(&flow, &mut export)?;
        }
        // Fresh ids, so importing twice or back into the same vault never collides.
        let mut remap = HashMap::new();
        for old in export.attachments.keys() {
            remap.insert(old.clone(), random_id()?);
        }
        let mut answers = export.answers;
        rename_attachments(&mut answers, &remap);
        let mut draft = Draft {
            id: random_id()?,
            header: export.header,
            answers,
        };
        let tx = self.conn.unchecked_transaction()?;
        for (old, stored) in &export.attachments {
            let sealed = self.seal(stored);
            tx.execute(
                "INSERT INTO attachments (id, draft, data) VALUES (?1, ?2, ?3)",
                params![remap[old], draft.id, sealed?],
            )?;
        }
        self.write_version(&tx, &mut draft)?;
        tx.commit()?;
        Ok(std::mem::take(&mut draft.id))
    }

    /// Keeps a submission receipt (encrypted); returns its id.
    pub fn store_receipt(&mut self, receipt: &Receipt) -> Result<String, VaultError> {
        let id = random_id()?;
        let sealed = self.seal(receipt);
        self.conn.execute(
            "INSERT INTO receipts (id, created, data) VALUES (?1, ?2, ?3)",
            params![id, now_ms(), sealed?],
        )?;
        Ok(id)
    }

    /// All receipts, oldest first; damaged ones are skipped and counted.
    pub fn receipts(&self) -> Result<(Vec<(String, Receipt)>, usize), VaultError> {
        self.sealed_rows("receipts")
    }

    /// The PDF of what was sent with receipt `id` (file name, bytes); `None` for a receipt
    /// kept without one.
    pub fn receipt_copy(&self, id: &str) -> Result<Option<(String, Vec<u8>)>, VaultError> {
        let sealed: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT data FROM receipt_copies WHERE receipt = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let stored: StoredAttachment = self
            .unseal(&sealed)
            .ok_or_else(|| VaultError::Damaged(id.to_string()))?;
        Ok(Some((stored.name, stored.data)))
    }

    /// Every record of a table of sealed records (`receipts`, `outbox`), oldest first, and
    /// how many could not be decrypted.
    fn sealed_rows<T: serde::de::DeserializeOwned>(
        &self,
        table: &str,
    ) -> Result<(Vec<(String, T)>, usize), VaultError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT id, data FROM {table} ORDER BY created"))?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        let mut damaged = 0;
        for row in rows {
            let (id, sealed) = row?;
            match self.unseal(&sealed) {
                Some(r) => out.push((id, r)),
                None => damaged += 1,
            }
        }
        Ok((out, damaged))
    }

    /// The citizen's own details ("Mina uppgifter"), if kept; `Damaged` if they cannot be read.
    pub fn profile(&self) -> Result<Option<crate::profile::Profile>, VaultError> {
        let sealed: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT data FROM profile WHERE id = 'me'", [], |r| r.get(0))
            .optional()?;
        match sealed {
            None => Ok(None),
            Some(s) => self
                .unseal(&s)
                .map(Some)
                .ok_or_else(|| VaultError::Damaged("profile".into())),
        }
    }

    /// Keeps the citizen's details, encrypted like drafts; an empty profile is erased.
    pub fn set_profile(&mut self, profile: &crate::profile::Profile) -> Result<(), VaultError> {
        if profile.is_empty() {
            return self.erase_profile();
        }
        let sealed = self.seal(profile)?;
        self.conn.execute(
            "INSERT INTO profile (id, data) VALUES ('me', ?1)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            [sealed],
        )?;
        self.forget()
    }

    /// Erases the citizen's details: the row, and (secure_delete, a WAL checkpoint) the pages
    /// it was on.
    pub fn erase_profile(&mut self) -> Result<(), VaultError> {
        self.conn.execute("DELETE FROM profile", [])?;
        self.forget()
    }

    /// The citizen's details as a passphrase-encrypted file, like an exported draft; `None`
    /// when none are kept.
    pub fn export_profile(&self, passphrase: &Passphrase) -> Result<Option<Vec<u8>>, VaultError> {
        check_new(passphrase)?;
        let Some(profile) = self.profile()? else {
            return Ok(None);
        };
        let plain = zeroize::Zeroizing::new(
            serde_json::to_vec(&ProfileFile {
                format: PROFILE_FORMAT.into(),
                version: 1,
                profile,
            })
            .unwrap_or_default(),
        );
        age::encrypt(&passphrase.recipient(), &plain)
            .map(Some)
            .map_err(|e| VaultError::Crypto(e.to_string()))
    }

    /// Makes the details in a file of [`Vault::export_profile`]'s the kept ones. The file is
    /// not trusted: its details are checked as the profile page checks them (on `today`), and
    /// nothing is kept unless all of them hold.
    pub fn import_profile(
        &mut self,
        file: &[u8],
        passphrase: &Passphrase,
        today: chrono::NaiveDate,
    ) -> Result<(), VaultError> {
        let plain = zeroize::Zeroizing::new(open_file(file, passphrase)?);
        let file: ProfileFile =
            serde_json::from_slice(&plain).map_err(|_| VaultError::NotAnExport)?;
        if file.format != PROFILE_FORMAT {
            return Err(VaultError::NotAnExport);
        }
        let profile = file
            .profile
            .checked(today)
            .map_err(|_| VaultError::NotAnExport)?;
        self.set_profile(&profile)
    }

    /// Puts a submission in the outbox (encrypted like a draft); its id.
    pub fn queue(&mut self, outgoing: &Outgoing) -> Result<String, VaultError> {
        let id = random_id()?;
        let sealed = self.seal(outgoing)?;
        self.conn.execute(
            "INSERT INTO outbox (id, created, data) VALUES (?1, ?2, ?3)",
            params![id, outgoing.created, sealed],
        )?;
        Ok(id)
    }

    /// Records an attempt's outcome (the backoff, the gateway's id).
    pub fn update_queued(&mut self, id: &str, outgoing: &Outgoing) -> Result<(), VaultError> {
        let sealed = self.seal(outgoing)?;
        let n = self.conn.execute(
            "UPDATE outbox SET data = ?2 WHERE id = ?1",
            params![id, sealed],
        )?;
        if n == 0 {
            return Err(VaultError::NotFound(id.to_string()));
        }
        Ok(())
    }

    /// What waits to be sent, oldest first; damaged entries are skipped and counted.
    pub fn outbox(&self) -> Result<(Vec<(String, Outgoing)>, usize), VaultError> {
        self.sealed_rows("outbox")
    }

    /// Takes a submission out of the outbox without sending it.
    pub fn unqueue(&mut self, id: &str) -> Result<(), VaultError> {
        let n = self
            .conn
            .execute("DELETE FROM outbox WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(VaultError::NotFound(id.to_string()));
        }
        self.forget()
    }

    /// The gateway filed the case: in one transaction the receipt is stored and the outbox
    /// entry and its draft (with its attachments) removed, so that nothing is lost and
    /// nothing left behind whatever moment the computer stops. The receipt's id.
    /// `copy` is the PDF of what was sent (file name, bytes), kept sealed beside the receipt
    /// for the citizen to save or print again ([`Vault::receipt_copy`]).
    pub fn submitted(
        &mut self,
        outbox_id: &str,
        receipt: &Receipt,
        copy: Option<(&str, &[u8])>,
    ) -> Result<String, VaultError> {
        let (queued, _) = self.outbox()?;
        let draft = queued
            .iter()
            .find(|(id, _)| id == outbox_id)
            .and_then(|(_, o)| o.draft_id.clone());
        let id = random_id()?;
        let sealed = self.seal(receipt)?;
        let copy = copy
            .map(|(name, data)| {
                self.seal(&StoredAttachment {
                    name: name.to_string(),
                    data: data.to_vec(),
                })
            })
            .transpose()?;
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO receipts (id, created, data) VALUES (?1, ?2, ?3)",
            params![id, now_ms(), sealed],
        )?;
        if let Some(copy) = copy {
            tx.execute(
                "INSERT INTO receipt_copies (receipt, data) VALUES (?1, ?2)",
                params![id, copy],
            )?;
        }
        tx.execute("DELETE FROM outbox WHERE id = ?1", [outbox_id])?;
        if let Some(draft) = &draft {
            tx.execute("DELETE FROM drafts WHERE id = ?1", [draft])?;
            tx.execute("DELETE FROM attachments WHERE draft = ?1", [draft])?;
        }
        tx.commit()?;
        self.forget()?;
        Ok(id)
    }
}

fn rename_attachments(v: &mut Value, remap: &HashMap<String, String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(a)) = m.get_mut("attachment")
                && let Some(new) = remap.get(a.as_str())
            {
                *a = new.clone();
            }
            m.values_mut().for_each(|x| rename_attachments(x, remap));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rename_attachments(x, remap)),
        _ => {}
    }
}
