//! Fetching a site's public catalogue (Open ePlatform FlowInfo API) with icons and PDF
//! blanketter, incrementally (ETag / Last-Modified), with retries, progress and cancelling.
//!
//! Nothing is written until everything needed has arrived and parsed; then the site's
//! catalogue is swapped in one transaction. A 304 writes nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::flowinfo::{self, FlowInfoError};
use super::index::{Index, IndexError, SiteData};

/// How to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Per request.
    pub timeout: Duration,
    /// Extra attempts for the catalogue itself on network errors and 5xx answers.
    pub retries: u32,
    pub icons: bool,
    pub blanketter: bool,
    /// Requests in flight at once for icons and blanketter.
    pub parallel: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            timeout: Duration::from_secs(20),
            retries: 3,
            icons: true,
            blanketter: true,
            parallel: 8,
        }
    }
}

/// Where a sync is: `done` of `total` items of the current stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Catalogue,
    Icons,
    Blanketter,
    Saving,
}

impl Stage {
    pub fn label_sv(self) -> &'static str {
        match self {
            Stage::Catalogue => "Hämtar katalogen",
            Stage::Icons => "Hämtar ikoner",
            Stage::Blanketter => "Hämtar blanketter",
            Stage::Saving => "Sparar",
        }
    }
}

/// Stops a running sync from another thread; the stored catalogue stays as it was.
#[derive(Debug, Clone, Default)]
pub struct CancelHandle(Arc<AtomicBool>);

impl CancelHandle {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    fn cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The server said nothing changed (304); nothing was written.
    Unchanged,
    Updated {
        services: usize,
        icons: usize,
        blanketter: usize,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("kunde inte nå {url}: {message}")]
    Network { url: String, message: String },
    #[error("{url} svarade {status}")]
    Status { url: String, status: u16 },
    #[error("katalogen från {url}: {source}")]
    Catalogue { url: String, source: FlowInfoError },
    #[error("hämtningen avbröts; den sparade katalogen är oförändrad")]
    Cancelled,
    #[error(transparent)]
    Index(#[from] IndexError),
}

struct Fetched {
    status: u16,
    content_type: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    body: Vec<u8>,
}

async fn get(
    client: &reqwest::Client,
    url: &str,
    conditional: Option<(&Option<String>, &Option<String>)>,
) -> Result<Fetched, SyncError> {
    let net = |e: reqwest::Error| SyncError::Network {
        url: url.to_string(),
        message: e.to_string(),
    };
    let mut req = client.get(url);
    if let Some((etag, modified)) = conditional {
        if let Some(e) = etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, e);
        }
        if let Some(m) = modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, m);
        }
    }
    let resp = req.send().await.map_err(net)?;
    let header = |name: reqwest::header::HeaderName| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let status = resp.status().as_u16();
    let content_type = header(reqwest::header::CONTENT_TYPE);
    let etag = header(reqwest::header::ETAG);
    let last_modified = header(reqwest::header::LAST_MODIFIED);
    // A body cut short (connection dropped) is an error here, never half a catalogue.
    let body = resp.bytes().await.map_err(net)?.to_vec();
    Ok(Fetched {
        status,
        content_type,
        etag,
        last_modified,
        body,
    })
}

async fn get_with_retries(
    client: &reqwest::Client,
    url: &str,
    conditional: (&Option<String>, &Option<String>),
    retries: u32,
    cancel: &CancelHandle,
) -> Result<Fetched, SyncError> {
    let mut attempt = 0;
    loop {
        if cancel.cancelled() {
            return Err(SyncError::Cancelled);
        }
        let result = get(client, url, Some(conditional)).await;
        let retry = match &result {
            Err(SyncError::Network { .. }) => true,
            Ok(f) => f.status >= 500,
            Err(_) => false,
        };
        if !retry || attempt >= retries {
            return result;
        }
        attempt += 1;
        // Exponential backoff: 200 ms, 400 ms, 800 ms …
        tokio::time::sleep(Duration::from_millis(200 << (attempt - 1))).await;
    }
}

/// Fetches `(flow id, url)` items a few at a time; missing ones (404 or errors) are skipped.
async fn fetch_all(
    client: &reqwest::Client,
    items: Vec<(i64, String)>,
    parallel: usize,
    stage: Stage,
    want: impl Fn(&Fetched) -> bool,
    progress: &mut dyn FnMut(Progress),
    cancel: &CancelHandle,
) -> Result<Vec<(i64, Vec<u8>)>, SyncError> {
    use futures_util::stream::{self, StreamExt};
    let total = items.len();
    let mut out = Vec::new();
    let mut done = 0;
    progress(Progress { stage, done, total });
    let mut results = stream::iter(items)
        .map(|(id, url)| async move { (id, get(client, &url, None).await) })
        .buffer_unordered(parallel.max(1));
    while let Some((id, result)) = results.next().await {
        if cancel.cancelled() {
            return Err(SyncError::Cancelled);
        }
        done += 1;
        progress(Progress { stage, done, total });
        if let Ok(f) = result
            && f.status == 200
            && want(&f)
        {
            out.push((id, f.body));
        }
    }
    Ok(out)
}

/// A single-threaded runtime (the CLI and each sync run one at a time) and an HTTP client.
fn connect(
    url: &str,
    options: &SyncOptions,
) -> Result<(tokio::runtime::Runtime, reqwest::Client), SyncError> {
    let failed = |message: String| SyncError::Network {
        url: url.to_string(),
        message,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let client = {
        let _inside = runtime.enter();
        reqwest::Client::builder()
            .timeout(options.timeout)
            .user_agent(concat!("etjanst/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| failed(e.to_string()))?
    };
    Ok((runtime, client))
}

/// Syncs one site into `index`. `site` is the site's address, e.g.
/// `https://e-tjanster.sundsvall.se`.
pub fn sync(
    index: &mut Index,
    site: &str,
    name: &str,
    options: &SyncOptions,
    progress: &mut dyn FnMut(Progress),
    cancel: &CancelHandle,
) -> Result<SyncOutcome, SyncError> {
    let site = site.trim_end_matches('/');
    let (runtime, client) = connect(site, options)?;
    let (etag, modified) = index.validators(site)?;
    let fetched = runtime.block_on(async {
        let url = format!("{site}/api/v1/getflows/json");
        progress(Progress {
            stage: Stage::Catalogue,
            done: 0,
            total: 1,
        });
        let catalogue =
            get_with_retries(&client, &url, (&etag, &modified), options.retries, cancel).await?;
        if catalogue.status == 304 {
            return Ok(None);
        }
        if catalogue.status != 200 {
            return Err(SyncError::Status {
                url,
                status: catalogue.status,
            });
        }
        let services = flowinfo::parse(&catalogue.body, catalogue.content_type.as_deref())
            .map_err(|source| SyncError::Catalogue {
                url: url.clone(),
                source,
            })?;
        progress(Progress {
            stage: Stage::Catalogue,
            done: 1,
            total: 1,
        });
        let icons = if options.icons {
            let items = services
                .iter()
                .filter_map(|s| s.icon_url.clone().map(|u| (s.flow_id, u)))
                .collect();
            let is_image = |f: &Fetched| {
                f.content_type
                    .as_deref()
                    .is_none_or(|t| t.starts_with("image/"))
            };
            fetch_all(
                &client,
                items,
                options.parallel,
                Stage::Icons,
                is_image,
                progress,
                cancel,
            )
            .await?
        } else {
            Vec::new()
        };
        let blanketter = if options.blanketter {
            let items = services
                .iter()
                .map(|s| {
                    (
                        s.flow_id,
                        format!("{site}/oversikt/getflowform/{}", s.flow_id),
                    )
                })
                .collect();
            let is_pdf = |f: &Fetched| f.body.starts_with(b"%PDF");
            fetch_all(
                &client,
                items,
                options.parallel,
                Stage::Blanketter,
                is_pdf,
                progress,
                cancel,
            )
            .await?
        } else {
            Vec::new()
        };
        Ok(Some(SiteData {
            name: name.to_string(),
            services,
            etag: catalogue.etag,
            last_modified: catalogue.last_modified,
            icons,
            blanketter,
        }))
    })?;
    let Some(data) = fetched else {
        return Ok(SyncOutcome::Unchanged);
    };
    if cancel.cancelled() {
        return Err(SyncError::Cancelled);
    }
    progress(Progress {
        stage: Stage::Saving,
        done: 0,
        total: 1,
    });
    index.replace_site(site, &data)?;
    progress(Progress {
        stage: Stage::Saving,
        done: 1,
        total: 1,
    });
    Ok(SyncOutcome::Updated {
        services: data.services.len(),
        icons: data.icons.len(),
        blanketter: data.blanketter.len(),
    })
}

/// Downloads one file (a catalogue bundle) in full.
pub fn fetch(url: &str, options: &SyncOptions) -> Result<Vec<u8>, SyncError> {
    let (runtime, client) = connect(url, options)?;
    runtime.block_on(async {
        let none = None;
        let f = get_with_retries(
            &client,
            url,
            (&none, &none),
            options.retries,
            &CancelHandle::default(),
        )
        .await?;
        if f.status != 200 {
            return Err(SyncError::Status {
                url: url.to_string(),
                status: f.status,
            });
        }
        Ok(f.body)
    })
}
