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

/// The entry of an embedded (or imported) catalogue service.
pub fn embedded_entry(catalogue: &Catalogue, s: &Service) -> Entry {
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

/// The municipality a form is printed for, from the catalogue's site name ("Lindesbergs kommun
/// (exempel)" → "Lindesbergs kommun"): the PDF's page header.
pub fn publisher(site_name: &str) -> String {
    site_name
        .split(" (")
        .next()
        .unwrap_or(site_name)
        .to_string()
}

/// Today's date where the citizen is: validation of dates and personnummer depends on it.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// An entry for a flow that no catalogue service lists (imported or from a bundle).
pub fn flow_entry(catalogue: &Catalogue, flow: &Flow) -> Entry {
    let service = Service {
        id: flow.id.clone(),
        name: flow.name.clone(),
        category: flow.category.clone().unwrap_or_default(),
        short_description: flow.short_description.clone(),
        requires_authentication: flow.requires_authentication,
        requires_signing: flow.requires_signing,
        aliases: flow.aliases.clone(),
        tags: flow.tags.clone(),
        flow: Some(flow.id.clone()),
        blanketter: Vec::new(),
        external_link: flow.external_link.clone(),
    };
    embedded_entry(catalogue, &service)
}

/// The municipality's switchboard: the phone number most of its flows give for contact. People
/// with protected identity are told to call it instead of typing their details.
pub fn site_phone(catalogue: &Catalogue) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for flow in catalogue.flows() {
        if let Some(phone) = flow.contact.as_ref().and_then(|c| c.phone.clone()) {
            match counts.iter_mut().find(|(p, _)| *p == phone) {
                Some((_, n)) => *n += 1,
                None => counts.push((phone, 1)),
            }
        }
    }
    // The first of the most common, so the answer does not change with hash order.
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(p, _)| p)
}

/// Whether a flow asks for a person's identity or address: where the protected-identity notice
/// is repeated.
pub fn asks_personal_data(flow: &Flow) -> bool {
    flow.queries()
        .any(|q| matches!(q.kind, QueryKind::ContactDetail(_)))
}

/// The questions of `flow` that can only be answered on the municipality's website, by name:
/// said on the service's page before the citizen starts, and at each question in the form.
pub fn web_only_questions(flow: &Flow) -> Vec<String> {
    flow.online_only_queries().map(|q| q.name.clone()).collect()
}

/// How one text field of a form is typed and what its hint says, from its format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldInput {
    #[serde(flatten)]
    pub input: crate::ids::Input,
    /// The format said before typing ("Svara med ett datum (ÅÅÅÅ-MM-DD)."), not a placeholder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// Every text field of `flow` (in repeating groups too) with a known format, by field id: how
/// a window lets the citizen type it. The window keeps no copy of these rules.
/// One field of a contact or organisation question as the window shows it: its answer key,
/// label, mode, and how it is typed (the core's list, [`crate::fill::contact_fields`]).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonFieldView {
    pub name: &'static str,
    pub label: String,
    pub mode: crate::flow::FieldMode,
    #[serde(flatten)]
    pub input: FieldInput,
}

/// The shown fields of every contact and organisation question of `flow`, by question id.
pub fn person_fields(
    flow: &Flow,
    lang: Lang,
) -> std::collections::BTreeMap<String, Vec<PersonFieldView>> {
    let view = |fields: &[crate::fill::PersonField]| -> Vec<PersonFieldView> {
        fields
            .iter()
            .filter(|f| f.mode != crate::flow::FieldMode::Hidden)
            .map(|f| {
                let mut input = match f.format {
                    Some(format) => FieldInput {
                        input: format.input(),
                        hint: Some(crate::t!(
                            lang,
                            "field-format-hint",
                            example = format.example(lang)
                        )),
                    },
                    None => FieldInput {
                        input: crate::ids::Input {
                            kind: "text",
                            inputmode: None,
                            autocomplete: None,
                        },
                        hint: None,
                    },
                };
                if f.autocomplete.is_some() {
                    input.input.autocomplete = f.autocomplete;
                }
                PersonFieldView {
                    name: f.name,
                    label: crate::i18n::text(lang, f.label, &[]),
                    mode: f.mode,
                    input,
                }
            })
            .collect()
    };
    let mut out = std::collections::BTreeMap::new();
    let mut add = |q: &Query| match &q.kind {
        QueryKind::ContactDetail(c) => {
            out.insert(q.id.clone(), view(&crate::fill::contact_fields(c)));
        }
        QueryKind::OrganizationDetail(o) => {
            out.insert(q.id.clone(), view(&crate::fill::organization_fields(o)));
        }
        _ => {}
    };
    for q in flow.queries() {
        add(q);
        if let QueryKind::RepeatingGroup(g) = &q.kind {
            g.queries.iter().for_each(&mut add);
        }
    }
    out
}

pub fn field_inputs(flow: &Flow, lang: Lang) -> std::collections::BTreeMap<String, FieldInput> {
    let mut out = std::collections::BTreeMap::new();
    let mut add = |q: &Query| {
        if let QueryKind::TextField(t) = &q.kind {
            for f in &t.fields {
                let Some(format) = f
                    .format_validator
                    .as_deref()
                    .and_then(crate::ids::Format::from_validator)
                else {
                    continue;
                };
                out.insert(
                    f.id.clone(),
                    FieldInput {
                        input: format.input(),
                        hint: Some(crate::t!(
                            lang,
                            "field-format-hint",
                            example = format.example(lang)
                        )),
                    },
                );
            }
        }
    };
    for q in flow.queries() {
        add(q);
        if let QueryKind::RepeatingGroup(g) = &q.kind {
            g.queries.iter().for_each(&mut add);
        }
    }
    out
}

/// A flow as a window shows it: every HTML text sanitised (the catalogue's own sanitiser),
/// admin comments dropped.
pub fn flow_for_display(flow: &Flow) -> Flow {
    use crate::catalogue::flowinfo::sanitize;
    fn query(q: &mut Query) {
        q.description = q.description.as_deref().map(sanitize);
        q.help_text = q.help_text.as_deref().map(sanitize);
        q.comment = None;
        if let QueryKind::RepeatingGroup(g) = &mut q.kind {
            g.queries.iter_mut().for_each(query);
        }
    }
    let mut f = flow.clone();
    f.short_description = sanitize(&f.short_description);
    f.long_description = f.long_description.as_deref().map(sanitize);
    f.submitted_message = f.submitted_message.as_deref().map(sanitize);
    for step in &mut f.steps {
        step.queries.iter_mut().for_each(query);
    }
    f
}

/// Where an issue is, in the words the citizen sees on screen: the question, the row, the
/// field's label ("Kontaktuppgifter: E-post", "Inkomster, rad 2: Belopp").
/// What to do about `issue`, as GOV.UK words it: a missing answer says what to do for its
/// kind of question ("Välj ett alternativ.", "Kryssa i minst ett alternativ.", "Skriv ort.")
/// rather than one message for all.
pub fn issue_message(flow: &Flow, issue: &Issue, lang: Lang) -> String {
    if issue.problem != crate::fill::Problem::Required {
        return issue.message(lang);
    }
    let Some(query) = flow.query(&issue.query) else {
        return issue.message(lang);
    };
    required_message(query, issue.field.as_deref(), lang)
}

fn required_message(query: &Query, field: Option<&str>, lang: Lang) -> String {
    use crate::t;
    let named = |label: &str| {
        let mut chars = label.chars();
        let first: String = chars
            .next()
            .into_iter()
            .flat_map(char::to_lowercase)
            .collect();
        t!(
            lang,
            "required-field",
            label = format!("{first}{}", chars.as_str())
        )
    };
    match (&query.kind, field) {
        (QueryKind::RepeatingGroup(g), Some(f)) => {
            let (sub, rest) = f.split_once('.').unwrap_or((f, ""));
            match g.queries.iter().find(|q| q.id == sub) {
                Some(sub) => required_message(sub, (!rest.is_empty()).then_some(rest), lang),
                None => t!(lang, "problem-required"),
            }
        }
        (QueryKind::RepeatingGroup(_), None) => t!(lang, "required-rows"),
        (QueryKind::RadioButton(_) | QueryKind::DropDown(_), _) => t!(lang, "required-choice"),
        (QueryKind::Checkbox(_), _) => t!(lang, "required-check"),
        (QueryKind::FileUpload(_), _) => t!(lang, "required-file"),
        (QueryKind::TextArea(_), _) => t!(lang, "required-text"),
        (QueryKind::TextField(t), Some(f)) if t.fields.len() > 1 => {
            match t.fields.iter().find(|x| x.id == f) {
                Some(x) => named(&x.label),
                None => t!(lang, "required-text"),
            }
        }
        (QueryKind::TextField(_), _) => t!(lang, "required-text"),
        (QueryKind::ContactDetail(_) | QueryKind::OrganizationDetail(_), Some(f)) => {
            match field_label(query, f, lang) {
                Some(label) => named(&label),
                None => t!(lang, "problem-required"),
            }
        }
        _ => t!(lang, "problem-required"),
    }
}

pub fn issue_label(flow: &Flow, issue: &Issue, lang: Lang) -> String {
    let Some(query) = flow.query(&issue.query) else {
        return issue.query.clone();
    };
    let mut label = query.name.clone();
    if let Some(row) = issue.row {
        label.push_str(", ");
        label.push_str(&crate::t!(lang, "issue-row", row = row + 1));
    }
    if let Some(field) = &issue.field
        && let Some(name) = field_label(query, field, lang)
    {
        label.push_str(": ");
        label.push_str(&name);
    }
    label
}

fn field_label(query: &Query, field: &str, lang: Lang) -> Option<String> {
    match &query.kind {
        QueryKind::TextField(t) => t
            .fields
            .iter()
            .find(|f| f.id == field)
            .map(|f| f.label.clone()),
        QueryKind::RepeatingGroup(g) => {
            let (sub, rest) = field.split_once('.').unwrap_or((field, ""));
            let sub = g.queries.iter().find(|q| q.id == sub)?;
            match (!rest.is_empty())
                .then(|| field_label(sub, rest, lang))
                .flatten()
            {
                Some(inner) => Some(format!("{} – {inner}", sub.name)),
                None => Some(sub.name.clone()),
            }
        }
        QueryKind::ContactDetail(_) | QueryKind::OrganizationDetail(_) => {
            let key = format!("field-{field}");
            let text = crate::i18n::text(lang, &key, &[]);
            (text != key).then_some(text)
        }
        _ => None,
    }
}

/// What a person searches for: words, and the filters of the catalogue's start page.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub text: String,
    pub category: Option<String>,
    /// A site's address (as stored), or `None` for every site.
    pub site: Option<String>,
    pub fillable: bool,
    pub needs_eid: bool,
    pub has_blankett: bool,
    pub limit: usize,
}

/// The core's search over the embedded catalogue and every synced site, ranked once: the CLI's
/// `search` and the desktop's search box.
/// What a citizen sends with an e-service, named by the service's own noun: "Din synpunkt",
/// "Din felanmälan", "Ditt klagomål"; "Ditt ärende" when its name says nothing better.
/// `lang` English gives the English noun ("your feedback").
pub fn what_is_sent(service_name: &str, lang: Lang) -> String {
    let name = service_name.to_lowercase();
    // Longer words first: a "felanmälan" is not just an "anmälan".
    const NOUNS: [(&[&str], &str, &str); 6] = [
        (&["felanmälan"], "Din felanmälan", "your fault report"),
        (&["anmälan", "anmäl "], "Din anmälan", "your report"),
        (&["ansökan", "ansök "], "Din ansökan", "your application"),
        (&["synpunkt"], "Din synpunkt", "your feedback"),
        (&["klagomål"], "Ditt klagomål", "your complaint"),
        (
            &["beställning", "beställ "],
            "Din beställning",
            "your order",
        ),
    ];
    let found = NOUNS
        .iter()
        .find(|(words, _, _)| words.iter().any(|w| name.contains(w)));
    match (found, lang) {
        (Some((_, sv, _)), Lang::Sv) => sv.to_string(),
        (Some((_, _, en)), Lang::En) => en.to_string(),
        (None, Lang::Sv) => "Ditt ärende".into(),
        (None, Lang::En) => "your case".into(),
    }
}

/// The catalogue's filters: a category, and what a service must offer. Searching and
/// browsing without words apply the same ones ([`search`], [`browse`]).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub category: Option<String>,
    pub fillable: bool,
    pub needs_eid: bool,
    pub has_blankett: bool,
}

impl Filters {
    /// A service of `category` that offers `caps` is listed.
    pub fn admits(&self, category: &str, caps: &crate::catalogue::Capabilities) -> bool {
        self.category.as_deref().is_none_or(|c| c == category)
            && (!self.fillable || caps.fill_offline)
            && (!self.needs_eid || caps.needs_eid)
            && (!self.has_blankett || caps.blankett)
    }
}

/// Browsing without words: the entries the filters admit, in the order given.
pub fn browse(entries: Vec<Entry>, filters: &Filters) -> Vec<Entry> {
    entries
        .into_iter()
        .filter(|e| filters.admits(&e.category, &e.capabilities))
        .collect()
}

pub fn search(
    catalogue: &Catalogue,
    index: Option<&Index>,
    query: &Search,
) -> Result<Vec<Hit>, IndexError> {
    let Search {
        text,
        category,
        site,
        fillable,
        needs_eid,
        has_blankett,
        limit,
    } = query;
    let filter = crate::catalogue::index::Filter {
        category: category.clone(),
        site: site.clone(),
        needs_eid: needs_eid.then_some(true),
        has_blankett: has_blankett.then_some(true),
    };
    let filters = Filters {
        category: category.clone(),
        fillable: *fillable,
        needs_eid: *needs_eid,
        has_blankett: *has_blankett,
    };
    let mut hits: Vec<Hit> = catalogue
        .search(text)
        .into_iter()
        .filter(|h| site.as_ref().is_none_or(|s| &h.site == s))
        .filter(|h| {
            catalogue.service(&h.id).is_some_and(|service| {
                filters.admits(&h.category, &catalogue.capabilities(service))
            })
        })
        .collect();
    // Synced sites carry no form content: they are filled on the web. The embedded
    // catalogue's own site is not among them.
    let embedded_only = site.as_ref().is_some_and(|s| *s == catalogue.site.url);
    if !fillable
        && !embedded_only
        && let Some(index) = index
    {
        hits.extend(index.search(text, &filter, *limit)?);
    }
    crate::catalogue::index::rank(&mut hits, text);
    hits.truncate(*limit);
    Ok(hits)
}

/// Search hits as catalogue entries: the embedded service each names, or the synced one
/// under its site's name (the site names read once for all hits).
pub fn entries_of(catalogue: &Catalogue, index: Option<&Index>, hits: &[Hit]) -> Vec<Entry> {
    let names: std::collections::HashMap<String, String> = index
        .and_then(|i| i.sites().ok())
        .unwrap_or_default()
        .into_iter()
        .map(|(url, name, _)| (url, name))
        .collect();
    hits.iter()
        .map(|hit| match catalogue.service(&hit.id) {
            Some(s) if hit.site == catalogue.site.url => embedded_entry(catalogue, s),
            _ => {
                let name = names
                    .get(&hit.site)
                    .cloned()
                    .unwrap_or_else(|| host(&hit.site));
                synced_entry(hit, &name)
            }
        })
        .collect()
}

/// One search hit as a catalogue entry (see [`entries_of`]).
pub fn entry_of(catalogue: &Catalogue, index: Option<&Index>, hit: &Hit) -> Entry {
    entries_of(catalogue, index, std::slice::from_ref(hit)).remove(0)
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
    v["message"] = issue_message(flow, issue, lang).into();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_formatted_field_says_how_it_is_typed_and_what_to_write() {
        let catalogue = Catalogue::embedded().unwrap();
        let flow = catalogue.flow("matforgiftning").unwrap();
        let inputs = field_inputs(flow, Lang::Sv);
        let date = &inputs["510201"];
        assert_eq!(date.input.kind, "text");
        assert_eq!(
            date.hint.as_deref(),
            Some("Svara med ett datum (ÅÅÅÅ-MM-DD).")
        );
        assert!(!inputs.contains_key("510202"), "a field without a format");

        use crate::ids::Format;
        let email = Format::from_validator("se.unlogic.emailutils.validation.StringEmailValidator")
            .unwrap()
            .input();
        assert_eq!((email.kind, email.inputmode), ("email", Some("email")));
        assert_eq!(Format::Phone.input().kind, "tel");
        assert_eq!(Format::PositiveInteger.input().inputmode, Some("numeric"));
        assert_eq!(
            Format::Personnummer.input().inputmode,
            None,
            "a personnummer's hyphen needs the full keyboard"
        );
    }

    #[test]
    fn browsing_and_searching_filter_alike() {
        let catalogue = Catalogue::embedded().unwrap();
        let all = list(&catalogue, None);
        let filters = Filters {
            fillable: true,
            has_blankett: false,
            ..Default::default()
        };
        let browsed = browse(all.clone(), &filters);
        assert!(!browsed.is_empty() && browsed.len() < all.len());
        assert!(browsed.iter().all(|e| e.capabilities.fill_offline));
        let category = all[0].category.clone();
        let in_category = browse(
            all.clone(),
            &Filters {
                category: Some(category.clone()),
                ..Default::default()
            },
        );
        assert!(in_category.iter().all(|e| e.category == category));
        // The same filters on a search: every hit is one browsing would list.
        let hits = search(
            &catalogue,
            None,
            &Search {
                text: "ansökan".into(),
                category: None,
                site: None,
                fillable: true,
                needs_eid: false,
                has_blankett: false,
                limit: 100,
            },
        )
        .unwrap();
        assert!(!hits.is_empty());
        for h in &hits {
            assert!(
                browsed.iter().any(|e| e.id == h.id),
                "{} is not browsed",
                h.id
            );
        }
    }

    #[test]
    fn what_is_sent_is_named_by_the_service() {
        let sv = |n: &str| what_is_sent(n, Lang::Sv);
        assert_eq!(sv("Lämna synpunkt eller klagomål"), "Din synpunkt");
        assert_eq!(sv("Felanmälan gata, park och belysning"), "Din felanmälan");
        assert_eq!(sv("Anmäl misstänkt matförgiftning"), "Din anmälan");
        assert_eq!(sv("Ansökan om plats i förskola"), "Din ansökan");
        assert_eq!(sv("Parkeringstillstånd"), "Ditt ärende");
        assert_eq!(what_is_sent("Lämna synpunkt", Lang::En), "your feedback");
    }
}
