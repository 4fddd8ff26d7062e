//! Network faults for tests of the clients: what a flaky connection does to a submission,
//! made on 127.0.0.1 with real sockets.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A TCP proxy to `upstream` (`http://host:port`) that, while `cutting` is set, hangs up
/// instead of passing on any answer that carries a receipt: the case is filed, and the
/// citizen's computer never hears. Its URL.
pub async fn receipt_cutting_proxy(upstream: &str, cutting: Arc<AtomicBool>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    let upstream = upstream.trim_start_matches("http://").to_string();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                continue;
            };
            let cutting = cutting.clone();
            tokio::spawn(async move {
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut cr, &mut sw).await;
                });
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match sr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let chunk = &buf[..n];
                    if cutting.load(Ordering::SeqCst)
                        && chunk.windows(9).any(|w| w == b"\"receipt\"")
                    {
                        break;
                    }
                    if cw.write_all(chunk).await.is_err() {
                        break;
                    }
                }
                up.abort();
            });
        }
    });
    url
}
