//! The catalogue of e-services: the embedded default (`forms/`) plus flows the citizen or the
//! municipality has imported into the data directory.
//!
//! Sync from Open ePlatform sites, search and signed bundles build on this (issue 5).

pub mod bundle;
pub mod flowinfo;
pub mod index;
pub mod sync;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

use crate::flow::{self, Flow, LoadError, QueryKind};

static FORMS: Dir = include_dir!("$CARGO_MANIFEST_DIR/forms");

/// The municipality a catalogue comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Site {
    pub name: String,
    pub url: String,
}

/// A downloadable form ("blankett") to print and fill by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Blankett {
    pub name: String,
    /// Path relative to `forms/` (embedded) or to the data directory (imported).
    pub file: String,
}

/// One e-service as the catalogue lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub category: String,
    /// HTML as published by the municipality.
    pub short_description: String,
    #[serde(default)]
    pub requires_authentication: bool,
    #[serde(default)]
    pub requires_signing: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Path of the fillable flow definition, relative to `forms/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blanketter: Vec<Blankett>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_link: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CatalogueFile {
    site: Site,
    categories: Vec<String>,
    services: Vec<Service>,
}

/// What a citizen can do with an e-service without the web.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// The form can be filled in here, offline.
    pub fill_offline: bool,
    /// Some questions can only be answered on the web.
    pub partly_online: bool,
    /// A filled form can be printed, signed by hand and posted.
    pub print: bool,
    /// A filled form can be sent from here once online.
    pub submit_online: bool,
    /// Sending needs e-legitimation (BankID).
    pub needs_eid: bool,
    /// A PDF blankett is available offline.
    pub blankett: bool,
    /// Only the municipality's website can be used.
    pub web_only: bool,
}

impl Capabilities {
    /// One line in Swedish for listings.
    pub fn summary_sv(&self) -> String {
        let mut parts = Vec::new();
        if self.fill_offline {
            parts.push("fyll i här och skriv ut".to_string());
        }
        if self.submit_online {
            parts.push(if self.needs_eid {
                "skicka in med e-legitimation".to_string()
            } else {
                "skicka in".to_string()
            });
        }
        if self.partly_online {
            parts.push("vissa frågor måste besvaras på webben".into());
        }
        if self.blankett {
            parts.push("blankett att skriva ut".into());
        }
        if self.web_only {
            parts.push("bara på webben".into());
        }
        let s = parts.join(", ");
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    }
}

/// A catalogue that could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("{}", crate::i18n::display("catalogue-missing-embedded", &[("v0", .0.to_string())]))]
    MissingEmbedded(String),
    #[error("{}", crate::i18n::display("catalogue-broken-embedded", &[("v0", .0.to_string())]))]
    BrokenEmbedded(String),
    #[error("{}", crate::i18n::display("catalogue-syntax", &[("path", .path.to_string()), ("line", .line.to_string()), ("column", .column.to_string()), ("message", .message.to_string())]))]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(transparent)]
    Flow(#[from] LoadError),
    #[error("{}", crate::i18n::display("catalogue-io", &[("path", .path.display().to_string()), ("source", .source.to_string())]))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", crate::i18n::display("catalogue-unknown-service", &[("v0", .0.to_string())]))]
    UnknownService(String),
    #[error("{}", crate::i18n::display("catalogue-duplicate", &[("v0", .0.to_string())]))]
    Duplicate(String),
}

/// The e-services available on this computer.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub site: Site,
    pub categories: Vec<String>,
    pub services: Vec<Service>,
    flows: Vec<FlowSlot>,
    data_dir: Option<PathBuf>,
    /// Imported files that could not be read; the rest of the catalogue still works.
    pub warnings: Vec<String>,
    /// The submission gateway each bundled flow's site names in its signed bundle, by flow id.
    gateways: std::collections::HashMap<String, String>,
    /// A gateway for every fillable flow, set for testing (the desktop's setting, the CLI's
    /// `--gateway`); it wins over the bundles'.
    gateway_override: Option<String>,
}

/// A submission gateway's address as etjanst will use it: `https://`, or `http://` on this
/// computer only (a test gateway), without a trailing slash. Anything else would send a
/// citizen's application, and the key that lets it be signed, in clear over the network.
pub fn gateway_address(url: &str) -> Result<String, String> {
    let trimmed = url.trim().trim_end_matches('/');
    let refused = || crate::t!(crate::i18n::language(), "gateway-not-https", url = trimmed);
    let parsed = url::Url::parse(trimmed).map_err(|_| refused())?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" if parsed.host().is_some() => Ok(trimmed.to_string()),
        "http" if loopback => Ok(trimmed.to_string()),
        _ => Err(refused()),
    }
}

/// A fillable flow of the catalogue. Embedded flows are parsed when first asked for: a
/// command that prints one form should not pay for reading all of them.
#[derive(Debug, Clone)]
struct FlowSlot {
    id: String,
    /// The embedded file, or `None` for a flow imported from disk (parsed on opening).
    embedded: Option<(&'static str, &'static [u8])>,
    parsed: OnceLock<Result<Flow, String>>,
}

impl FlowSlot {
    fn loaded(flow: Flow) -> FlowSlot {
        FlowSlot {
            id: flow.id.clone(),
            embedded: None,
            parsed: OnceLock::from(Ok(flow)),
        }
    }

    fn get(&self) -> Result<&Flow, CatalogueError> {
        self.parsed
            .get_or_init(|| match self.embedded {
                Some((path, bytes)) => flow::from_bytes(&Path::new("forms").join(path), bytes)
                    .map_err(|e| e.to_string()),
                None => Err(format!("{}: inte inläst", self.id)),
            })
            .as_ref()
            .map_err(|e| CatalogueError::BrokenEmbedded(e.clone()))
    }
}

impl Catalogue {
    /// The default catalogue shipped inside the program.
    pub fn embedded() -> Result<Catalogue, CatalogueError> {
        let file = FORMS
            .get_file("catalogue.json")
            .ok_or_else(|| CatalogueError::MissingEmbedded("catalogue.json".into()))?;
        let text = file.contents_utf8().unwrap_or_default();
        let parsed: CatalogueFile =
            serde_json::from_str(text).map_err(|e| CatalogueError::Syntax {
                path: "forms/catalogue.json".into(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        let mut flows = Vec::new();
        for service in &parsed.services {
            if let Some(path) = &service.flow {
                let f = FORMS
                    .get_file(path)
                    .ok_or_else(|| CatalogueError::MissingEmbedded(path.clone()))?;
                flows.push(FlowSlot {
                    id: service.id.clone(),
                    embedded: Some((f.path().to_str().unwrap_or_default(), f.contents())),
                    parsed: OnceLock::new(),
                });
            }
        }
        let catalogue = Catalogue {
            site: parsed.site,
            categories: parsed.categories,
            services: parsed.services,
            flows,
            data_dir: None,
            warnings: Vec::new(),
            gateways: Default::default(),
            gateway_override: None,
        };
        catalogue.check_unique()?;
        Ok(catalogue)
    }

    /// The embedded catalogue plus everything imported into `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Catalogue, CatalogueError> {
        let mut catalogue = Catalogue::embedded()?;
        catalogue.data_dir = Some(data_dir.to_path_buf());
        for path in flow_files(&data_dir.join("flows"), false)? {
            // One damaged file must not take the whole catalogue down with it.
            match flow::load(&path) {
                Ok(flow) => catalogue.add_flow(flow),
                Err(e) => catalogue
                    .warnings
                    .push(format!("en importerad e-tjänst kunde inte läsas: {e}")),
            }
        }
        // Installed bundles (verified when they arrived), one folder per site. Folders being
        // written or replaced start with a dot and are never read.
        if let Ok(bundles) = std::fs::read_dir(data_dir.join("bundles")) {
            let mut dirs: Vec<PathBuf> = bundles
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_dir()
                        && p.extension().is_none()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| !n.starts_with('.'))
                })
                .collect();
            dirs.sort();
            for d in dirs {
                let gateway = bundle::installed_in(&d).and_then(|i| i.gateway);
                for path in flow_files(&d, true)? {
                    match flow::load(&path) {
                        Ok(flow) => catalogue.add_bundle_flow(flow, &d, gateway.as_deref()),
                        Err(e) => catalogue
                            .warnings
                            .push(format!("en importerad e-tjänst kunde inte läsas: {e}")),
                    }
                }
            }
        }
        Ok(catalogue)
    }

    /// Adds a site's bundled flow unless it would take the place of a flow already here (an
    /// embedded one, the citizen's own import, or another site's): a bundle may add e-services,
    /// never change the ones a citizen already has.
    fn add_bundle_flow(&mut self, flow: Flow, dir: &Path, gateway: Option<&str>) {
        let names = std::iter::once(&flow.id).chain(&flow.aliases);
        let taken = names
            .into_iter()
            .find(|n| self.service(n).is_some() || self.flow(n).is_ok())
            .cloned();
        match taken {
            Some(name) => self.warnings.push(format!(
                "{}: e-tjänsten \"{}\" ({name}) finns redan och ersätts inte av paketet",
                dir.display(),
                flow.name
            )),
            None => {
                if let Some(url) = gateway {
                    self.gateways.insert(flow.id.clone(), url.to_string());
                }
                self.add_flow(flow)
            }
        }
    }

    fn check_unique(&self) -> Result<(), CatalogueError> {
        let mut seen = std::collections::HashSet::new();
        for s in &self.services {
            if !seen.insert(s.id.as_str()) {
                return Err(CatalogueError::Duplicate(s.id.clone()));
            }
        }
        Ok(())
    }

    /// Adds or replaces a fillable flow; an imported flow with an embedded flow's id wins.
    fn add_flow(&mut self, flow: Flow) {
        self.flows.retain(|f| f.id != flow.id);
        // An imported flow's category is listed like the embedded ones.
        let category = flow
            .category
            .clone()
            .unwrap_or_else(|| "Importerade e-tjänster".into());
        if !self.categories.contains(&category) {
            self.categories.push(category);
        }
        if !self.services.iter().any(|s| s.id == flow.id) {
            self.services.push(Service {
                id: flow.id.clone(),
                name: flow.name.clone(),
                category: flow
                    .category
                    .clone()
                    .unwrap_or_else(|| "Importerade e-tjänster".into()),
                short_description: flow.short_description.clone(),
                requires_authentication: flow.requires_authentication,
                requires_signing: flow.requires_signing,
                aliases: flow.aliases.clone(),
                tags: flow.tags.clone(),
                flow: Some(format!("flows/{}.json", flow.id)),
                blanketter: Vec::new(),
                external_link: flow.external_link.clone(),
            });
        }
        self.flows.push(FlowSlot::loaded(flow));
    }

    /// The data directory this catalogue was opened from.
    pub fn data_dir(&self) -> Option<&Path> {
        self.data_dir.as_deref()
    }

    /// Every fillable flow (this parses the embedded ones not yet read).
    pub fn flows(&self) -> Vec<&Flow> {
        self.flows.iter().filter_map(|f| f.get().ok()).collect()
    }

    /// The fillable flow named by id or alias (of the flow or of its catalogue entry).
    pub fn flow(&self, name: &str) -> Result<&Flow, CatalogueError> {
        // By id or catalogue alias first, which parses only the flow asked for; a flow's own
        // aliases are only known once it is parsed, so a miss looks through all of them.
        let id = self
            .service(name)
            .filter(|s| s.flow.is_some())
            .map_or(name, |s| s.id.as_str());
        if let Some(slot) = self.flows.iter().find(|f| f.id == id) {
            return slot.get();
        }
        self.flows
            .iter()
            .filter_map(|f| f.get().ok())
            .find(|f| f.answers_to(name))
            .ok_or_else(|| CatalogueError::UnknownService(name.to_string()))
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.id == name || s.aliases.iter().any(|a| a == name))
    }

    /// Sets (or with `None` clears) the gateway every fillable flow is sent to, over what the
    /// bundles name: for testing a gateway before the municipality's bundle names it.
    pub fn set_gateway_override(&mut self, url: Option<String>) {
        self.gateway_override = url.filter(|u| !u.trim().is_empty());
    }

    /// Where an application of flow (or service) `name` is submitted: the override, or the
    /// gateway its site's signed bundle names; `None` when it can only be printed.
    pub fn gateway(&self, name: &str) -> Option<&str> {
        if let Some(url) = &self.gateway_override {
            return Some(url);
        }
        // Listings ask for every service: most catalogues name no gateway at all.
        if self.gateways.is_empty() {
            return None;
        }
        let id = self.flow(name).ok()?.id.as_str();
        self.gateways.get(id).map(String::as_str)
    }

    /// The one gateway the site's services are submitted to (or the override): where another
    /// signer's computer takes a signing code. `None` when the site names none, or several.
    pub fn site_gateway(&self) -> Option<&str> {
        if let Some(url) = &self.gateway_override {
            return Some(url);
        }
        let mut urls = self.gateways.values();
        let first = urls.next()?;
        urls.all(|u| u == first).then_some(first.as_str())
    }

    pub fn capabilities(&self, service: &Service) -> Capabilities {
        let flow = service
            .flow
            .as_ref()
            .and_then(|_| self.flows.iter().find(|f| f.id == service.id))
            .and_then(|f| f.get().ok());
        let fillable = flow.is_some_and(|f| !f.steps.is_empty());
        let partly_online =
            flow.is_some_and(|f| f.queries().any(|q| matches!(q.kind, QueryKind::Unknown(_))));
        let blankett = !service.blanketter.is_empty();
        Capabilities {
            fill_offline: fillable,
            partly_online,
            print: fillable,
            submit_online: fillable && self.gateway(&service.id).is_some(),
            needs_eid: service.requires_signing || service.requires_authentication,
            blankett,
            web_only: !fillable && !blankett,
        }
    }

    /// Services of this catalogue (embedded and imported) matching `text` as search hits:
    /// every word must start a word of the name, tags, category or description, diacritics
    /// optional.
    pub fn search(&self, text: &str) -> Vec<index::Hit> {
        let words: Vec<String> = index::words(text).map(index::fold).collect();
        if words.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<index::Hit> = self
            .services
            .iter()
            .filter(|s| {
                let hay = index::fold(&format!(
                    "{} {} {} {}",
                    s.name,
                    s.tags.join(" "),
                    s.category,
                    crate::fill::plain_text(&s.short_description)
                ));
                let hay_words: Vec<&str> = index::words(&hay).collect();
                words
                    .iter()
                    .all(|w| hay_words.iter().any(|h| h.starts_with(w.as_str())))
            })
            .map(|s| index::Hit {
                site: self.site.url.clone(),
                id: s.id.clone(),
                name: s.name.clone(),
                category: s.category.clone(),
                url: s.external_link.clone(),
                requires_authentication: s.requires_authentication,
                requires_signing: s.requires_signing,
                short_description: flowinfo::sanitize(&s.short_description),
            })
            .collect();
        index::rank(&mut hits, text);
        hits
    }

    /// The bytes of a blankett listed in the catalogue.
    pub fn blankett(&self, blankett: &Blankett) -> Result<Vec<u8>, CatalogueError> {
        if let Some(f) = FORMS.get_file(&blankett.file) {
            return Ok(f.contents().to_vec());
        }
        let path = self
            .data_dir
            .as_ref()
            .map(|d| d.join(&blankett.file))
            .ok_or_else(|| CatalogueError::MissingEmbedded(blankett.file.clone()))?;
        std::fs::read(&path).map_err(|source| CatalogueError::Io { path, source })
    }
}

/// Flow files in `dir` (JSON; with `oeflow` also `.oeflow`, and below sub-folders), sorted.
fn flow_files(dir: &Path, oeflow: bool) -> Result<Vec<PathBuf>, CatalogueError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(CatalogueError::Io {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    let mut out = Vec::new();
    for path in entries.filter_map(Result::ok).map(|e| e.path()) {
        if oeflow && path.is_dir() {
            out.extend(flow_files(&path, true)?);
        } else if path
            .extension()
            .is_some_and(|e| e == "json" || (oeflow && e == "oeflow"))
        {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Imports flow files (`.oeflow` or `.json`) into `data_dir`: all or nothing. Returns the
/// imported flows' ids.
pub fn import(data_dir: &Path, files: &[PathBuf]) -> Result<Vec<String>, CatalogueError> {
    // Parse everything first so that one bad file imports nothing.
    let flows = files
        .iter()
        .map(|p| flow::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let dir = data_dir.join("flows");
    std::fs::create_dir_all(&dir).map_err(|source| CatalogueError::Io {
        path: dir.clone(),
        source,
    })?;
    let mut ids = Vec::new();
    for mut flow in flows {
        let base = crate::slug(&flow.id);
        for (i, form) in flow.forms.iter_mut().enumerate() {
            if let Some(data) = form.data.take() {
                let name = format!(
                    "{base}.blankett{}.{}",
                    i + 1,
                    crate::slug(&form.file_extension)
                );
                write_atomic(&dir.join(&name), &data)?;
                form.file = Some(name);
            }
        }
        let json = serde_json::to_vec_pretty(&flow).unwrap_or_default();
        write_atomic(&dir.join(format!("{base}.json")), &json)?;
        ids.push(flow.id);
    }
    Ok(ids)
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file. The
/// temporary file is created new, under a random name, in the target's own folder and readable
/// by its owner only, so no other user can predict it, plant a link there or read it; it is
/// removed on any failure. The rename replaces a link at `path` rather than following it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CatalogueError> {
    use std::io::Write;
    let io = |source| CatalogueError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "det är en mapp; ange ett filnamn",
        )));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".etjanst-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
