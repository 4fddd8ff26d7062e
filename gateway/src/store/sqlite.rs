//! The SQLite store: one file in WAL mode with `synchronous=FULL` (a filed case survives a
//! power cut). One writer thread commits the writes that arrive together in one transaction
//! (group commit: one fsync for many), readers read beside it.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use super::*;

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA busy_timeout = 5000;
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    flow_id INTEGER NOT NULL,
    family_id INTEGER NOT NULL,
    service_name TEXT NOT NULL,
    body BLOB NOT NULL,
    pdf_sha256 TEXT NOT NULL,
    manifest BLOB NOT NULL,
    visible_text TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    order_ref TEXT,
    auto_start_token TEXT,
    qr_start_token TEXT,
    qr_start_secret TEXT,
    order_started_ms INTEGER,
    same_device INTEGER,
    order_status TEXT,
    order_hint TEXT,
    last_collect_ms INTEGER NOT NULL DEFAULT 0,
    completion TEXT,
    applicant TEXT,
    flow_sha256 TEXT NOT NULL DEFAULT '',
    renderer TEXT NOT NULL DEFAULT '',
    collect_lease_ms INTEGER NOT NULL DEFAULT 0,
    order_refusal TEXT,
    body_bytes INTEGER NOT NULL DEFAULT 0,
    parties TEXT NOT NULL DEFAULT '[]',
    code_hash TEXT,
    signing TEXT NOT NULL DEFAULT '{}',
    signing_rev INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS submissions_code ON submissions (code_hash) WHERE code_hash IS NOT NULL;
CREATE INDEX IF NOT EXISTS submissions_created ON submissions (created_ms);
-- The unfiled uploads' sizes alone: the cap on pending bytes sums them without visiting the
-- filed submissions' rows.
CREATE INDEX IF NOT EXISTS submissions_pending ON submissions (body_bytes) WHERE body_bytes > 0;
CREATE INDEX IF NOT EXISTS submissions_refused ON submissions (created_ms) WHERE order_refusal IS NOT NULL;
CREATE TABLE IF NOT EXISTS flows (sha256 TEXT PRIMARY KEY, definition BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
    flow_instance_id INTEGER PRIMARY KEY,
    submission_id TEXT NOT NULL UNIQUE,
    family_id INTEGER NOT NULL,
    flow_id INTEGER NOT NULL,
    xml BLOB NOT NULL,
    pdf BLOB NOT NULL,
    posted_ms INTEGER NOT NULL,
    status_id INTEGER NOT NULL,
    status_changed_ms INTEGER NOT NULL,
    signer_name TEXT NOT NULL,
    signer_pnr TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    completion TEXT NOT NULL,
    signers TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS cases_family ON cases (family_id, flow_instance_id);
CREATE INDEX IF NOT EXISTS cases_signer ON cases (signer_pnr, flow_instance_id);
CREATE TABLE IF NOT EXISTS limits (key TEXT PRIMARY KEY, tat_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY AUTOINCREMENT, citizen_identifier TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, flow_instance_id INTEGER NOT NULL, status_id INTEGER NOT NULL, added_ms INTEGER NOT NULL);
";

/// Every column but the body, which only filing reads (`Store::body`).
const SUBMISSION_COLUMNS: &str = "id, key_hash, sha256, flow_id, family_id, service_name, x'', pdf_sha256, manifest, visible_text, created_ms, order_ref, auto_start_token, qr_start_token, qr_start_secret, order_started_ms, same_device, order_status, order_hint, completion, applicant, flow_sha256, renderer, order_refusal, parties, code_hash, signing, signing_rev";

/// Columns added after the first databases were made, added to older files on opening
/// (SQLite has no `ADD COLUMN IF NOT EXISTS`).
const ADDED_COLUMNS: [(&str, &str, &str); 11] = [
    ("submissions", "applicant", "TEXT"),
    ("submissions", "flow_sha256", "TEXT NOT NULL DEFAULT ''"),
    ("submissions", "renderer", "TEXT NOT NULL DEFAULT ''"),
    (
        "submissions",
        "collect_lease_ms",
        "INTEGER NOT NULL DEFAULT 0",
    ),
    ("submissions", "order_refusal", "TEXT"),
    ("submissions", "body_bytes", "INTEGER NOT NULL DEFAULT 0"),
    ("submissions", "parties", "TEXT NOT NULL DEFAULT '[]'"),
    ("submissions", "code_hash", "TEXT"),
    ("submissions", "signing", "TEXT NOT NULL DEFAULT '{}'"),
    ("submissions", "signing_rev", "INTEGER NOT NULL DEFAULT 0"),
    ("cases", "signers", "TEXT NOT NULL DEFAULT '[]'"),
];
const CASE_COLUMNS: &str = "flow_instance_id, submission_id, family_id, flow_id, xml, pdf, posted_ms, status_id, status_changed_ms, signer_name, signer_pnr, sha256, completion, signers";

/// A write and what to tell its caller once the batch it ran in is committed (or not).
type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> Reply + Send>;

/// Readers: WAL lets them read while the writer writes.
const READERS: usize = 4;

#[derive(Clone)]
pub struct Sqlite {
    jobs: std::sync::mpsc::Sender<Job>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: Arc<std::sync::atomic::AtomicUsize>,
}

impl Sqlite {
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let writer = Connection::open(path)?;
        // Columns first: the schema's new index may name one an older file lacks.
        let has_table: bool = writer.query_row(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = 'submissions'",
            [],
            |r| r.get(0),
        )?;
        if has_table {
            for (table, column, declaration) in ADDED_COLUMNS {
                let has: bool = writer.query_row(
                    "SELECT COUNT(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
                    [table, column],
                    |r| r.get(0),
                )?;
                if !has {
                    writer.execute_batch(&format!(
                        "ALTER TABLE {table} ADD COLUMN {column} {declaration};"
                    ))?;
                    if column == "body_bytes" {
                        writer.execute_batch(
                            "UPDATE submissions SET body_bytes = length(body) WHERE length(body) > 0;",
                        )?;
                    }
                }
            }
        }
        writer.execute_batch(SCHEMA)?;
        let mut readers = Vec::new();
        for _ in 0..READERS {
            let r = Connection::open(path)?;
            r.execute_batch("PRAGMA busy_timeout = 5000;")?;
            readers.push(Mutex::new(r));
        }
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_loop(&writer, &queue))
            .map_err(|e| StoreError::Db(e.to_string()))?;
        Ok(Sqlite {
            jobs,
            readers: Arc::new(readers),
            next_reader: Arc::default(),
        })
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        let readers = self.readers.clone();
        let i = self
            .next_reader
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            % READERS;
        tokio::task::spawn_blocking(move || {
            let c = readers[i].lock().unwrap_or_else(|e| e.into_inner());
            f(&c).map_err(StoreError::from)
        })
        .await
        .map_err(|e| StoreError::Db(e.to_string()))?
    }

    /// Runs `f` on the writer, in a batch with the writes that arrived meanwhile (group
    /// commit: one fsync for many), and answers once that batch is durable.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, StoreError>>();
        let job: Job = Box::new(move |c| {
            // A savepoint per write: one failing leaves the others of its batch standing.
            let result = c.execute_batch("SAVEPOINT w").and_then(|()| match f(c) {
                Ok(v) => c.execute_batch("RELEASE w").map(|()| v),
                Err(e) => {
                    let _ = c.execute_batch("ROLLBACK TO w; RELEASE w");
                    Err(e)
                }
            });
            Box::new(move |commit: Result<(), String>| {
                let outcome = match (commit, result) {
                    (Ok(()), r) => r.map_err(StoreError::from),
                    (Err(e), _) => Err(StoreError::Db(e)),
                };
                let _ = tx.send(outcome);
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| StoreError::Db("the SQLite writer has stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Db("the SQLite writer has stopped".into()))?
    }
}

fn write_loop(c: &Connection, queue: &std::sync::mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < 256 {
            match queue.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        // Should BEGIN fail (the file locked by another program), each write's own
        // savepoint fails the same way, and every caller hears of it.
        let begun = c
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| e.to_string());
        let replies: Vec<Reply> = batch.into_iter().map(|j| j(c)).collect();
        let commit = begun.and_then(|()| c.execute_batch("COMMIT").map_err(|e| e.to_string()));
        if commit.is_err() {
            let _ = c.execute_batch("ROLLBACK");
        }
        for reply in replies {
            reply(commit.clone());
        }
    }
}

fn submission_row(r: &rusqlite::Row) -> rusqlite::Result<Submission> {
    let order_ref: Option<String> = r.get(11)?;
    let order = match order_ref {
        Some(order_ref) => Some(Order {
            order_ref,
            auto_start_token: r.get(12)?,
            qr_start_token: r.get(13)?,
            qr_start_secret: r.get(14)?,
            started_ms: r.get(15)?,
            same_device: r.get(16)?,
            status: r.get(17)?,
            hint: r.get(18)?,
            refusal: r.get(23)?,
        }),
        None => None,
    };
    Ok(Submission {
        new: NewSubmission {
            id: r.get(0)?,
            key_hash: r.get(1)?,
            sha256: r.get(2)?,
            flow_id: r.get(3)?,
            family_id: r.get(4)?,
            service_name: r.get(5)?,
            body: r.get(6)?,
            pdf_sha256: r.get(7)?,
            manifest: r.get(8)?,
            visible_text: r.get(9)?,
            created_ms: r.get(10)?,
            applicant: r.get(20)?,
            flow_sha256: r.get(21)?,
            renderer: r.get(22)?,
            parties: json_column(r, 24)?,
            code_hash: r.get(25)?,
        },
        order,
        completion: r.get(19)?,
        signing: json_column(r, 26)?,
        signing_rev: r.get(27)?,
    })
}

/// A JSON column read as `T`; a value this version cannot read is a database error, not a
/// default that would lose signatures.
fn json_column<T: serde::de::DeserializeOwned>(r: &rusqlite::Row, i: usize) -> rusqlite::Result<T> {
    let text: String = r.get(i)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn case_row(r: &rusqlite::Row) -> rusqlite::Result<Case> {
    Ok(Case {
        flow_instance_id: r.get(0)?,
        submission_id: r.get(1)?,
        family_id: r.get(2)?,
        flow_id: r.get(3)?,
        xml: r.get(4)?,
        pdf: r.get(5)?,
        posted_ms: r.get(6)?,
        status_id: r.get(7)?,
        status_changed_ms: r.get(8)?,
        signer_name: r.get(9)?,
        signer_personal_number: r.get(10)?,
        sha256: r.get(11)?,
        completion: r.get(12)?,
        signers: r.get(13)?,
    })
}

fn get_submission(
    c: &Connection,
    column: &str,
    value: &str,
) -> rusqlite::Result<Option<Submission>> {
    c.query_row(
        &format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE {column} = ?1"),
        [value],
        submission_row,
    )
    .optional()
}

fn get_case(
    c: &Connection,
    column: &str,
    value: &dyn rusqlite::ToSql,
) -> rusqlite::Result<Option<Case>> {
    c.query_row(
        &format!("SELECT {CASE_COLUMNS} FROM cases WHERE {column} = ?1"),
        [value],
        case_row,
    )
    .optional()
}

#[async_trait::async_trait]
impl Store for Sqlite {
    async fn insert_submission(
        &self,
        s: &NewSubmission,
        flow: &[u8],
    ) -> Result<Inserted, StoreError> {
        let (s, flow) = (s.clone(), flow.to_vec());
        self.write(move |c| {
            if let Some(existing) = get_submission(c, "key_hash", &s.key_hash)? {
                return Ok(Inserted::Existing(Box::new(existing)));
            }
            c.execute(
                "INSERT INTO flows (sha256, definition) VALUES (?1, ?2) ON CONFLICT (sha256) DO NOTHING",
                params![s.flow_sha256, flow],
            )?;
            c.execute(
                "INSERT INTO submissions (id, key_hash, sha256, flow_id, family_id, service_name, body, pdf_sha256, manifest, visible_text, created_ms, applicant, flow_sha256, renderer, body_bytes, parties, code_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, length(?7), ?15, ?16)",
                params![s.id, s.key_hash, s.sha256, s.flow_id, s.family_id, s.service_name, s.body, s.pdf_sha256, s.manifest, s.visible_text, s.created_ms, s.applicant, s.flow_sha256, s.renderer, serde_json::to_string(&s.parties).unwrap_or_default(), s.code_hash],
            )?;
            Ok(Inserted::New)
        })
        .await
    }

    async fn body(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let id = id.to_string();
        self.read(move |c| {
            c.query_row("SELECT body FROM submissions WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
        })
        .await
    }

    async fn flow(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let sha256 = sha256.to_string();
        self.read(move |c| {
            c.query_row(
                "SELECT definition FROM flows WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()
        })
        .await
    }

    async fn reprepare(
        &self,
        id: &str,
        pdf_sha256: &str,
        manifest: &[u8],
        renderer: &str,
    ) -> Result<(), StoreError> {
        let (id, pdf_sha256, manifest, renderer) = (
            id.to_string(),
            pdf_sha256.to_string(),
            manifest.to_vec(),
            renderer.to_string(),
        );
        self.write(move |c| {
            c.execute(
                "UPDATE submissions SET pdf_sha256 = ?2, manifest = ?3, renderer = ?4 WHERE id = ?1",
                params![id, pdf_sha256, manifest, renderer],
            )?;
            Ok(())
        })
        .await
    }

    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        let id = id.to_string();
        self.read(move |c| get_submission(c, "id", &id)).await
    }

    async fn submission_by_key(&self, key_hash: &str) -> Result<Option<Submission>, StoreError> {
        let key = key_hash.to_string();
        self.read(move |c| get_submission(c, "key_hash", &key))
            .await
    }

    async fn submission_by_code(&self, code_hash: &str) -> Result<Option<Submission>, StoreError> {
        let code = code_hash.to_string();
        self.read(move |c| get_submission(c, "code_hash", &code))
            .await
    }

    async fn update_signing(
        &self,
        id: &str,
        rev: i64,
        signing: &Signing,
    ) -> Result<bool, StoreError> {
        let (id, json) = (
            id.to_string(),
            serde_json::to_string(signing).unwrap_or_default(),
        );
        self.write(move |c| {
            let n = c.execute(
                "UPDATE submissions SET signing = ?3, signing_rev = ?2 + 1 WHERE id = ?1 AND signing_rev = ?2",
                params![id, rev, json],
            )?;
            Ok(n == 1)
        })
        .await
    }

    async fn set_order(&self, id: &str, o: &Order) -> Result<(), StoreError> {
        let (id, o) = (id.to_string(), o.clone());
        self.write(move |c| {
            c.execute(
                "UPDATE submissions SET order_ref = ?2, auto_start_token = ?3, qr_start_token = ?4, qr_start_secret = ?5,
                 order_started_ms = ?6, same_device = ?7, order_status = ?8, order_hint = ?9, last_collect_ms = 0,
                 collect_lease_ms = 0, order_refusal = NULL
                 WHERE id = ?1",
                params![id, o.order_ref, o.auto_start_token, o.qr_start_token, o.qr_start_secret, o.started_ms, o.same_device, o.status, o.hint],
            )?;
            Ok(())
        })
        .await
    }

    async fn claim_collect(
        &self,
        id: &str,
        order_ref: &str,
        now_ms: i64,
        gap_ms: i64,
        lease_ms: i64,
    ) -> Result<bool, StoreError> {
        let (id, order_ref) = (id.to_string(), order_ref.to_string());
        self.write(move |c| {
            let n = c.execute(
                "UPDATE submissions SET last_collect_ms = ?3, collect_lease_ms = ?5
                 WHERE id = ?1 AND order_ref = ?2 AND order_status = 'pending' AND last_collect_ms <= ?4
                 AND collect_lease_ms <= ?3",
                params![id, order_ref, now_ms, now_ms - gap_ms, now_ms + lease_ms],
            )?;
            Ok(n == 1)
        })
        .await
    }

    async fn release_collect(&self, id: &str, order_ref: &str) -> Result<(), StoreError> {
        let (id, order_ref) = (id.to_string(), order_ref.to_string());
        self.write(move |c| {
            c.execute(
                "UPDATE submissions SET collect_lease_ms = 0 WHERE id = ?1 AND order_ref = ?2",
                params![id, order_ref],
            )?;
            Ok(())
        })
        .await
    }

    async fn refuse(&self, id: &str, order_ref: &str, code: &str) -> Result<(), StoreError> {
        let (id, order_ref, code) = (id.to_string(), order_ref.to_string(), code.to_string());
        self.write(move |c| {
            c.execute(
                "UPDATE submissions SET order_refusal = ?3 WHERE id = ?1 AND order_ref = ?2",
                params![id, order_ref, code],
            )?;
            Ok(())
        })
        .await
    }

    async fn record_collect(
        &self,
        id: &str,
        order_ref: &str,
        status: &str,
        hint: Option<&str>,
        completion: Option<&str>,
    ) -> Result<bool, StoreError> {
        let (id, order_ref, status) = (id.to_string(), order_ref.to_string(), status.to_string());
        let (hint, completion) = (hint.map(str::to_string), completion.map(str::to_string));
        self.write(move |c| {
            let n = c.execute(
                "UPDATE submissions SET order_status = ?3, order_hint = ?4, completion = COALESCE(?5, completion),
                 collect_lease_ms = 0
                 WHERE id = ?1 AND order_ref = ?2 AND order_status = 'pending'",
                params![id, order_ref, status, hint, completion],
            )?;
            Ok(n == 1)
        })
        .await
    }

    async fn next_id(&self, sequence: &str) -> Result<i64, StoreError> {
        let name = sequence.to_string();
        self.write(move |c| {
            c.query_row(
                "INSERT INTO sequences (name, value) VALUES (?1, 1)
                 ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
                [name],
                |r| r.get(0),
            )
        })
        .await
    }

    async fn user_id(&self, citizen: &str) -> Result<i64, StoreError> {
        let citizen = citizen.to_string();
        self.write(move |c| {
            c.query_row(
                "INSERT INTO users (citizen_identifier) VALUES (?1)
                 ON CONFLICT (citizen_identifier) DO UPDATE SET citizen_identifier = excluded.citizen_identifier
                 RETURNING id",
                [citizen],
                |r| r.get(0),
            )
        })
        .await
    }

    async fn insert_case(&self, k: &Case) -> Result<Case, StoreError> {
        let k = k.clone();
        self.write(move |c| {
            if let Some(existing) = get_case(c, "submission_id", &k.submission_id)? {
                return Ok(existing);
            }
            c.execute(
                &format!("INSERT INTO cases ({CASE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
                params![k.flow_instance_id, k.submission_id, k.family_id, k.flow_id, k.xml, k.pdf, k.posted_ms, k.status_id, k.status_changed_ms, k.signer_name, k.signer_personal_number, k.sha256, k.completion, k.signers],
            )?;
            c.execute(
                "UPDATE submissions SET body = x'', body_bytes = 0 WHERE id = ?1",
                [&k.submission_id],
            )?;
            Ok(k)
        })
        .await
    }

    async fn case(&self, id: i64) -> Result<Option<Case>, StoreError> {
        self.read(move |c| get_case(c, "flow_instance_id", &id))
            .await
    }

    async fn case_of_submission(&self, submission_id: &str) -> Result<Option<Case>, StoreError> {
        let id = submission_id.to_string();
        self.read(move |c| get_case(c, "submission_id", &id)).await
    }

    async fn cases_of(&self, whose: Whose) -> Result<Vec<Case>, StoreError> {
        self.read(move |c| {
            let column = whose.column();
            let value = match whose {
                Whose::Family(family) => rusqlite::types::Value::Integer(family),
                Whose::Citizen(pnr) => rusqlite::types::Value::Text(pnr),
            };
            c.prepare(&format!(
                "SELECT flow_instance_id, submission_id, family_id, flow_id, x'', x'', posted_ms, status_id, status_changed_ms, signer_name, signer_pnr, sha256, '', signers
                 FROM cases WHERE {column} = ?1 ORDER BY flow_instance_id DESC"
            ))?
            .query_map([value], case_row)?
            .collect()
        })
        .await
    }

    async fn set_case_status(
        &self,
        id: i64,
        status_id: i64,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        self.write(move |c| {
            let n = c.execute(
                "UPDATE cases SET status_id = ?2, status_changed_ms = ?3 WHERE flow_instance_id = ?1",
                params![id, status_id, now_ms],
            )?;
            if n == 0 {
                return Ok(None);
            }
            c.execute(
                "INSERT INTO events (flow_instance_id, status_id, added_ms) VALUES (?1, ?2, ?3)",
                params![id, status_id, now_ms],
            )?;
            Ok(Some(c.last_insert_rowid()))
        })
        .await
    }

    async fn count_cases(&self) -> Result<i64, StoreError> {
        self.read(|c| c.query_row("SELECT count(*) FROM cases", [], |r| r.get(0)))
            .await
    }

    async fn refused(&self) -> Result<Vec<Refused>, StoreError> {
        self.read(|c| {
            let mut q = c.prepare(
                "SELECT id, flow_id, family_id, service_name, created_ms, order_ref, order_refusal, completion
                 FROM submissions WHERE order_refusal IS NOT NULL ORDER BY created_ms DESC",
            )?;
            q.query_map([], |r| {
                Ok(Refused {
                    submission_id: r.get(0)?,
                    flow_id: r.get(1)?,
                    family_id: r.get(2)?,
                    service_name: r.get(3)?,
                    created_ms: r.get(4)?,
                    order_ref: r.get(5)?,
                    refusal: r.get(6)?,
                    completion: r.get(7)?,
                })
            })?
            .collect()
        })
        .await
    }

    async fn purge_unsigned(&self, before_ms: i64, busy_since_ms: i64) -> Result<u64, StoreError> {
        self.write(move |c| {
            let n = c.execute(
                "DELETE FROM submissions WHERE created_ms < ?1
                 AND NOT EXISTS (SELECT 1 FROM cases WHERE cases.submission_id = submissions.id)
                 AND NOT (order_status IS 'pending' AND order_started_ms >= ?2)",
                params![before_ms, busy_since_ms],
            )?;
            Ok(n as u64)
        })
        .await
    }

    async fn pending_bytes(&self) -> Result<i64, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT COALESCE(SUM(body_bytes), 0) FROM submissions WHERE body_bytes > 0",
                [],
                |r| r.get(0),
            )
        })
        .await
    }

    async fn take_limit(
        &self,
        key: &str,
        now_ms: i64,
        cost_ms: i64,
        tolerance_ms: i64,
    ) -> Result<Result<(), i64>, StoreError> {
        let key = key.to_string();
        self.write(move |c| {
            let taken: Option<i64> = c
                .query_row(
                    "INSERT INTO limits (key, tat_ms) VALUES (?1, ?2 + ?3)
                     ON CONFLICT (key) DO UPDATE SET tat_ms = max(tat_ms, ?2) + ?3
                     WHERE tat_ms <= ?2 + ?4
                     RETURNING tat_ms",
                    params![key, now_ms, cost_ms, tolerance_ms],
                    |r| r.get(0),
                )
                .optional()?;
            if taken.is_some() {
                return Ok(Ok(()));
            }
            let tat: i64 =
                c.query_row("SELECT tat_ms FROM limits WHERE key = ?1", [&key], |r| {
                    r.get(0)
                })?;
            Ok(Err(tat - now_ms - tolerance_ms))
        })
        .await
    }

    async fn purge_limits(&self, now_ms: i64) -> Result<u64, StoreError> {
        self.write(move |c| {
            c.execute("DELETE FROM limits WHERE tat_ms < ?1", [now_ms])
                .map(|n| n as u64)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_database_from_before_the_added_columns_gets_them_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gateway.sqlite");
        let mut s = NewSubmission {
            id: "s1".into(),
            key_hash: "k1".into(),
            sha256: "aa".into(),
            flow_id: 3001,
            family_id: 301,
            service_name: "Ekonomiskt bistånd".into(),
            body: b"{}".to_vec(),
            pdf_sha256: "bb".into(),
            manifest: b"{}".to_vec(),
            visible_text: "text".into(),
            created_ms: 1,
            applicant: None,
            flow_sha256: "ff".into(),
            renderer: "1".into(),
            parties: Vec::new(),
            code_hash: None,
        };
        {
            let old = Connection::open(&path).unwrap();
            old.execute_batch(SCHEMA).unwrap();
            old.execute_batch("DROP INDEX submissions_created; DROP INDEX submissions_pending; DROP INDEX submissions_refused; DROP INDEX submissions_code;")
                .unwrap();
            for (table, column, _) in ADDED_COLUMNS {
                old.execute_batch(&format!("ALTER TABLE {table} DROP COLUMN {column};"))
                    .unwrap();
            }
            old.execute(
                "INSERT INTO submissions (id, key_hash, sha256, flow_id, family_id, service_name, body, pdf_sha256, manifest, visible_text, created_ms)
                 VALUES ('s0', 'k0', 'aa', 3001, 301, 'x', x'00ff00', 'bb', x'', 't', 0)",
                [],
            )
            .unwrap();
        }
        let store = Sqlite::open(&path).unwrap();
        assert!(
            store.submission("s0").await.unwrap().is_some(),
            "the old row"
        );
        s.applicant = Some("199908072391".into());
        store.insert_submission(&s, b"{}").await.unwrap();
        let back = store.submission("s1").await.unwrap().unwrap();
        assert_eq!(back.new.applicant.as_deref(), Some("199908072391"));
        assert_eq!(back.new.renderer, "1");
        assert!(back.new.body.is_empty(), "metadata only");
        assert_eq!(store.body("s1").await.unwrap().unwrap(), b"{}");
        assert_eq!(store.flow("ff").await.unwrap().unwrap(), b"{}");
        assert_eq!(
            store.pending_bytes().await.unwrap(),
            3 + 2,
            "the old row's body is counted too"
        );
        drop(store);
        Sqlite::open(&path).expect("opened again: the column is not added twice");
    }
}
