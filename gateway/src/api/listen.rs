//! Accepting connections so that slow or idle clients cannot hold the gateway.
//!
//! `axum::serve` sets no timer: a client that sends half a request header keeps its connection
//! (and a task) forever, and enough of them exhaust the file descriptors while citizens wait
//! (slowloris). Each connection here is served by hyper with a header-read timeout, every
//! request has a deadline, and the number of open connections is capped.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tower::ServiceExt;

use super::Failure;

/// How a listener treats its clients.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// How long a client has to send a request's header, whether the connection is new or
    /// was kept alive after an earlier request.
    pub header: Duration,
    /// The time a whole request may take (header, body, answer) beyond what its body's size
    /// needs at `min_rate`.
    pub request: Duration,
    /// The slowest upload speed, in bytes a second, a body is given time for: a 25 MB upload
    /// at 32 KiB/s is given the base time and 13 minutes more.
    pub min_rate: u64,
    /// Connections open at once; further clients wait in the kernel's backlog.
    pub max_connections: usize,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            header: Duration::from_secs(10),
            request: Duration::from_secs(60),
            min_rate: 32 * 1024,
            max_connections: 4096,
        }
    }
}

impl Deadlines {
    /// The deadline for a request that declares `length` bytes of body.
    fn for_body(&self, length: u64) -> Duration {
        self.request + Duration::from_secs(length / self.min_rate.max(1))
    }
}

/// Serves `app` on `listener` until the listener fails.
pub(crate) async fn accept(
    listener: tokio::net::TcpListener,
    app: Router,
    deadlines: Deadlines,
) -> std::io::Result<()> {
    let open = Arc::new(tokio::sync::Semaphore::new(deadlines.max_connections));
    loop {
        let permit = open.clone().acquire_owned().await.expect("never closed");
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) if transient(&e) => continue,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!("accepting a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(respond(app, request, peer, deadlines).await) }
            });
            let served = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(deadlines.header)
                .max_buf_size(64 * 1024)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(e) = served {
                tracing::debug!("connection from {peer}: {e}");
            }
            drop(permit);
        });
    }
}

/// A failed accept that concerns only the one client (it went away before we took it).
fn transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionAborted | ConnectionReset | Interrupted)
}

async fn respond(
    app: Router,
    request: Request<Incoming>,
    peer: SocketAddr,
    deadlines: Deadlines,
) -> Response {
    let length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let mut request = request.map(Body::new);
    request.extensions_mut().insert(ConnectInfo(peer));
    match tokio::time::timeout(deadlines.for_body(length), app.oneshot(request)).await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => {
            tracing::info!("request from {peer} took longer than its deadline");
            let mut r = Failure::new(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                "Anslutningen var för långsam. Försök igen; ingenting har gått förlorat.",
            )
            .into_response();
            r.headers_mut()
                .insert(header::CONNECTION, "close".parse().expect("a value"));
            r
        }
    }
}
