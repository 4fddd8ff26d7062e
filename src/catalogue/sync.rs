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
    /// What a site may make this computer download and do.
    pub limits: Limits,
    /// Certificates (PEM) trusted besides the system's: a municipality's own CA, or a test's.
    pub extra_roots: Vec<Vec<u8>>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            timeout: Duration::from_secs(20),
            retries: 3,
            icons: true,
            blanketter: true,
            parallel: 8,
            limits: Limits::default(),
            extra_roots: Vec::new(),
        }
    }
}

/// Bounds on what a site (broken, compromised or hostile) can make a sync do. A body over
/// its cap is cut off while it streams in, never held whole.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub catalogue_bytes: usize,
    pub icon_bytes: usize,
    pub blankett_bytes: usize,
    pub bundle_bytes: usize,
    /// E-services one site may list; the largest Swedish municipalities have a few hundred.
    pub services: usize,
    /// Icon requests, and blankett requests, in one sync; the rest come with later syncs,
    /// or when a citizen opens the service.
    pub file_requests: usize,
    /// The whole sync, however the site answers.
    pub deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            catalogue_bytes: 64 << 20,
            icon_bytes: 1 << 20,
            blankett_bytes: 32 << 20,
            bundle_bytes: 128 << 20,
            services: 10_000,
            file_requests: 1_000,
            deadline: Duration::from_secs(300),
        }
    }
}

impl Limits {
    /// No bound on how many files one sync fetches ("ladda ner för användning utan nät").
    pub fn all_files(self) -> Limits {
        Limits {
            file_requests: usize::MAX,
            ..self
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
    /// What the stage is doing, for progress lines.
    pub fn label(self, lang: crate::fill::Lang) -> String {
        match self {
            Stage::Catalogue => crate::t!(lang, "stage-catalogue"),
            Stage::Icons => crate::t!(lang, "stage-icons"),
            Stage::Blanketter => crate::t!(lang, "stage-blanketter"),
            Stage::Saving => crate::t!(lang, "stage-saving"),
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
        /// Links in the catalogue that were not the site's own, dropped.
        dropped_links: usize,
        /// Icons and blanketter left for a later sync (over `Limits::file_requests`).
        files_left: usize,
    },
}

/// Whether `site` is plain `http`: anyone on the way can change what it serves.
pub fn is_plain_http(site: &str) -> bool {
    site.trim().to_ascii_lowercase().starts_with("http://")
}

#[derive(Debug)]
pub enum SyncError {
    Network {
        url: String,
        message: String,
    },
    Status {
        url: String,
        status: u16,
    },
    Catalogue {
        url: String,
        source: FlowInfoError,
    },
    Cancelled,
    TooLarge {
        url: String,
        limit: usize,
    },
    TooMany {
        url: String,
        count: usize,
        max: usize,
    },
    Deadline {
        url: String,
        seconds: u64,
    },
    BadSite(String),
    Index(IndexError),
}

impl SyncError {
    /// The message in `lang`, from the message catalogue.
    pub fn message(&self, lang: crate::fill::Lang) -> String {
        use crate::t;
        match self {
            SyncError::Network { url, message } => {
                t!(lang, "sync-network", url = url, detail = message)
            }
            SyncError::Status { url, status } => {
                t!(lang, "sync-status", url = url, status = status)
            }
            SyncError::Catalogue { url, source } => {
                t!(lang, "sync-catalogue", url = url, error = source)
            }
            SyncError::Cancelled => t!(lang, "sync-cancelled"),
            SyncError::TooLarge { url, limit } => {
                t!(lang, "sync-too-large", url = url, limit = limit)
            }
            SyncError::TooMany { url, count, max } => {
                t!(lang, "sync-too-many", url = url, count = count, max = max)
            }
            SyncError::Deadline { url, seconds } => {
                t!(lang, "sync-deadline", url = url, seconds = seconds)
            }
            SyncError::BadSite(site) => t!(lang, "sync-bad-site", site = site),
            SyncError::Index(e) => e.to_string(),
        }
    }
}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::i18n::language()))
    }
}

impl std::error::Error for SyncError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SyncError::Catalogue { source, .. } => Some(source),
            SyncError::Index(e) => Some(e),
            _ => None,
        }
    }
}

impl From<IndexError> for SyncError {
    fn from(e: IndexError) -> Self {
        SyncError::Index(e)
    }
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
    limit: usize,
) -> Result<Fetched, SyncError> {
    let net = |e: reqwest::Error| SyncError::Network {
        url: url.to_string(),
        message: cause(&e),
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
    let mut resp = req.send().await.map_err(net)?;
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
    let too_large = || SyncError::TooLarge {
        url: url.to_string(),
        limit: limit >> 20,
    };
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    // Streamed and capped; a body cut short (connection dropped) is an error here, never half
    // a catalogue.
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(net)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
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
    limit: usize,
    cancel: &CancelHandle,
) -> Result<Fetched, SyncError> {
    let mut attempt = 0;
    loop {
        if cancel.cancelled() {
            return Err(SyncError::Cancelled);
        }
        let result = get(client, url, Some(conditional), limit).await;
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

/// One kind of file to fetch for many e-services.
struct Batch {
    stage: Stage,
    /// Requests in flight at once.
    parallel: usize,
    /// Bytes one file may have.
    limit: usize,
}

/// Fetches `(flow id, url)` items a few at a time; missing ones (404 or errors) are skipped.
async fn fetch_all(
    client: &reqwest::Client,
    items: Vec<(i64, String)>,
    batch: Batch,
    want: impl Fn(&Fetched) -> bool,
    progress: &mut dyn FnMut(Progress),
    cancel: &CancelHandle,
) -> Result<Vec<(i64, Vec<u8>)>, SyncError> {
    use futures_util::stream::{self, StreamExt};
    let Batch {
        stage,
        parallel,
        limit,
    } = batch;
    let total = items.len();
    let mut out = Vec::new();
    let mut done = 0;
    progress(Progress { stage, done, total });
    let mut results = stream::iter(items)
        .map(|(id, url)| async move { (id, get(client, &url, None, limit).await) })
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
        let mut builder = reqwest::Client::builder()
            .timeout(options.timeout)
            .redirect(same_origin_redirects())
            .user_agent(concat!("etjanst/", env!("CARGO_PKG_VERSION")));
        for pem in &options.extra_roots {
            let cert = reqwest::Certificate::from_pem(pem).map_err(|e| failed(cause(&e)))?;
            builder = builder.add_root_certificate(cert);
        }
        builder.build().map_err(|e| failed(cause(&e)))?
    };
    Ok((runtime, client))
}

use crate::error_chain as cause;

/// Redirects are followed only within the origin they start from: a site cannot send the
/// client to another host (an internal address) or from `https` down to `http`.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(|u| u.origin());
        if attempt.previous().len() > 5 {
            attempt.error("för många omdirigeringar")
        } else if first.is_some_and(|o| o != attempt.url().origin()) {
            let to = attempt.url().to_string();
            attempt.error(format!(
                "omdirigering till en annan adress ({to}) följs inte"
            ))
        } else {
            attempt.follow()
        }
    })
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
    let limits = options.limits;
    if super::bundle::origin(site).is_none() {
        return Err(SyncError::BadSite(site.to_string()));
    }
    let (runtime, client) = connect(site, options)?;
    let (etag, modified) = index.validators(site)?;
    let have_icons = index.stored_files(site, "icon")?;
    let have_blanketter = index.stored_files(site, "blankett")?;
    let mut dropped_links = 0;
    let mut files_left = 0;
    let work = async {
        let url = format!("{site}/api/v1/getflows/json");
        progress(Progress {
            stage: Stage::Catalogue,
            done: 0,
            total: 1,
        });
        let catalogue = get_with_retries(
            &client,
            &url,
            (&etag, &modified),
            options.retries,
            limits.catalogue_bytes,
            cancel,
        )
        .await?;
        if catalogue.status == 304 {
            return Ok(None);
        }
        if catalogue.status != 200 {
            return Err(SyncError::Status {
                url,
                status: catalogue.status,
            });
        }
        let parsed = flowinfo::parse(&catalogue.body, catalogue.content_type.as_deref(), site)
            .map_err(|source| SyncError::Catalogue {
                url: url.clone(),
                source,
            })?;
        drop(catalogue.body);
        if parsed.services.len() > limits.services {
            return Err(SyncError::TooMany {
                url,
                count: parsed.services.len(),
                max: limits.services,
            });
        }
        dropped_links = parsed.dropped_links;
        let services = parsed.services;
        // Files not yet stored first, within the bound; those stored are kept.
        let mut bounded = |mut items: Vec<(i64, String)>, have: &std::collections::HashSet<i64>| {
            items.sort_by_key(|(id, _)| have.contains(id));
            if items.len() > limits.file_requests {
                files_left += items.len() - limits.file_requests;
                items.truncate(limits.file_requests);
            }
            items
        };
        progress(Progress {
            stage: Stage::Catalogue,
            done: 1,
            total: 1,
        });
        let icons = if options.icons {
            let items = bounded(
                services
                    .iter()
                    .filter_map(|s| s.icon_url.clone().map(|u| (s.flow_id, u)))
                    .collect(),
                &have_icons,
            );
            let is_image = |f: &Fetched| {
                f.content_type
                    .as_deref()
                    .is_none_or(|t| t.starts_with("image/"))
            };
            fetch_all(
                &client,
                items,
                Batch {
                    stage: Stage::Icons,
                    parallel: options.parallel,
                    limit: limits.icon_bytes,
                },
                is_image,
                progress,
                cancel,
            )
            .await?
        } else {
            Vec::new()
        };
        let blanketter = if options.blanketter {
            let items = bounded(
                services
                    .iter()
                    .map(|s| (s.flow_id, blankett_url(site, s.flow_id)))
                    .collect(),
                &have_blanketter,
            );
            let is_pdf = |f: &Fetched| f.body.starts_with(b"%PDF");
            fetch_all(
                &client,
                items,
                Batch {
                    stage: Stage::Blanketter,
                    parallel: options.parallel,
                    limit: limits.blankett_bytes,
                },
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
    };
    let fetched = runtime
        .block_on(async { tokio::time::timeout(limits.deadline, work).await })
        .map_err(|_| SyncError::Deadline {
            url: site.to_string(),
            seconds: limits.deadline.as_secs(),
        })??;
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
        dropped_links,
        files_left,
    })
}

/// Where Open ePlatform serves an e-service's PDF blankett.
fn blankett_url(site: &str, flow_id: i64) -> String {
    format!("{site}/oversikt/getflowform/{flow_id}")
}

/// Fetches one e-service's blankett on demand (a citizen opened a service whose blankett the
/// bounded sync had not reached) and stores it; `None` when the site has none.
pub fn fetch_blankett(
    index: &mut Index,
    site: &str,
    flow_id: i64,
    options: &SyncOptions,
) -> Result<Option<Vec<u8>>, SyncError> {
    let site = site.trim_end_matches('/');
    let url = blankett_url(site, flow_id);
    let (runtime, client) = connect(&url, options)?;
    let f = runtime.block_on(get(&client, &url, None, options.limits.blankett_bytes))?;
    if f.status != 200 || !f.body.starts_with(b"%PDF") {
        return Ok(None);
    }
    index.store_file(site, flow_id, "blankett", &f.body)?;
    Ok(Some(f.body))
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
            options.limits.bundle_bytes,
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
