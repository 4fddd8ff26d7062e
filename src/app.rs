//! What a person can do with etjanst, one function per thing, for every shell over the core:
//! the command line now, the desktop window next. Shells parse and print; the decisions (what an
//! entry offers, which e-service a name means, which site a few letters name) are made here,
//! once.

use std::path::Path;

use serde::Serialize;

use crate::catalogue::index::{Hit, Index, IndexError};
use crate::catalogue::{Capabilities, Catalogue, CatalogueError, Service};
use crate::fill::{Issue, Lang};
use crate::flow::{Flow, Query, QueryKind};

/// One line of the catalogue as a person sees it, embedded or synced.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The id Open ePlatform knows it by.
    pub id: String,
    /// What to type in the next command: the alias where the id is a bare number.
    pub handle: String,
    pub aliases: Vec<String>,
    pub name: String,
    pub category: String,
    pub site: String,
    pub site_name: String,
    pub capabilities: Capabilities,
    /// Where a web-only e-service is filled in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The name a person types for a catalogue entry: a number is hard to remember, so the first
/// alias when the id is one.
pub fn handle(id: &str, aliases: &[String]) -> String {
    match aliases.first() {
        Some(a) if id.bytes().all(|b| b.is_ascii_digit()) => a.clone(),
        _ => id.to_string(),
    }
}

fn embedded_entry(catalogue: &Catalogue, s: &Service) -> Entry {
    Entry {
        id: s.id.clone(),
        handle: handle(&s.id, &s.aliases),
        aliases: s.aliases.clone(),
        name: s.name.clone(),
        category: s.category.clone(),
        site: catalogue.site.url.clone(),
        site_name: catalogue.site.name.clone(),
        capabilities: catalogue.capabilities(s),
        url: s.external_link.clone(),
    }
}

fn synced_entry(hit: &Hit, site_name: &str) -> Entry {
    Entry {
        id: hit.id.clone(),
        handle: hit.id.clone(),
        aliases: Vec::new(),
        name: hit.name.clone(),
        category: hit.category.clone(),
        site: hit.site.clone(),
        site_name: site_name.to_string(),
        capabilities: Capabilities {
            fill_offline: false,
            partly_online: false,
            print: false,
            submit_online: false,
            needs_eid: hit.requires_authentication || hit.requires_signing,
            blankett: false,
            web_only: true,
        },
        url: hit.url.clone(),
    }
}

/// The embedded catalogue's entries (with the imported and bundled flows), in its category
/// order, optionally one category's only.
pub fn list(catalogue: &Catalogue, category: Option<&str>) -> Vec<Entry> {
    let mut out = Vec::new();
    for name in &catalogue.categories {
        if category.is_some_and(|c| c != name) {
            continue;
        }
        out.extend(
            catalogue
                .services
                .iter()
                .filter(|s| &s.category == name)
                .map(|s| embedded_entry(catalogue, s)),
        );
    }
    out
}

/// A synced site's entries.
pub fn list_site(
    index: &Index,
    site: &str,
    category: Option<&str>,
) -> Result<Vec<Entry>, IndexError> {
    let name = site_name(index, site)?;
    let filter = crate::catalogue::index::Filter {
        category: category.map(str::to_string),
        site: Some(site.to_string()),
        ..Default::default()
    };
    Ok(index
        .list(&filter)?
        .iter()
        .map(|h| synced_entry(h, &name))
        .collect())
}

fn site_name(index: &Index, site: &str) -> Result<String, IndexError> {
    Ok(index
        .sites()?
        .into_iter()
        .find(|(url, _, _)| url == site)
        .map_or_else(|| site.to_string(), |(_, name, _)| name))
}

/// A site's host, from its address with or without scheme and trailing slash: the default
/// name of a synced site, and what a person may type for it.
pub fn host(site: &str) -> String {
    site.trim()
        .split("://")
        .nth(1)
        .unwrap_or(site.trim())
        .trim_end_matches('/')
        .to_string()
}

/// The stored site a person means: its address with or without `https://` and a trailing
/// slash, its host, or the name given at sync (letter case aside).
pub fn find_site(index: &Index, given: &str) -> Result<Option<String>, IndexError> {
    let wanted = given.trim().trim_end_matches('/').to_lowercase();
    let host = |url: &str| host(url).to_lowercase();
    Ok(index
        .sites()?
        .into_iter()
        .find(|(url, name, _)| {
            url.to_lowercase() == wanted
                || host(url) == host(&wanted)
                || name.to_lowercase() == wanted
        })
        .map(|(url, _, _)| url))
}

/// What a name given on the command line (or picked in a window) turned out to be.
pub enum Found<'c> {
    /// A flow that can be filled in here.
    Flow(&'c Flow),
    /// An embedded entry without a fillable flow: a blankett, or the web only.
    Entry(Entry),
    /// A synced e-service, with its long description (sanitised HTML).
    Synced(Hit, String),
    /// The number names e-services on several synced sites.
    Ambiguous(Vec<Hit>),
}

/// Finds what `name` means: a fillable flow (id or alias), another embedded entry, or a synced
/// e-service by its number, on `site` or on whichever synced site is the only one to have it.
pub fn find<'c>(
    catalogue: &'c Catalogue,
    index: Option<&Index>,
    name: &str,
    site: Option<&str>,
) -> Result<Found<'c>, AppError> {
    if site.is_none() {
        if let Ok(flow) = catalogue.flow(name) {
            return Ok(Found::Flow(flow));
        }
        if let Some(s) = catalogue.service(name) {
            return Ok(Found::Entry(embedded_entry(catalogue, s)));
        }
    }
    let unknown = || AppError::Unknown(name.to_string());
    let index = index.ok_or_else(unknown)?;
    let number: i64 = name.trim().parse().map_err(|_| unknown())?;
    if let Some(given) = site {
        let url =
            find_site(index, given)?.ok_or_else(|| AppError::UnknownSite(given.to_string()))?;
        let (hit, long) = index
            .service(&url, number)?
            .ok_or_else(|| AppError::NotOnSite(name.to_string(), url.clone()))?;
        return Ok(Found::Synced(hit, long));
    }
    let mut found = index.services_numbered(number)?;
    match found.len() {
        0 => Err(unknown()),
        1 => {
            let (hit, long) = found.remove(0);
            Ok(Found::Synced(hit, long))
        }
        _ => Ok(Found::Ambiguous(
            found.into_iter().map(|(h, _)| h).collect(),
        )),
    }
}

/// The catalogue index of `data_dir` if one was ever stored: reading never creates it.
pub fn existing_index(data_dir: Option<&Path>) -> Result<Option<Index>, IndexError> {
    match data_dir {
        Some(d) if d.join(crate::catalogue::index::DB_FILE).exists() => Index::open(d).map(Some),
        _ => Ok(None),
    }
}

/// What can be done with an entry here, and the command that does it.
pub fn what_to_do(entry: &Entry, lang: Lang) -> String {
    let c = &entry.capabilities;
    let h = &entry.handle;
    let mut parts: Vec<String> = Vec::new();
    if c.fill_offline {
        parts.push(crate::t!(lang, "offer-fill", handle = h));
        if c.partly_online {
            parts.push(crate::t!(lang, "offer-partly-online"));
        }
    }
    if c.blankett {
        parts.push(if c.fill_offline {
            crate::t!(lang, "offer-blankett", handle = h)
        } else {
            crate::t!(lang, "offer-blankett-only", handle = h)
        });
    }
    if c.web_only {
        let place = entry.url.as_deref().unwrap_or(&entry.site);
        parts.push(crate::t!(lang, "offer-web-only", place = place));
    }
    if c.needs_eid {
        parts.push(crate::t!(lang, "offer-needs-eid"));
    }
    let s = parts.join("; ");
    let mut chars = s.chars();
    chars
        .next()
        .map(|f| f.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// Reads an answers document (`text`, from `origin`, the file's name) for `flow`, which the
/// person called `given`: JSON errors in one sentence with the place once, and a file for
/// another e-service named as the person named this one.
pub fn parse_answers(
    flow: &Flow,
    given: &str,
    text: &str,
    origin: &str,
    lang: Lang,
) -> Result<crate::fill::Answers, String> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "{origin}:{}:{}: {}",
            e.line(),
            e.column(),
            crate::json_error::message(&e, lang == Lang::Sv)
        )
    })?;
    crate::fill::Answers::from_json(flow, &doc).map_err(|e| {
        let e = match e {
            crate::fill::AnswerError::WrongFlow { file, .. } => {
                crate::fill::AnswerError::WrongFlow {
                    file,
                    flow: given.to_string(),
                }
            }
            e => e,
        };
        format!("{origin}: {e}")
    })
}

/// Where an issue is, in the names a person used: the query's alias, the row, the field's
/// alias (`kontaktuppgifter / email`, `inkomster rad 2 / inkomsttyp`).
pub fn issue_place(flow: &Flow, issue: &Issue, lang: Lang) -> String {
    let query = flow.query(&issue.query);
    let mut place = query.map_or(issue.query.clone(), |q| q.handle().to_string());
    if let Some(row) = issue.row {
        place.push(' ');
        place.push_str(&crate::t!(lang, "issue-row", row = row + 1));
    }
    if let Some(field) = &issue.field {
        let field = query
            .and_then(|q| field_alias(q, field))
            .unwrap_or_else(|| field.clone());
        place.push_str(&format!(" / {field}"));
    }
    place
}

/// An issue as JSON for a program or a window: the core's fields, the message in `lang`, and
/// the aliases of its query and field beside their ids.
pub fn issue_json(flow: &Flow, issue: &Issue, lang: Lang) -> serde_json::Value {
    let mut v = serde_json::to_value(issue).unwrap_or_default();
    v["message"] = issue.message(lang).into();
    if let Some(q) = flow.query(&issue.query) {
        if let Some(alias) = &q.alias {
            v["alias"] = alias.clone().into();
        }
        if let Some(alias) = issue.field.as_deref().and_then(|f| field_alias(q, f)) {
            v["fieldAlias"] = alias.into();
        }
    }
    v
}

/// The alias of a text field (or of a sub-query of a group row) that an issue names by id.
fn field_alias(query: &Query, field: &str) -> Option<String> {
    match &query.kind {
        QueryKind::TextField(t) => t
            .fields
            .iter()
            .find(|f| f.id == field)
            .and_then(|f| f.alias.clone()),
        QueryKind::RepeatingGroup(g) => {
            let (sub, rest) = field.split_once('.').unwrap_or((field, ""));
            let sub = g.queries.iter().find(|q| q.id == sub)?;
            let inner = (!rest.is_empty())
                .then(|| field_alias(sub, rest).unwrap_or_else(|| rest.to_string()));
            let head = sub.handle().to_string();
            Some(inner.map_or(head.clone(), |i| format!("{head}.{i}")))
        }
        _ => None,
    }
}

#[derive(Debug)]
pub enum AppError {
    Unknown(String),
    UnknownSite(String),
    NotOnSite(String, String),
    Index(IndexError),
    Catalogue(CatalogueError),
}

impl AppError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppError::Unknown(name) => crate::t!(lang, "app-unknown", name = name),
            AppError::UnknownSite(site) => crate::t!(lang, "app-unknown-site", site = site),
            AppError::NotOnSite(id, site) => {
                crate::t!(lang, "app-not-on-site", id = id, site = site)
            }
            AppError::Index(e) => e.to_string(),
            AppError::Catalogue(e) => e.to_string(),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::i18n::language()))
    }
}

impl std::error::Error for AppError {}

impl From<IndexError> for AppError {
    fn from(e: IndexError) -> Self {
        AppError::Index(e)
    }
}

impl From<CatalogueError> for AppError {
    fn from(e: CatalogueError) -> Self {
        AppError::Catalogue(e)
    }
}
