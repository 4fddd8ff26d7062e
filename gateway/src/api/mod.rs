//! The gateway's HTTP API: the citizen's submission and signing calls (`/api/v1`) and the
//! catalogue bundle on the citizens' listener; the municipality's Open ePlatform-compatible
//! case API (`/api/instanceapi`) on a listener of its own, which need not be reachable from
//! the internet at all.

mod cases;
mod client_ip;
mod guest;
mod limits;
mod listen;
mod orders;
mod parties;
mod prepare;
mod signing;
mod statuses;
mod submissions;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::bankid::RpClient;
use crate::store::{Store, StoreError};

pub use cases::weak_api_key;
pub use client_ip::TrustedProxies;
pub use listen::Deadlines;

/// What a gateway serves and with what.
pub struct Settings {
    pub catalogue: etjanst::catalogue::Catalogue,
    pub bankid: RpClient,
    pub store: Arc<dyn Store>,
    /// The key the municipality's back-ends present to the case API.
    pub api_key: String,
    /// The municipality, as named in the BankID app and the manifest.
    pub organisation: String,
    pub organisation_number: String,
    /// The largest upload accepted, in bytes (answers and attachments, base64 included).
    pub max_body: usize,
    /// Uploads a single address (an IPv6 client's /64) may start per minute, and as many
    /// signing orders; 0 for no limit.
    pub uploads_per_minute: u32,
    /// Status polls per submission and minute (the clients poll once a second); 0 for no limit.
    pub polls_per_minute: u32,
    /// Failed case-API logins an address may make per minute before it is refused (429)
    /// without its key being looked at; 0 for no limit.
    pub failed_logins_per_minute: u32,
    /// Request deadlines and the cap on open connections.
    pub deadlines: Deadlines,
    /// The reverse proxies and load balancers whose `X-Forwarded-For` names the citizen.
    pub trusted_proxies: TrustedProxies,
    /// How often BankID is collected for one order, whatever the clients poll.
    pub collect_interval: Duration,
    /// The municipality's signed catalogue bundle.
    pub bundle: Option<PathBuf>,
    /// The PDF renderer this gateway runs (`etjanst::pdf::RENDERER`); uploads made by another
    /// get their PDF made again before they are signed.
    pub renderer: String,
    /// How long an upload that nobody signs is kept before it is purged.
    pub pending_ttl: Duration,
    /// The most bytes of unfiled uploads held at once, across instances; past it uploads are
    /// answered 503 before the disk fills.
    pub max_pending_bytes: u64,
}

impl Settings {
    /// A gateway with the command line's defaults for everything but what it must be told.
    pub fn new(
        catalogue: etjanst::catalogue::Catalogue,
        bankid: RpClient,
        store: Arc<dyn Store>,
        api_key: String,
    ) -> Settings {
        Settings {
            catalogue,
            bankid,
            store,
            api_key,
            organisation: "Testkommunen".into(),
            organisation_number: "212000-0000".into(),
            max_body: 25 * 1024 * 1024,
            uploads_per_minute: 30,
            polls_per_minute: 90,
            failed_logins_per_minute: 10,
            deadlines: Deadlines::default(),
            trusted_proxies: TrustedProxies::loopback(),
            collect_interval: Duration::from_secs(2),
            bundle: None,
            renderer: etjanst::pdf::RENDERER.into(),
            pending_ttl: Duration::from_secs(24 * 3600),
            max_pending_bytes: 4 << 30,
        }
    }
}

pub(crate) struct Gateway {
    settings: Settings,
    /// Per address: uploads, BankID orders started, failed case-API logins; per submission:
    /// status polls.
    uploads: Option<limits::Limit>,
    orders: Option<limits::Limit>,
    logins: Option<limits::Limit>,
    /// Wrong signing codes per address, as failed logins.
    codes: Option<limits::Limit>,
    polls: Option<limits::Limit>,
    /// CPU work (the core's checks, the PDF) runs at most once per core at a time, first
    /// come first served: under load, requests queue in order instead of all slowing down
    /// together, which keeps the slowest close to the typical one.
    cpu: tokio::sync::Semaphore,
    /// The bytes of upload bodies held in memory at once, in KiB: a few large uploads wait
    /// their turn (503, retried by the client) instead of exhausting the memory.
    in_flight: tokio::sync::Semaphore,
    /// The pending bytes last counted in the store, and when (counted at most once a second).
    pending: std::sync::Mutex<Option<(std::time::Instant, i64)>>,
}

/// The in-flight budget: eight of the largest uploads.
fn in_flight_kib(max_body: usize) -> usize {
    (max_body.max(1 << 20) * 8) >> 10
}

impl Gateway {
    /// Takes one request under `limit` for `key`: `Err` is the 429 to answer, saying `what`.
    async fn limit(
        &self,
        limit: &Option<limits::Limit>,
        key: &str,
        what: &str,
    ) -> Result<Result<(), Response>, StoreError> {
        let Some(limit) = limit else {
            return Ok(Ok(()));
        };
        Ok(limit
            .take(&*self.settings.store, key)
            .await?
            .map_err(|wait| too_many(wait, what)))
    }

    /// A share of the in-flight budget for a body of `bytes`, if there is room now.
    fn in_flight(&self, bytes: u64) -> Option<tokio::sync::SemaphorePermit<'_>> {
        let kib = u32::try_from(bytes.div_ceil(1024).max(1)).unwrap_or(u32::MAX);
        self.in_flight.try_acquire_many(kib).ok()
    }

    /// Whether the unfiled uploads stored (by every instance) have reached the cap.
    async fn pending_full(&self) -> Result<bool, StoreError> {
        let recent = self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .filter(|(at, _)| at.elapsed() < Duration::from_secs(1));
        let bytes = match recent {
            Some((_, bytes)) => bytes,
            None => {
                let bytes = self.settings.store.pending_bytes().await?;
                *self.pending.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((std::time::Instant::now(), bytes));
                bytes
            }
        };
        Ok(bytes as u64 >= self.settings.max_pending_bytes)
    }
}

type Shared = Arc<Gateway>;

/// An error as JSON: a machine-readable code, a Swedish sentence for the citizen, details.
#[derive(Debug)]
pub(crate) struct Failure {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Option<serde_json::Value>,
}

impl Failure {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Failure {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        tracing::error!("{e}");
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage",
            "Tjänsten kan inte spara just nu. Försök igen om en stund; ingenting har gått förlorat.",
        )
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.code, "message": self.message });
        if let Some(d) = self.details {
            body["details"] = d;
        }
        let mut r = (self.status, axum::Json(body)).into_response();
        r.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        r
    }
}

/// The OS random source failed: nothing that needs a secret can be made now.
pub(crate) fn no_random(e: getrandom::Error) -> Failure {
    tracing::error!("the operating system's random source: {e}");
    Failure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "random",
        "Tjänsten kan inte ta emot ansökningar just nu. Försök igen om en stund; ingenting har gått förlorat.",
    )
}

/// 429 with `Retry-After`: `what` happened too often, and when to try again.
fn too_many(wait: u64, what: &str) -> Response {
    let mut r = Failure::new(
        StatusCode::TOO_MANY_REQUESTS,
        "tooManyRequests",
        format!("{what} Försök igen om {wait} sekunder."),
    )
    .into_response();
    r.headers_mut()
        .insert("Retry-After", wait.to_string().parse().expect("digits"));
    r
}

async fn too_large(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(request).await;
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "tooLarge",
            "Ansökan med bilagor är för stor för att tas emot. Ta bort eller förminska bilagor och försök igen.",
        )
        .into_response();
    }
    response
}

async fn not_found() -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "notFound",
        "Det finns ingen sådan adress.",
    )
}

fn gateway(settings: Settings) -> Shared {
    let max_body = settings.max_body;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per_minute = settings.uploads_per_minute;
    Arc::new(Gateway {
        uploads: limits::Limit::new("upload", per_minute, per_minute),
        orders: limits::Limit::new("order", per_minute, per_minute),
        logins: limits::Limit::new(
            "login",
            settings.failed_logins_per_minute,
            settings.failed_logins_per_minute,
        ),
        codes: limits::Limit::new(
            "code",
            settings.failed_logins_per_minute,
            settings.failed_logins_per_minute,
        ),
        // A third of a minute's polls at once: a client that was away catches up.
        polls: limits::Limit::new(
            "poll",
            settings.polls_per_minute,
            settings.polls_per_minute / 3,
        ),
        in_flight: tokio::sync::Semaphore::new(in_flight_kib(max_body)),
        pending: std::sync::Mutex::default(),
        settings,
        cpu: tokio::sync::Semaphore::new(cores),
    })
}

fn citizen_routes(gateway: Shared) -> Router {
    let max_body = gateway.settings.max_body;
    Router::new()
        .route("/api/v1/submissions", post(submissions::upload))
        .route("/api/v1/submissions/{id}", get(submissions::show))
        .route(
            "/api/v1/submissions/{id}/sign",
            post(signing::start).get(signing::status),
        )
        .route(
            "/api/v1/submissions/{id}/sign/cancel",
            post(signing::cancel),
        )
        .route(
            "/api/v1/submissions/{id}/sign/decline",
            post(guest::decline),
        )
        .route("/api/v1/submissions/{id}/identify", post(guest::identify))
        .route("/api/v1/submissions/{id}/summary", get(guest::summary))
        .route("/api/v1/signing-codes", post(guest::open))
        .route("/api/v1/catalogue/bundle", get(cases::bundle))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(too_large))
        .with_state(gateway)
}

/// The case API: every route behind the key, every answer `no-store` (cases are personal data
/// that no proxy or back-end cache may keep).
fn case_routes(gateway: Shared) -> Router {
    Router::new()
        .route(
            "/api/instanceapi/getinstances/family/{family}",
            get(cases::instances),
        )
        .route(
            "/api/instanceapi/getinstances/family/{family}/{status}",
            get(cases::instances),
        )
        .route(
            "/api/instanceapi/getinstances/owner/citizenidentifier/{citizen}",
            get(cases::instances),
        )
        .route(
            "/api/instanceapi/getinstances/owner/citizenidentifier/{citizen}/{status}",
            get(cases::instances),
        )
        .route("/api/instanceapi/getinstance/{id}/xml", get(cases::xml))
        .route("/api/instanceapi/getinstance/{id}/pdf", get(cases::pdf))
        .route("/api/instanceapi/getstatus/{id}", get(cases::status))
        .route("/api/instanceapi/setstatus/{id}", post(cases::set_status))
        .route("/api/etjanst/refused", get(cases::refused))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            gateway.clone(),
            cases::authenticate,
        ))
        .layer(axum::middleware::map_response(no_store))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(gateway)
}

async fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// Serves the citizens' API on `listener` (plain HTTP: TLS is the reverse proxy's, as for
/// OeP), without the case API; and purges what nobody signed within `pending_ttl`.
pub async fn serve(listener: std::net::TcpListener, settings: Settings) -> std::io::Result<()> {
    serve_with_cases(listener, None, settings).await
}

/// Serves the citizens' API on `citizens` and the case API on `cases`.
pub async fn serve_with_cases(
    citizens: std::net::TcpListener,
    cases: Option<std::net::TcpListener>,
    settings: Settings,
) -> std::io::Result<()> {
    let deadlines = settings.deadlines;
    let gateway = gateway(settings);
    tokio::spawn(purge(
        gateway.settings.store.clone(),
        gateway.settings.pending_ttl,
    ));
    let citizens = listen::accept(
        tokio_listener(citizens)?,
        citizen_routes(gateway.clone()),
        deadlines,
    );
    match cases {
        Some(cases) => {
            let cases = listen::accept(tokio_listener(cases)?, case_routes(gateway), deadlines);
            tokio::try_join!(citizens, cases).map(|_| ())
        }
        None => citizens.await,
    }
}

fn tokio_listener(listener: std::net::TcpListener) -> std::io::Result<tokio::net::TcpListener> {
    listener.set_nonblocking(true)?;
    tokio::net::TcpListener::from_std(listener)
}

/// Unsigned uploads older than `ttl` are deleted, unless an order started in the last ten
/// minutes may still be signed (BankID's orders live three).
async fn purge(store: Arc<dyn Store>, ttl: Duration) {
    let every = (ttl / 24).clamp(Duration::from_secs(1), Duration::from_secs(600));
    loop {
        let now = chrono::Utc::now().timestamp_millis();
        match store
            .purge_unsigned(now - ttl.as_millis() as i64, now - 600_000)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!("purged {n} unsigned uploads older than {ttl:?}"),
            Err(e) => tracing::warn!("purging unsigned uploads: {e}"),
        }
        if let Err(e) = store.purge_limits(now).await {
            tracing::warn!("purging rate limits: {e}");
        }
        tokio::time::sleep(every).await;
    }
}
