//! The PostgreSQL store, for several gateway instances on one database. Every decision that
//! must be made once (a key's submission, a submission's case, who collects) is one atomic
//! statement, so instances never need to talk to each other.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::{Client, Row};

use super::*;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    flow_id BIGINT NOT NULL,
    family_id BIGINT NOT NULL,
    service_name TEXT NOT NULL,
    body BYTEA NOT NULL,
    pdf_sha256 TEXT NOT NULL,
    manifest BYTEA NOT NULL,
    visible_text TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    order_ref TEXT,
    auto_start_token TEXT,
    qr_start_token TEXT,
    qr_start_secret TEXT,
    order_started_ms BIGINT,
    same_device BOOLEAN,
    order_status TEXT,
    order_hint TEXT,
    last_collect_ms BIGINT NOT NULL DEFAULT 0,
    completion TEXT
);
-- Added after the first databases were made.
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS applicant TEXT;
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS flow_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS renderer TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS collect_lease_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS order_refusal TEXT;
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS body_bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS parties TEXT NOT NULL DEFAULT '[]';
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS code_hash TEXT;
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS signing TEXT NOT NULL DEFAULT '{}';
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS signing_rev BIGINT NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS submissions_code ON submissions (code_hash) WHERE code_hash IS NOT NULL;
CREATE INDEX IF NOT EXISTS submissions_created ON submissions (created_ms);
-- The unfiled uploads' sizes alone: the cap on pending bytes sums them without visiting the
-- filed submissions' rows.
CREATE INDEX IF NOT EXISTS submissions_pending ON submissions (body_bytes) WHERE body_bytes > 0;
CREATE INDEX IF NOT EXISTS submissions_refused ON submissions (created_ms) WHERE order_refusal IS NOT NULL;
CREATE TABLE IF NOT EXISTS flows (sha256 TEXT PRIMARY KEY, definition BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
    flow_instance_id BIGINT PRIMARY KEY,
    submission_id TEXT NOT NULL UNIQUE,
    family_id BIGINT NOT NULL,
    flow_id BIGINT NOT NULL,
    xml BYTEA NOT NULL,
    pdf BYTEA NOT NULL,
    posted_ms BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    status_changed_ms BIGINT NOT NULL,
    signer_name TEXT NOT NULL,
    signer_pnr TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    completion TEXT NOT NULL
);
ALTER TABLE cases ADD COLUMN IF NOT EXISTS signers TEXT NOT NULL DEFAULT '[]';
CREATE INDEX IF NOT EXISTS cases_family ON cases (family_id, flow_instance_id);
CREATE INDEX IF NOT EXISTS cases_signer ON cases (signer_pnr, flow_instance_id);
CREATE TABLE IF NOT EXISTS limits (key TEXT PRIMARY KEY, tat_ms BIGINT NOT NULL);
CREATE SEQUENCE IF NOT EXISTS case_ids;
CREATE SEQUENCE IF NOT EXISTS file_ids;
CREATE TABLE IF NOT EXISTS users (id BIGSERIAL PRIMARY KEY, citizen_identifier TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS events (id BIGSERIAL PRIMARY KEY, flow_instance_id BIGINT NOT NULL, status_id BIGINT NOT NULL, added_ms BIGINT NOT NULL);
";

/// Every column but the body, which only filing reads (`Store::body`).
const SUBMISSION_COLUMNS: &str = "id, key_hash, sha256, flow_id, family_id, service_name, ''::bytea, pdf_sha256, manifest, visible_text, created_ms, order_ref, auto_start_token, qr_start_token, qr_start_secret, order_started_ms, same_device, order_status, order_hint, completion, applicant, flow_sha256, renderer, order_refusal, parties, code_hash, signing, signing_rev";
const CASE_COLUMNS: &str = "flow_instance_id, submission_id, family_id, flow_id, xml, pdf, posted_ms, status_id, status_changed_ms, signer_name, signer_pnr, sha256, completion, signers";

/// A few connections used in turn: tokio-postgres pipelines the queries on each.
pub struct Postgres {
    clients: Vec<Client>,
    next: AtomicUsize,
}

impl Postgres {
    /// Connects to `url` (`postgres://…`), with TLS as its `sslmode` says (see `pg_tls`).
    pub async fn connect(url: &str) -> Result<Postgres, StoreError> {
        let (config, tls) = super::pg_tls::connect_config(url)?;
        let mut clients = Vec::new();
        for _ in 0..8 {
            let (client, connection) = config.connect(tls.clone()).await?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::error!("PostgreSQL: {e}");
                }
            });
            clients.push(client);
        }
        // Two instances starting at once may both create the schema; the loser's error on an
        // object the winner made is harmless, so it retries once.
        if clients[0].batch_execute(SCHEMA).await.is_err() {
            clients[0].batch_execute(SCHEMA).await?;
        }
        let store = Postgres {
            clients,
            next: AtomicUsize::new(0),
        };
        if store.tls().await? {
            tracing::info!("PostgreSQL: over TLS");
        } else {
            tracing::warn!(
                "PostgreSQL: without TLS; set sslmode=verify-full unless the database is on this host"
            );
        }
        Ok(store)
    }

    /// Whether the connections are encrypted (TLS).
    pub async fn tls(&self) -> Result<bool, StoreError> {
        Ok(self
            .c()
            .query_one(
                "SELECT COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
                &[],
            )
            .await?
            .get(0))
    }

    fn c(&self) -> &Client {
        &self.clients[self.next.fetch_add(1, Ordering::Relaxed) % self.clients.len()]
    }
}

/// A JSON column read as `T`; a value this version cannot read is a database error, not a
/// default that would lose signatures.
fn json_column<T: serde::de::DeserializeOwned>(r: &Row, i: usize) -> Result<T, StoreError> {
    serde_json::from_str(r.get::<_, &str>(i))
        .map_err(|e| StoreError::Db(format!("column {i}: {e}")))
}

fn submission_row(r: &Row) -> Result<Submission, StoreError> {
    let order_ref: Option<String> = r.get(11);
    Ok(Submission {
        new: NewSubmission {
            id: r.get(0),
            key_hash: r.get(1),
            sha256: r.get(2),
            flow_id: r.get(3),
            family_id: r.get(4),
            service_name: r.get(5),
            body: r.get(6),
            pdf_sha256: r.get(7),
            manifest: r.get(8),
            visible_text: r.get(9),
            created_ms: r.get(10),
            applicant: r.get(20),
            flow_sha256: r.get(21),
            renderer: r.get(22),
            parties: json_column(r, 24)?,
            code_hash: r.get(25),
        },
        order: order_ref.map(|order_ref| Order {
            order_ref,
            auto_start_token: r.get(12),
            qr_start_token: r.get(13),
            qr_start_secret: r.get(14),
            started_ms: r.get(15),
            same_device: r.get(16),
            status: r.get(17),
            hint: r.get(18),
            refusal: r.get(23),
        }),
        completion: r.get(19),
        signing: json_column(r, 26)?,
        signing_rev: r.get(27),
    })
}

fn case_row(r: &Row) -> Case {
    Case {
        flow_instance_id: r.get(0),
        submission_id: r.get(1),
        family_id: r.get(2),
        flow_id: r.get(3),
        xml: r.get(4),
        pdf: r.get(5),
        posted_ms: r.get(6),
        status_id: r.get(7),
        status_changed_ms: r.get(8),
        signer_name: r.get(9),
        signer_personal_number: r.get(10),
        sha256: r.get(11),
        completion: r.get(12),
        signers: r.get(13),
    }
}

impl Postgres {
    async fn submission_where(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Option<Submission>, StoreError> {
        let row = self
            .c()
            .query_opt(
                &format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE {column} = $1"),
                &[&value],
            )
            .await?;
        row.as_ref().map(submission_row).transpose()
    }
}

#[async_trait::async_trait]
impl Store for Postgres {
    async fn insert_submission(
        &self,
        s: &NewSubmission,
        flow: &[u8],
    ) -> Result<Inserted, StoreError> {
        let c = self.c();
        c.execute(
            "INSERT INTO flows (sha256, definition) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
            &[&s.flow_sha256, &flow],
        )
        .await?;
        let n = c
            .execute(
                "INSERT INTO submissions (id, key_hash, sha256, flow_id, family_id, service_name, body, pdf_sha256, manifest, visible_text, created_ms, applicant, flow_sha256, renderer, body_bytes, parties, code_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT (key_hash) DO NOTHING",
                &[&s.id, &s.key_hash, &s.sha256, &s.flow_id, &s.family_id, &s.service_name, &s.body, &s.pdf_sha256, &s.manifest, &s.visible_text, &s.created_ms, &s.applicant, &s.flow_sha256, &s.renderer, &(s.body.len() as i64), &serde_json::to_string(&s.parties).unwrap_or_default(), &s.code_hash],
            )
            .await?;
        if n == 1 {
            return Ok(Inserted::New);
        }
        match self.submission_by_key(&s.key_hash).await? {
            Some(existing) => Ok(Inserted::Existing(Box::new(existing))),
            None => Err(StoreError::Db(
                "the idempotency key's submission vanished".into(),
            )),
        }
    }

    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        self.submission_where("id", id).await
    }

    async fn submission_by_key(&self, key_hash: &str) -> Result<Option<Submission>, StoreError> {
        self.submission_where("key_hash", key_hash).await
    }

    async fn submission_by_code(&self, code_hash: &str) -> Result<Option<Submission>, StoreError> {
        self.submission_where("code_hash", code_hash).await
    }

    async fn update_signing(
        &self,
        id: &str,
        rev: i64,
        signing: &Signing,
    ) -> Result<bool, StoreError> {
        let json = serde_json::to_string(signing).unwrap_or_default();
        let n = self
            .c()
            .execute(
                "UPDATE submissions SET signing = $3, signing_rev = $2 + 1 WHERE id = $1 AND signing_rev = $2",
                &[&id, &rev, &json],
            )
            .await?;
        Ok(n == 1)
    }

    async fn body(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self
            .c()
            .query_opt("SELECT body FROM submissions WHERE id = $1", &[&id])
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn flow(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self
            .c()
            .query_opt("SELECT definition FROM flows WHERE sha256 = $1", &[&sha256])
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn reprepare(
        &self,
        id: &str,
        pdf_sha256: &str,
        manifest: &[u8],
        renderer: &str,
    ) -> Result<(), StoreError> {
        self.c()
            .execute(
                "UPDATE submissions SET pdf_sha256 = $2, manifest = $3, renderer = $4 WHERE id = $1",
                &[&id, &pdf_sha256, &manifest, &renderer],
            )
            .await?;
        Ok(())
    }

    async fn set_order(&self, id: &str, o: &Order) -> Result<(), StoreError> {
        self.c()
            .execute(
                "UPDATE submissions SET order_ref = $2, auto_start_token = $3, qr_start_token = $4, qr_start_secret = $5,
                 order_started_ms = $6, same_device = $7, order_status = $8, order_hint = $9, last_collect_ms = 0,
                 collect_lease_ms = 0, order_refusal = NULL
                 WHERE id = $1",
                &[&id, &o.order_ref, &o.auto_start_token, &o.qr_start_token, &o.qr_start_secret, &o.started_ms, &o.same_device, &o.status, &o.hint],
            )
            .await?;
        Ok(())
    }

    async fn claim_collect(
        &self,
        id: &str,
        order_ref: &str,
        now_ms: i64,
        gap_ms: i64,
        lease_ms: i64,
    ) -> Result<bool, StoreError> {
        let n = self
            .c()
            .execute(
                "UPDATE submissions SET last_collect_ms = $3, collect_lease_ms = $5
                 WHERE id = $1 AND order_ref = $2 AND order_status = 'pending' AND last_collect_ms <= $4
                 AND collect_lease_ms <= $3",
                &[&id, &order_ref, &now_ms, &(now_ms - gap_ms), &(now_ms + lease_ms)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn release_collect(&self, id: &str, order_ref: &str) -> Result<(), StoreError> {
        self.c()
            .execute(
                "UPDATE submissions SET collect_lease_ms = 0 WHERE id = $1 AND order_ref = $2",
                &[&id, &order_ref],
            )
            .await?;
        Ok(())
    }

    async fn refuse(&self, id: &str, order_ref: &str, code: &str) -> Result<(), StoreError> {
        self.c()
            .execute(
                "UPDATE submissions SET order_refusal = $3 WHERE id = $1 AND order_ref = $2",
                &[&id, &order_ref, &code],
            )
            .await?;
        Ok(())
    }

    async fn record_collect(
        &self,
        id: &str,
        order_ref: &str,
        status: &str,
        hint: Option<&str>,
        completion: Option<&str>,
    ) -> Result<bool, StoreError> {
        let n = self
            .c()
            .execute(
                "UPDATE submissions SET order_status = $3, order_hint = $4, completion = COALESCE($5, completion),
                 collect_lease_ms = 0
                 WHERE id = $1 AND order_ref = $2 AND order_status = 'pending'",
                &[&id, &order_ref, &status, &hint, &completion],
            )
            .await?;
        Ok(n == 1)
    }

    async fn next_id(&self, sequence: &str) -> Result<i64, StoreError> {
        let seq = match sequence {
            "case" => "case_ids",
            "file" => "file_ids",
            other => return Err(StoreError::Db(format!("no sequence {other}"))),
        };
        let row = self
            .c()
            .query_one(&format!("SELECT nextval('{seq}')"), &[])
            .await?;
        Ok(row.get(0))
    }

    async fn user_id(&self, citizen: &str) -> Result<i64, StoreError> {
        let row = self
            .c()
            .query_one(
                "INSERT INTO users (citizen_identifier) VALUES ($1)
                 ON CONFLICT (citizen_identifier) DO UPDATE SET citizen_identifier = EXCLUDED.citizen_identifier
                 RETURNING id",
                &[&citizen],
            )
            .await?;
        Ok(row.get(0))
    }

    async fn insert_case(&self, k: &Case) -> Result<Case, StoreError> {
        self.c()
            .execute(
                &format!("INSERT INTO cases ({CASE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (submission_id) DO NOTHING"),
                &[&k.flow_instance_id, &k.submission_id, &k.family_id, &k.flow_id, &k.xml, &k.pdf, &k.posted_ms, &k.status_id, &k.status_changed_ms, &k.signer_name, &k.signer_personal_number, &k.sha256, &k.completion, &k.signers],
            )
            .await?;
        self.c()
            .execute(
                "UPDATE submissions SET body = ''::bytea, body_bytes = 0 WHERE id = $1",
                &[&k.submission_id],
            )
            .await?;
        self.case_of_submission(&k.submission_id)
            .await?
            .ok_or_else(|| StoreError::Db("the filed case vanished".into()))
    }

    async fn case(&self, id: i64) -> Result<Option<Case>, StoreError> {
        let row = self
            .c()
            .query_opt(
                &format!("SELECT {CASE_COLUMNS} FROM cases WHERE flow_instance_id = $1"),
                &[&id],
            )
            .await?;
        Ok(row.as_ref().map(case_row))
    }

    async fn case_of_submission(&self, submission_id: &str) -> Result<Option<Case>, StoreError> {
        let row = self
            .c()
            .query_opt(
                &format!("SELECT {CASE_COLUMNS} FROM cases WHERE submission_id = $1"),
                &[&submission_id],
            )
            .await?;
        Ok(row.as_ref().map(case_row))
    }

    async fn cases_of(&self, whose: Whose) -> Result<Vec<Case>, StoreError> {
        let value: &(dyn tokio_postgres::types::ToSql + Sync) = match &whose {
            Whose::Family(family) => family,
            Whose::Citizen(pnr) => pnr,
        };
        let rows = self
            .c()
            .query(
                &format!(
                    "SELECT flow_instance_id, submission_id, family_id, flow_id, ''::bytea, ''::bytea, posted_ms, status_id, status_changed_ms, signer_name, signer_pnr, sha256, '', signers
                     FROM cases WHERE {} = $1 ORDER BY flow_instance_id DESC",
                    whose.column()
                ),
                &[value],
            )
            .await?;
        Ok(rows.iter().map(case_row).collect())
    }

    async fn set_case_status(
        &self,
        id: i64,
        status_id: i64,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let row = self
            .c()
            .query_opt(
                "WITH changed AS (
                     UPDATE cases SET status_id = $2, status_changed_ms = $3 WHERE flow_instance_id = $1 RETURNING flow_instance_id
                 )
                 INSERT INTO events (flow_instance_id, status_id, added_ms)
                 SELECT flow_instance_id, $2, $3 FROM changed RETURNING id",
                &[&id, &status_id, &now_ms],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn count_cases(&self) -> Result<i64, StoreError> {
        Ok(self
            .c()
            .query_one("SELECT count(*) FROM cases", &[])
            .await?
            .get(0))
    }

    async fn refused(&self) -> Result<Vec<Refused>, StoreError> {
        Ok(self
            .c()
            .query(
                "SELECT id, flow_id, family_id, service_name, created_ms, order_ref, order_refusal, completion
                 FROM submissions WHERE order_refusal IS NOT NULL ORDER BY created_ms DESC",
                &[],
            )
            .await?
            .iter()
            .map(|r| Refused {
                submission_id: r.get(0),
                flow_id: r.get(1),
                family_id: r.get(2),
                service_name: r.get(3),
                created_ms: r.get(4),
                order_ref: r.get(5),
                refusal: r.get(6),
                completion: r.get(7),
            })
            .collect())
    }

    async fn purge_unsigned(&self, before_ms: i64, busy_since_ms: i64) -> Result<u64, StoreError> {
        let c = self.c();
        let n = c
            .execute(
                "DELETE FROM submissions WHERE created_ms < $1
                 AND NOT EXISTS (SELECT 1 FROM cases WHERE cases.submission_id = submissions.id)
                 AND NOT (order_status IS NOT DISTINCT FROM 'pending' AND order_started_ms >= $2)",
                &[&before_ms, &busy_since_ms],
            )
            .await?;
        Ok(n)
    }

    async fn pending_bytes(&self) -> Result<i64, StoreError> {
        Ok(self
            .c()
            .query_one(
                "SELECT COALESCE(SUM(body_bytes), 0)::bigint FROM submissions WHERE body_bytes > 0",
                &[],
            )
            .await?
            .get(0))
    }

    async fn take_limit(
        &self,
        key: &str,
        now_ms: i64,
        cost_ms: i64,
        tolerance_ms: i64,
    ) -> Result<Result<(), i64>, StoreError> {
        let taken = self
            .c()
            .query_opt(
                "INSERT INTO limits (key, tat_ms) VALUES ($1, $2::bigint + $3::bigint)
                 ON CONFLICT (key) DO UPDATE SET tat_ms = GREATEST(limits.tat_ms, $2) + $3
                 WHERE limits.tat_ms <= $2::bigint + $4::bigint
                 RETURNING tat_ms",
                &[&key, &now_ms, &cost_ms, &tolerance_ms],
            )
            .await?;
        if taken.is_some() {
            return Ok(Ok(()));
        }
        let tat: i64 = self
            .c()
            .query_one("SELECT tat_ms FROM limits WHERE key = $1", &[&key])
            .await?
            .get(0);
        Ok(Err(tat - now_ms - tolerance_ms))
    }

    async fn purge_limits(&self, now_ms: i64) -> Result<u64, StoreError> {
        Ok(self
            .c()
            .execute("DELETE FROM limits WHERE tat_ms < $1", &[&now_ms])
            .await?)
    }
}
