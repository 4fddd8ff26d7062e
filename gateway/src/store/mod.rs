//! Submissions, signing orders and cases, behind one trait with two implementations: SQLite
//! (one gateway for a municipality) and PostgreSQL (several gateway instances behind a load
//! balancer). Everything that decides an answer lives in the store, never in an instance's
//! memory, so that any instance can answer any request.

mod pg_tls;
mod postgres;
mod sqlite;

pub use postgres::Postgres;
pub use sqlite::Sqlite;

/// An uploaded submission, as stored immutably.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubmission {
    pub id: String,
    /// SHA-256 of the idempotency key: the key itself authorises the client's later calls.
    pub key_hash: String,
    /// SHA-256 of `body`, the exact bytes the client sent.
    pub sha256: String,
    pub flow_id: i64,
    pub family_id: i64,
    pub service_name: String,
    /// The exact bytes uploaded. Empty when read back: status polls, retries and cancels read
    /// only a submission's metadata, and filing reads the body with `Store::body`.
    pub body: Vec<u8>,
    /// SHA-256 of the PDF rendered from `body` at `created_ms` (whole seconds). The PDF is
    /// not stored with the submission: the core renders the same bytes from the same input,
    /// so the case's PDF is made again when it is filed, and must hash the same.
    pub pdf_sha256: String,
    /// The manifest signed as `userNonVisibleData`, byte for byte.
    pub manifest: Vec<u8>,
    /// The text the citizen sees in the BankID app (`userVisibleData`).
    pub visible_text: String,
    pub created_ms: i64,
    /// The applicant's personnummer (12 digits) when the form names one: the only person
    /// BankID lets sign. Found when the upload is checked, so starting an order reads no body.
    pub applicant: Option<String>,
    /// SHA-256 of the flow's definition (JSON) the answers were checked against, stored once in
    /// the store: the case is filed against that version whatever the catalogue holds by then.
    pub flow_sha256: String,
    /// The PDF renderer that made `pdf_sha256` (`etjanst::pdf::RENDERER`): after an upgrade the
    /// PDF is made again before the citizen signs, never after.
    pub renderer: String,
    /// Everyone who must sign, in order (the applicant first); empty when the form names
    /// nobody (anyone may sign, as one).
    pub parties: Vec<Party>,
    /// SHA-256 of the signing code the applicant passes on to the other signers, when there
    /// are others ([`etjanst::submit::signing_code`]).
    pub code_hash: Option<String>,
}

/// One who must sign, from the flow and the answers (`etjanst::fill::signing_parties`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub role: String,
    /// 12 digits: only this person's BankID signs in the role.
    pub personnummer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// How far signing has come: the signatures given, in order, and the other signers' sessions.
/// Changed only by compare-and-set on its revision ([`Store::update_signing`]), so that two
/// instances never record one signature twice or lose one.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Signing {
    #[serde(default)]
    pub signatures: Vec<Signature>,
    /// The role of a signer who declined: final, the submission is not filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declined: Option<String>,
    /// The other computer that opened the submission with the signing code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest: Option<Guest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Signature {
    pub role: String,
    pub personnummer: String,
    pub name: String,
    pub given_name: String,
    pub surname: String,
    pub order_ref: String,
    /// BankID's completion data (JSON), the evidence.
    pub completion: String,
    pub signed_ms: i64,
}

/// A signer's own computer: its key (hashed), and the personnummer its BankID identification
/// proved, if it has: nothing of the application is shown before that.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Guest {
    pub key_hash: String,
    /// The BankID identification order it started, while that is the submission's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identified: Option<String>,
}

/// A BankID order started for a submission.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Order {
    pub order_ref: String,
    pub auto_start_token: String,
    pub qr_start_token: String,
    /// Never leaves the gateway: the QR frames are computed here.
    pub qr_start_secret: String,
    pub started_ms: i64,
    /// The citizen chose "BankID on this computer".
    pub same_device: bool,
    /// The last collect: `pending`, `failed` or `complete`, and its hint code.
    pub status: String,
    pub hint: Option<String>,
    /// Why a completed signature was not filed (`notApplicant`, `caseChanged`): final for this
    /// order, which is never filed nor collected again. A new order clears it.
    pub refusal: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub new: NewSubmission,
    pub order: Option<Order>,
    /// BankID's completion data (JSON), kept as evidence once collected.
    pub completion: Option<String>,
    pub signing: Signing,
    /// The revision `signing` was read at, for [`Store::update_signing`].
    pub signing_rev: i64,
}

/// A filed case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub flow_instance_id: i64,
    pub submission_id: String,
    pub family_id: i64,
    pub flow_id: i64,
    pub xml: Vec<u8>,
    pub pdf: Vec<u8>,
    pub posted_ms: i64,
    pub status_id: i64,
    pub status_changed_ms: i64,
    pub signer_name: String,
    pub signer_personal_number: String,
    pub sha256: String,
    pub completion: String,
    /// Every signer, in the order they signed (JSON: role, name, signedAt); empty for a case
    /// filed before there were several.
    pub signers: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("databasen: {0}")]
    Db(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(e.to_string())
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError::Db(crate::error_chain(&e))
    }
}

/// A signed submission that was not filed, for the municipality to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub submission_id: String,
    pub flow_id: i64,
    pub family_id: i64,
    pub service_name: String,
    pub created_ms: i64,
    pub order_ref: String,
    /// `notApplicant`, `caseChanged`.
    pub refusal: String,
    /// BankID's completion data (JSON): who signed, when, the signature.
    pub completion: Option<String>,
}

/// Whose cases a back-end lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whose {
    /// A flow family's (an e-service over its versions).
    Family(i64),
    /// A citizen's, who signed them: the personnummer, 12 digits.
    Citizen(String),
}

impl Whose {
    /// The `cases` column that says whose a case is.
    fn column(&self) -> &'static str {
        match self {
            Whose::Family(_) => "family_id",
            Whose::Citizen(_) => "signer_pnr",
        }
    }
}

/// What storing a submission did.
#[derive(Debug)]
pub enum Inserted {
    New,
    /// The idempotency key had been used: the submission stored under it.
    Existing(Box<Submission>),
}

#[async_trait::async_trait]
pub trait Store: Send + Sync {
    /// Stores `s` unless its idempotency key is taken, atomically, with the definition of the
    /// flow it was checked against (kept once per `s.flow_sha256`).
    async fn insert_submission(
        &self,
        s: &NewSubmission,
        flow: &[u8],
    ) -> Result<Inserted, StoreError>;
    /// A submission's metadata (its `body` left empty).
    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError>;
    async fn submission_by_key(&self, key_hash: &str) -> Result<Option<Submission>, StoreError>;
    /// The submission a signing code opens, by the code's SHA-256.
    async fn submission_by_code(&self, code_hash: &str) -> Result<Option<Submission>, StoreError>;
    /// Replaces the signing state if it is still at revision `rev`; whether it was.
    async fn update_signing(
        &self,
        id: &str,
        rev: i64,
        signing: &Signing,
    ) -> Result<bool, StoreError>;
    /// The bytes uploaded, until the case is filed.
    async fn body(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// A flow definition stored with a submission, by its SHA-256.
    async fn flow(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// The PDF made again by another renderer before any signature: its hash, the manifest
    /// that names it, and the renderer.
    async fn reprepare(
        &self,
        id: &str,
        pdf_sha256: &str,
        manifest: &[u8],
        renderer: &str,
    ) -> Result<(), StoreError>;
    /// Starts (or restarts, after a failed order) signing.
    async fn set_order(&self, id: &str, order: &Order) -> Result<(), StoreError>;
    /// Takes the right to call BankID's collect for `order_ref` now: only if nobody collected
    /// in the last `gap_ms` and nobody holds the lease, which is then held for `lease_ms` or
    /// until the result is recorded. BankID's collect is one-shot at the end: two instances
    /// must never wait on it at once, and it is called at most every 2 s across all of them.
    async fn claim_collect(
        &self,
        id: &str,
        order_ref: &str,
        now_ms: i64,
        gap_ms: i64,
        lease_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Gives the lease back without a result (BankID did not answer).
    async fn release_collect(&self, id: &str, order_ref: &str) -> Result<(), StoreError>;
    /// Records a collect's result and gives the lease back; `completion` (evidence) is stored
    /// before anything is done with it. Only a pending order changes: `complete` and `failed`
    /// are final. Whether it changed.
    async fn record_collect(
        &self,
        id: &str,
        order_ref: &str,
        status: &str,
        hint: Option<&str>,
        completion: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// A completed signature that will not be filed, and why; final for that order.
    async fn refuse(&self, id: &str, order_ref: &str, code: &str) -> Result<(), StoreError>;
    /// The next number of a sequence (`case`, `file`), never given twice.
    async fn next_id(&self, sequence: &str) -> Result<i64, StoreError>;
    /// OeP's internal user id of a citizen, made on first sight.
    async fn user_id(&self, citizen_identifier: &str) -> Result<i64, StoreError>;
    /// Files a case; when the submission already has one, that one is returned and `case`
    /// dropped. The upload's body goes with it: the case's XML and PDF are what is kept.
    async fn insert_case(&self, case: &Case) -> Result<Case, StoreError>;
    async fn case(&self, flow_instance_id: i64) -> Result<Option<Case>, StoreError>;
    async fn case_of_submission(&self, submission_id: &str) -> Result<Option<Case>, StoreError>;
    /// Cases of a flow family or of a citizen, newest first, without their documents.
    async fn cases_of(&self, whose: Whose) -> Result<Vec<Case>, StoreError>;
    /// Sets a case's status; the event's id, or `None` for no such case.
    async fn set_case_status(
        &self,
        flow_instance_id: i64,
        status_id: i64,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError>;
    async fn count_cases(&self) -> Result<i64, StoreError>;
    /// Signatures that were collected and not filed (kept until the upload is purged), newest
    /// first.
    async fn refused(&self) -> Result<Vec<Refused>, StoreError>;
    /// Deletes what was uploaded before `before_ms` and never filed, unless an order started
    /// after `busy_since_ms` may still be signed; how many.
    async fn purge_unsigned(&self, before_ms: i64, busy_since_ms: i64) -> Result<u64, StoreError>;
    /// The bytes of uploads held and not yet filed, for the cap on pending bytes.
    async fn pending_bytes(&self) -> Result<i64, StoreError>;
    /// One step of a rate limit (GCRA, see `api::limits`) for `key`, atomically: when the key's
    /// time is at most `tolerance_ms` ahead of `now_ms`, moves it `cost_ms` on; otherwise the
    /// ms until it would fit. A cost of 0 only looks.
    async fn take_limit(
        &self,
        key: &str,
        now_ms: i64,
        cost_ms: i64,
        tolerance_ms: i64,
    ) -> Result<Result<(), i64>, StoreError>;
    /// Forgets limits whose time has passed (they are as good as new).
    async fn purge_limits(&self, now_ms: i64) -> Result<u64, StoreError>;
}
