//! Finding e-services: the catalogue, synced sites, search, blanketter, imports and exports.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::*;

pub(super) fn flows(
    catalogue: &Catalogue,
    lang: Lang,
    json: bool,
    category: Option<String>,
    site: Option<String>,
) -> Result<u8, Failure> {
    let mut out = std::io::stdout().lock();
    if let Some(site) = site {
        let index = etjanst::app::existing_index(catalogue.data_dir())?;
        let url = match &index {
            Some(index) => etjanst::app::find_site(index, &site)?,
            None => None,
        };
        let (Some(index), Some(url)) = (index, url) else {
            return Err(Failure::input(etjanst::t!(
                lang,
                "site-not-stored",
                site = site,
                host = host(&site)
            )));
        };
        let entries = etjanst::app::list_site(&index, &url, category.as_deref())?;
        if entries.is_empty() {
            return Err(Failure::input(etjanst::t!(
                lang,
                "no-services-in-category",
                category = category.unwrap_or_default(),
                site = url
            )));
        }
        print_entries(&mut out, &entries, json, lang)?;
        Ok(0)
    } else {
        let entries = etjanst::app::list(catalogue, category.as_deref());
        if let Some(c) = &category
            && entries.is_empty()
        {
            return Err(Failure::input(etjanst::t!(
                lang,
                "no-such-category",
                category = c,
                categories = catalogue.categories.join(", ")
            )));
        }
        if !json {
            writeln!(out, "{} ({})", catalogue.site.name, catalogue.site.url)?;
        }
        print_entries(&mut out, &entries, json, lang)?;
        if !json && let Some(index) = etjanst::app::existing_index(catalogue.data_dir())? {
            let sites = index.sites()?;
            if !sites.is_empty() {
                writeln!(out, "\n{}", etjanst::t!(lang, "stored-catalogues"))?;
                for (url, name, n) in sites {
                    let line =
                        etjanst::t!(lang, "stored-catalogue", name = name, count = n, site = url);
                    writeln!(out, "  {line}")?;
                }
            }
        }
        Ok(0)
    }
}

/// An e-service's blankett: the embedded catalogue's, or a synced site's (fetched now when a
/// bounded sync did not reach it).
pub(super) fn blankett_bytes(
    catalogue: &Catalogue,
    lang: Lang,
    flow: String,
    site: Option<String>,
) -> Result<Vec<u8>, Failure> {
    Ok(match site {
        Some(given) => {
            let unknown =
                || Failure::input(etjanst::app::AppError::UnknownSite(given.clone()).message(lang));
            let mut index =
                etjanst::app::existing_index(catalogue.data_dir())?.ok_or_else(unknown)?;
            let site = etjanst::app::find_site(&index, &given)?.ok_or_else(unknown)?;
            let id: i64 = flow
                .parse()
                .map_err(|_| Failure::input(etjanst::t!(lang, "give-number")))?;
            let site = site.as_str();
            let none = || {
                Failure::input(etjanst::t!(
                    lang,
                    "no-blankett-on-site",
                    id = id,
                    site = site
                ))
            };
            match index.file(site, id, "blankett")? {
                Some(bytes) => bytes,
                // Not reached by a bounded sync yet: fetched now, if the site answers.
                None if index.service(site, id)?.is_some() => {
                    catalogue::sync::fetch_blankett(&mut index, site, id, &Default::default())
                        .map_err(Failure::from)?
                        .ok_or_else(none)?
                }
                None => return Err(none()),
            }
        }
        None => {
            let service = catalogue.service(&flow).ok_or_else(|| {
                Failure::input(etjanst::app::AppError::Unknown(flow.clone()).message(lang))
            })?;
            let b = service.blanketter.first().ok_or_else(|| {
                Failure::input(etjanst::t!(
                    lang,
                    "no-blankett",
                    name = service.name,
                    handle = flow
                ))
            })?;
            catalogue.blankett(b)?
        }
    })
}

pub(super) fn show(
    catalogue: &Catalogue,
    lang: Lang,
    flow: String,
    json: bool,
    site: Option<String>,
) -> Result<u8, Failure> {
    let mut out = std::io::stdout().lock();
    let index = etjanst::app::existing_index(catalogue.data_dir())?;
    match etjanst::app::find(catalogue, index.as_ref(), &flow, site.as_deref())
        .map_err(|e| Failure::input(e.message(lang)))?
    {
        etjanst::app::Found::Flow(found) => {
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(found)?)?;
            } else {
                show_flow(&mut out, found, lang)?;
            }
        }
        etjanst::app::Found::Entry(entry) => {
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&entry)?)?;
            } else {
                writeln!(out, "{} ({})", entry.name, entry.handle)?;
                writeln!(
                    out,
                    "{}",
                    etjanst::t!(lang, "category", category = entry.category)
                )?;
                if let Some(service) = catalogue.service(&entry.id) {
                    writeln!(out, "{}", fill::plain_text(&service.short_description))?;
                }
                writeln!(out, "\n{}", etjanst::app::what_to_do(&entry, lang))?;
            }
        }
        etjanst::app::Found::Synced(hit, long) => show_synced(&mut out, &hit, &long, json, lang)?,
        etjanst::app::Found::Ambiguous(hits) => {
            let sites: Vec<String> = hits
                .iter()
                .map(|h| format!("  etjanst show {} --site {}   ({})", h.id, h.site, h.name))
                .collect();
            return Err(Failure::input(format!(
                "{}\n{}",
                etjanst::t!(lang, "on-several-sites", id = flow),
                sites.join("\n")
            )));
        }
    }
    Ok(0)
}

pub(super) fn export(
    catalogue: &Catalogue,
    lang: Lang,
    flow: String,
    output: PathBuf,
) -> Result<u8, Failure> {
    let given = flow;
    let flow = fillable(catalogue, &given, lang)?;
    catalogue::write_atomic(&output, flow::oeflow::export(flow).as_bytes())?;
    Ok(0)
}

pub(super) fn search(catalogue: &Catalogue, lang: Lang, args: SearchArgs) -> Result<u8, Failure> {
    let SearchArgs {
        text,
        json,
        category,
        site,
        fillable,
        needs_eid,
        has_blankett,
        limit,
    } = args;
    let mut out = std::io::stdout().lock();
    let index = etjanst::app::existing_index(catalogue.data_dir())?;
    // The embedded catalogue's own site is named like any other.
    let embedded = |given: &str| {
        host(given).eq_ignore_ascii_case(&host(&catalogue.site.url))
            || given.eq_ignore_ascii_case(&catalogue.site.name)
    };
    let site = match (&site, &index) {
        (None, _) => None,
        (Some(given), _) if embedded(given) => Some(catalogue.site.url.clone()),
        (Some(given), Some(index)) => {
            Some(etjanst::app::find_site(index, given)?.ok_or_else(|| {
                Failure::input(etjanst::app::AppError::UnknownSite(given.clone()))
            })?)
        }
        (Some(given), None) => {
            return Err(Failure::input(etjanst::app::AppError::UnknownSite(
                given.clone(),
            )));
        }
    };
    let hits = etjanst::app::search(
        catalogue,
        index.as_ref(),
        &etjanst::app::Search {
            text,
            category,
            site,
            fillable,
            needs_eid,
            has_blankett,
            limit,
        },
    )?;
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&hits)?)?;
    } else if hits.is_empty() {
        writeln!(out, "{}", etjanst::t!(lang, "no-hits"))?;
    } else {
        // What to type next: the embedded entry's handle, or the number and its site.
        let rows: Vec<(String, &catalogue::index::Hit)> = hits
            .iter()
            .map(|h| {
                let handle = match catalogue.service(&h.id) {
                    Some(s) if h.site == catalogue.site.url => {
                        etjanst::app::handle(&s.id, &s.aliases)
                    }
                    _ => format!("{} --site {}", h.id, host(&h.site)),
                };
                (handle, h)
            })
            .collect();
        let width = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (handle, h) in &rows {
            writeln!(out, "{handle:<width$}  {}", h.name)?;
            writeln!(out, "{:<width$}  {}", "", h.category)?;
        }
    }
    Ok(0)
}

pub(super) fn import(dir: &Path, lang: Lang, files: Vec<PathBuf>) -> Result<u8, Failure> {
    let ids = catalogue::import(dir, &files)?;
    for id in ids {
        writeln!(
            std::io::stdout(),
            "{}",
            etjanst::t!(lang, "imported", id = id)
        )?;
    }
    Ok(0)
}

pub(super) fn import_catalogue(
    dir: &Path,
    lang: Lang,
    site: String,
    name: Option<String>,
    file: PathBuf,
) -> Result<u8, Failure> {
    let bytes =
        std::fs::read(&file).map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
    let parsed = catalogue::flowinfo::parse(&bytes, None, &site)
        .map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
    if parsed.dropped_links > 0 {
        let warning = etjanst::t!(lang, "warning");
        let dropped = etjanst::t!(
            lang,
            "import-links-dropped",
            count = parsed.dropped_links,
            site = site
        );
        eprintln!("etjanst: {warning}: {dropped}");
    }
    let services = parsed.services;
    let name = name.unwrap_or_else(|| host(&site));
    let mut index = catalogue::index::Index::open(dir)?;
    let count = services.len();
    let data = catalogue::index::SiteData {
        name: name.clone(),
        services,
        ..Default::default()
    };
    index.replace_site(site.trim_end_matches('/'), &data)?;
    let stored = etjanst::t!(lang, "catalogue-stored", count = count, name = name);
    writeln!(std::io::stdout(), "{stored}")?;
    Ok(0)
}

pub(super) fn schema() -> Result<u8, Failure> {
    writeln!(
        std::io::stdout(),
        "{}",
        serde_json::to_string_pretty(&flow::json_schema()).unwrap_or_default()
    )?;
    Ok(0)
}

fn show_flow(out: &mut impl Write, flow: &Flow, lang: Lang) -> std::io::Result<()> {
    writeln!(out, "{} ({}, version {})", flow.name, flow.id, flow.version)?;
    if let Some(c) = &flow.category {
        writeln!(out, "{}", etjanst::t!(lang, "category", category = c))?;
    }
    if !flow.short_description.is_empty() {
        writeln!(out, "{}", fill::plain_text(&flow.short_description))?;
    }
    for (n, step) in flow.steps.iter().enumerate() {
        let heading = etjanst::t!(lang, "step", number = n + 1, name = step.name);
        writeln!(out, "\n{heading}")?;
        for q in &step.queries {
            show_query(out, q, "  ", lang)?;
        }
    }
    Ok(())
}

/// Catalogue entries under their categories, each with what can be done with it here; or
/// as JSON, each with its id, the name to type (`handle`) and its aliases.
fn print_entries(
    out: &mut impl Write,
    entries: &[etjanst::app::Entry],
    json: bool,
    lang: Lang,
) -> Result<(), Failure> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(entries)?)?;
        return Ok(());
    }
    let width = entries
        .iter()
        .map(|e| e.handle.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, 34);
    let mut current = None;
    for e in entries {
        if current != Some(&e.category) {
            current = Some(&e.category);
            writeln!(out, "\n{}", e.category)?;
        }
        writeln!(out, "  {:<width$} {}", e.handle, e.name)?;
        writeln!(
            out,
            "  {:<width$} {}",
            "",
            etjanst::app::what_to_do(e, lang)
        )?;
    }
    Ok(())
}

/// A synced e-service that is filled in on the municipality's website.
fn show_synced(
    out: &mut impl Write,
    hit: &catalogue::index::Hit,
    long: &str,
    json: bool,
    lang: Lang,
) -> Result<(), Failure> {
    if json {
        let mut v = serde_json::to_value(hit)?;
        v["longDescription"] = long.into();
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(());
    }
    writeln!(out, "{} ({}, {})", hit.name, hit.id, hit.site)?;
    writeln!(
        out,
        "{}",
        etjanst::t!(lang, "category", category = hit.category)
    )?;
    let text = fill::plain_text(if long.trim().is_empty() {
        &hit.short_description
    } else {
        long
    });
    writeln!(out, "{text}")?;
    let mut place = etjanst::t!(
        lang,
        "fill-on-web",
        place = hit.url.as_deref().unwrap_or(&hit.site)
    );
    if hit.requires_authentication || hit.requires_signing {
        place = format!("{place} {}", etjanst::t!(lang, "needs-eid-sentence"));
    }
    writeln!(out, "\n{place}")?;
    Ok(())
}

/// An id with the alias a person can type instead: `omrade (6102)`.
fn named(id: &str, alias: Option<&str>) -> String {
    alias.map_or_else(|| id.to_string(), |a| format!("{a} ({id})"))
}

fn show_query(
    out: &mut impl Write,
    q: &flow::Query,
    indent: &str,
    lang: Lang,
) -> std::io::Result<()> {
    let state = match q.default_state {
        flow::QueryState::Visible => etjanst::t!(lang, "state-optional"),
        flow::QueryState::VisibleRequired => etjanst::t!(lang, "state-required"),
        flow::QueryState::Hidden => etjanst::t!(lang, "state-hidden"),
    };
    writeln!(
        out,
        "{indent}[{}] {} ({}, {state})",
        named(&q.id, q.alias.as_deref()),
        q.name,
        q.kind.type_name()
    )?;
    match &q.kind {
        QueryKind::TextField(t) => {
            for f in &t.fields {
                let field = etjanst::t!(lang, "field", name = named(&f.id, f.alias.as_deref()));
                writeln!(out, "{indent}    {field}: {}", f.label)?;
            }
        }
        QueryKind::RepeatingGroup(g) => {
            let max = g
                .max_rows
                .map_or(etjanst::t!(lang, "unlimited"), |m| m.to_string());
            let rows = etjanst::t!(lang, "rows", min = g.min_rows, max = max);
            writeln!(out, "{indent}    {rows}")?;
            for sub in &g.queries {
                show_query(out, sub, &format!("{indent}    "), lang)?;
            }
        }
        QueryKind::Unknown(_) => {
            writeln!(
                out,
                "{indent}    {}",
                etjanst::t!(lang, "web-only-question")
            )?;
        }
        kind => {
            if let Some((alts, free)) = kind.alternatives() {
                for a in alts {
                    writeln!(
                        out,
                        "{indent}    ( ) {}: {}",
                        named(&a.id, a.alias.as_deref()),
                        a.name
                    )?;
                }
                if let Some(f) = free {
                    writeln!(out, "{indent}    ( ) other: {f}")?;
                }
            }
        }
    }
    for ev in &q.evaluators {
        if let flow::EvaluatorRule::QueryState {
            alternatives,
            state: Some(state),
            ..
        } = &ev.rule
        {
            let rule = etjanst::t!(
                lang,
                "rule",
                id = ev.id,
                alternatives = alternatives.join(", "),
                targets = ev.targets.join(", "),
                state = state.as_oep()
            );
            writeln!(out, "{indent}    {rule}")?;
        }
    }
    Ok(())
}
