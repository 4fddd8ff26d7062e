//! A BankID RP API v6.0 simulator on loopback (`etjanst-gateway bankid-sim`): the real paths,
//! fields, error codes and timings over TLS with client certificates, plus control endpoints
//! under `/__sim/` through which a test plays the citizen and their BankID app.

mod orders;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;

pub use orders::{ApiError, Func, Orders, Timings};

use crate::tls::TestPki;

/// Errors a test asked the next calls to an endpoint to fail with (§4.3.8).
#[derive(Default)]
struct Faults {
    /// (endpoint, HTTP status, calls left)
    pending: Vec<(String, u16, u32)>,
}

#[derive(Clone)]
struct Sim {
    orders: Arc<Mutex<Orders>>,
    faults: Arc<Mutex<Faults>>,
}

impl Sim {
    fn orders(&self) -> std::sync::MutexGuard<'_, Orders> {
        // A panic while holding the lock leaves orders that are still consistent.
        self.orders.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn error(e: ApiError) -> Response {
    let body = serde_json::json!({ "errorCode": e.code, "details": e.details });
    let mut r = (
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
        axum::Json(body),
    )
        .into_response();
    if e.status == 429 {
        let h = r.headers_mut();
        h.insert("RateLimit-Limit", HeaderValue::from_static("10"));
        h.insert("RateLimit-Remaining", HeaderValue::from_static("0"));
        h.insert("RateLimit-Reset", HeaderValue::from_static("1"));
    }
    r
}

fn api_error(status: u16, code: &'static str, details: &str) -> Response {
    error(ApiError {
        status,
        code,
        details: details.into(),
    })
}

/// The checks every RP call shares: an injected fault, the exact content type, a JSON body.
fn body<T: for<'de> Deserialize<'de>>(
    sim: &Sim,
    endpoint: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, ApiError> {
    {
        let mut faults = sim.faults.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(f) = faults
            .pending
            .iter_mut()
            .find(|f| f.0 == endpoint && f.2 > 0)
        {
            f.2 -= 1;
            let (code, details) = match f.1 {
                408 => ("requestTimeout", "Request timeout"),
                429 => ("tooManyRequests", "Too many requests"),
                503 => ("maintenance", "Service unavailable"),
                _ => ("internalError", "Internal error"),
            };
            return Err(ApiError {
                status: f.1,
                code,
                details: details.into(),
            });
        }
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if content_type != Some("application/json") {
        return Err(ApiError {
            status: 415,
            code: "unsupportedMediaType",
            details: "Content-Type must be application/json".into(),
        });
    }
    serde_json::from_slice(body).map_err(|e| ApiError {
        status: 400,
        code: "invalidParameters",
        details: e.to_string(),
    })
}

fn ok(value: impl serde::Serialize) -> Response {
    axum::Json(value).into_response()
}

async fn start(sim: Sim, func: Func, headers: HeaderMap, bytes: Bytes) -> Response {
    let endpoint = match func {
        Func::Auth => "auth",
        Func::Sign => "sign",
    };
    match body(&sim, endpoint, &headers, &bytes) {
        Ok(request) => match sim.orders().start(func, request) {
            Ok(refs) => ok(refs),
            Err(e) => error(e),
        },
        Err(e) => error(e),
    }
}

async fn auth(State(sim): State<Sim>, headers: HeaderMap, bytes: Bytes) -> Response {
    start(sim, Func::Auth, headers, bytes).await
}

async fn sign(State(sim): State<Sim>, headers: HeaderMap, bytes: Bytes) -> Response {
    start(sim, Func::Sign, headers, bytes).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderRefBody {
    order_ref: String,
}

async fn collect(State(sim): State<Sim>, headers: HeaderMap, bytes: Bytes) -> Response {
    match body::<OrderRefBody>(&sim, "collect", &headers, &bytes) {
        Ok(b) => match sim.orders().collect(&b.order_ref) {
            Ok(c) => ok(c),
            Err(e) => error(e),
        },
        Err(e) => error(e),
    }
}

async fn cancel(State(sim): State<Sim>, headers: HeaderMap, bytes: Bytes) -> Response {
    match body::<OrderRefBody>(&sim, "cancel", &headers, &bytes) {
        Ok(b) => match sim.orders().cancel(&b.order_ref) {
            Ok(()) => ok(serde_json::json!({})),
            Err(e) => error(e),
        },
        Err(e) => error(e),
    }
}

async fn method_not_allowed() -> Response {
    api_error(405, "methodNotAllowed", "Method not allowed")
}

async fn not_found() -> Response {
    api_error(404, "notFound", "Not found")
}

// ---- control: the citizen and their app ----

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Control {
    order_ref: String,
    auto_start_token: String,
    qr_data: String,
    personal_number: String,
    hint_code: String,
    seconds: u64,
    endpoint: String,
    status: u16,
    count: u32,
}

fn control_result(r: Result<serde_json::Value, String>) -> Response {
    match r {
        Ok(v) => ok(v),
        Err(message) => (
            StatusCode::CONFLICT,
            axum::Json(serde_json::json!({ "error": message })),
        )
            .into_response(),
    }
}

async fn control(
    State(sim): State<Sim>,
    axum::extract::Path(action): axum::extract::Path<String>,
    axum::Json(c): axum::Json<Control>,
) -> Response {
    let mut o = sim.orders();
    let done = |r: Result<(), String>| r.map(|()| serde_json::json!({}));
    let with_ref = |r: Result<String, String>| r.map(|o| serde_json::json!({ "orderRef": o }));
    control_result(match action.as_str() {
        "autostart" => with_ref(o.open_autostart(&c.auto_start_token)),
        "scan" => with_ref(o.scan(&c.qr_data)),
        "mrtd" => done(o.mrtd(&c.order_ref)),
        "approve" => done(o.approve(&c.order_ref, &c.personal_number)),
        "cancel" => done(o.fail(&c.order_ref, "userCancel")),
        "fail" => done(o.fail(&c.order_ref, &c.hint_code)),
        "advance" => {
            o.advance(Duration::from_secs(c.seconds));
            Ok(serde_json::json!({}))
        }
        "fault" => {
            drop(o);
            let mut f = sim.faults.lock().unwrap_or_else(|e| e.into_inner());
            f.pending.push((c.endpoint, c.status, c.count.max(1)));
            Ok(serde_json::json!({}))
        }
        _ => Err(format!("okänd styrning: {action}")),
    })
}

/// The simulator's routes.
pub fn router(timings: Timings, rp_certificate: Vec<u8>) -> Router {
    let sim = Sim {
        orders: Arc::new(Mutex::new(Orders::new(timings, rp_certificate))),
        faults: Arc::default(),
    };
    Router::new()
        .route("/rp/v6.0/auth", post(auth).fallback(method_not_allowed))
        .route("/rp/v6.0/sign", post(sign).fallback(method_not_allowed))
        .route(
            "/rp/v6.0/collect",
            post(collect).fallback(method_not_allowed),
        )
        .route("/rp/v6.0/cancel", post(cancel).fallback(method_not_allowed))
        .route("/__sim/{action}", post(control))
        .fallback(not_found)
        .with_state(sim)
}

/// Serves the simulator over TLS on `listener`, requiring an RP certificate from `pki`'s CA.
pub async fn serve(
    listener: std::net::TcpListener,
    pki: &TestPki,
    timings: Timings,
) -> Result<(), String> {
    let config = pki.server_config()?;
    let app = router(timings, pki.rp_certificate_der());
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let tls = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config));
    axum_server::from_tcp_rustls(listener, tls)
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await
        .map_err(|e| e.to_string())
}
