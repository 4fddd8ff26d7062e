//! The gateway's HTTP API: the citizen's submission and signing calls (`/api/v1`), the
//! municipality's Open ePlatform-compatible case API (`/api/instanceapi`), and the catalogue
//! bundle.

mod cases;
mod client_ip;
mod limits;
mod prepare;
mod signing;
mod submissions;

use std::net::SocketAddr;
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

pub use client_ip::TrustedProxies;

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
    /// Uploads a single address may start per minute, and as many signing orders; 0 for no
    /// limit.
    pub uploads_per_minute: u32,
    /// The reverse proxies and load balancers whose `X-Forwarded-For` names the citizen.
    pub trusted_proxies: TrustedProxies,
    /// How often BankID is collected for one order, whatever the clients poll.
    pub collect_interval: Duration,
    /// The municipality's signed catalogue bundle.
    pub bundle: Option<PathBuf>,
}

pub(crate) struct Gateway {
    settings: Settings,
    /// Per address: uploads, and BankID orders started.
    uploads: limits::Limiter,
    orders: limits::Limiter,
    /// CPU work (the core's checks, the PDF) runs at most once per core at a time, first
    /// come first served: under load, requests queue in order instead of all slowing down
    /// together, which keeps the slowest close to the typical one.
    cpu: tokio::sync::Semaphore,
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

/// The gateway's routes; serve with `into_make_service_with_connect_info::<SocketAddr>()`.
pub fn router(settings: Settings) -> Router {
    let max_body = settings.max_body;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let gateway = Arc::new(Gateway {
        uploads: limits::Limiter::new(settings.uploads_per_minute),
        orders: limits::Limiter::new(settings.uploads_per_minute),
        settings,
        cpu: tokio::sync::Semaphore::new(cores),
    });
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
        .route("/api/v1/catalogue/bundle", get(cases::bundle))
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
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(too_large))
        .with_state(gateway)
}

/// Serves the gateway on `listener` (plain HTTP: TLS is the reverse proxy's, as for OeP).
pub async fn serve(listener: std::net::TcpListener, settings: Settings) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    axum::serve(
        listener,
        router(settings).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}
