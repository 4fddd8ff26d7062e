//! Submissions, signing orders and cases, behind one trait with two implementations: SQLite
//! (one gateway for a municipality) and PostgreSQL (several gateway instances behind a load
//! balancer). Everything that decides an answer lives in the store, never in an instance's
//! memory, so that any instance can answer any request.

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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub new: NewSubmission,
    pub order: Option<Order>,
    /// BankID's completion data (JSON), kept as evidence once collected.
    pub completion: Option<String>,
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
    /// Stores `s` unless its idempotency key is taken, atomically.
    async fn insert_submission(&self, s: &NewSubmission) -> Result<Inserted, StoreError>;
    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError>;
    async fn submission_by_key(&self, key_hash: &str) -> Result<Option<Submission>, StoreError>;
    /// Starts (or restarts, after a failed order) signing.
    async fn set_order(&self, id: &str, order: &Order) -> Result<(), StoreError>;
    /// Takes the right to call BankID's collect for `order_ref` now: only if nobody collected
    /// in the last `gap_ms` and nobody else holds it. BankID's collect is one-shot at the end
    /// and should be called at most every 2 s, across all instances.
    async fn claim_collect(
        &self,
        id: &str,
        order_ref: &str,
        now_ms: i64,
        gap_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Records a collect's result; `completion` (evidence) before anything else is done with it.
    async fn record_collect(
        &self,
        id: &str,
        order_ref: &str,
        status: &str,
        hint: Option<&str>,
        completion: Option<&str>,
    ) -> Result<(), StoreError>;
    /// The next number of a sequence (`case`, `file`), never given twice.
    async fn next_id(&self, sequence: &str) -> Result<i64, StoreError>;
    /// OeP's internal user id of a citizen, made on first sight.
    async fn user_id(&self, citizen_identifier: &str) -> Result<i64, StoreError>;
    /// Files a case; when the submission already has one, that one is returned and `case` dropped.
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
}
