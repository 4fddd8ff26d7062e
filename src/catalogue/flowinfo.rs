//! Open ePlatform's public catalogue API (FlowInfoModule, `/api/v1/getflows/json`), as served:
//! usually Latin-1 whatever the JSON says, with HTML descriptions that are sanitised here,
//! before anything else sees them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;

/// One e-service from a site's public catalogue, cleaned.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteService {
    pub flow_id: i64,
    pub family_id: Option<i64>,
    pub name: String,
    pub category: String,
    pub category_id: Option<i64>,
    pub url: Option<String>,
    pub icon_url: Option<String>,
    /// Sanitised HTML.
    pub short_html: String,
    pub long_html: String,
    /// Plain text of both descriptions, for search.
    pub text: String,
    pub requires_authentication: bool,
    pub requires_signing: bool,
    pub payment: bool,
    pub aliases: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum FlowInfoError {
    #[error("{}", crate::i18n::display("flowinfo-json", &[("line", .line.to_string()), ("column", .column.to_string()), ("message", .message.to_string())]))]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}", crate::i18n::display("flowinfo-no-flows", &[]))]
    NoFlows,
    #[error("{}", crate::i18n::display("flowinfo-site", &[("v0", .0.to_string())]))]
    Site(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Envelope {
    flows: Option<Vec<Raw>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Raw {
    #[serde(rename = "ID")]
    id: i64,
    #[serde(rename = "FlowFamilyID")]
    family_id: Option<i64>,
    name: String,
    #[serde(rename = "URL")]
    url: Option<String>,
    #[serde(rename = "FlowFamilyURL", default)]
    family_url: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(rename = "CategoryID")]
    category_id: Option<i64>,
    icon: Option<String>,
    #[serde(default)]
    short_description: Option<String>,
    #[serde(default)]
    long_description: Option<String>,
    #[serde(default)]
    requires_authentication: bool,
    #[serde(default)]
    requires_signing: bool,
    #[serde(default)]
    payment_support_enabled: bool,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    aliases: Vec<String>,
}

fn yes() -> bool {
    true
}

/// Decodes a response body: by the charset its Content-Type declares (Open ePlatform declares
/// ISO-8859-1), else UTF-8 when the bytes are valid UTF-8, else Latin-1.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    let declared = content_type.and_then(|ct| {
        ct.split(';')
            .filter_map(|p| p.trim().strip_prefix("charset="))
            .next()
            .map(|c| c.trim_matches('"').to_string())
    });
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(enc) = declared.and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes())) {
        return enc.decode_without_bom_handling(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Sanitised HTML: no scripts, event handlers, `javascript:` links or remote content hooks.
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&clean_text(html, true))
        .to_string()
}

/// A catalogue string with the characters that can act on a terminal or reorder what a
/// reader sees removed: C0 and C1 controls and DEL (ESC starts terminal sequences), and the
/// bidirectional embedding, override and isolate marks. With `lines`, TAB and LF stay.
pub fn clean_text(s: &str, lines: bool) -> String {
    s.chars()
        .filter(|&c| {
            let control = c.is_control() && !(lines && (c == '\n' || c == '\t'));
            let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
            !control && !bidi
        })
        .collect()
}

/// A link a site may publish: `http(s)` on the site's own host or its municipality's domain
/// (`e-tjanster.sundsvall.se` may link to `sundsvall.se` and its other hosts), resolved
/// against the site when relative. Anything else (`javascript:`, `data:`, `file:`, another
/// organisation's host, entities or control characters hiding a scheme) is `None`.
pub fn site_link(link: &str, site: &url::Url) -> Option<String> {
    // The URL parser strips tabs and newlines inside a scheme, as browsers do; what comes
    // out is what a browser would open, so that is what is judged.
    let url = site.join(link.trim()).ok()?;
    let ours = match (url.host(), site.host()) {
        (Some(url::Host::Domain(h)), Some(url::Host::Domain(own))) => {
            let h = h.to_ascii_lowercase();
            let own = own.to_ascii_lowercase();
            // The parent of a host with three or more labels is the municipality's domain.
            let domain = match own.split_once('.') {
                Some((_, parent)) if parent.contains('.') => parent.to_string(),
                _ => own.clone(),
            };
            h == own || h == domain || h.ends_with(&format!(".{domain}"))
        }
        (Some(h), Some(own)) => h == own,
        _ => false,
    };
    (matches!(url.scheme(), "http" | "https") && ours && url.username().is_empty())
        .then(|| url.to_string())
}

/// Sanitised description HTML whose links are the site's own (or `mailto:`/`tel:`); other
/// links lose their address and are counted in `dropped`.
fn sanitize_for(html: &str, site: &url::Url, dropped: &Arc<AtomicUsize>) -> String {
    let site = site.clone();
    let count = dropped.clone();
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        // The dangerous schemes are let through to the filter below only so that it can count
        // them as it drops them.
        .url_schemes(
            [
                "http",
                "https",
                "mailto",
                "tel",
                "javascript",
                "vbscript",
                "data",
                "file",
                "ftp",
            ]
            .into_iter()
            .collect(),
        )
        .url_relative(ammonia::UrlRelative::RewriteWithBase(site.clone()))
        .attribute_filter(move |_element, attribute, value| {
            if attribute != "href" && attribute != "src" {
                return Some(value.into());
            }
            let lower = value.trim().to_ascii_lowercase();
            if lower.starts_with("mailto:") || lower.starts_with("tel:") {
                return Some(value.into());
            }
            match site_link(value, &site) {
                Some(link) => Some(link.into()),
                None => {
                    count.fetch_add(1, Ordering::Relaxed);
                    None
                }
            }
        })
        .clean(&clean_text(html, true))
        .to_string()
}

/// A parsed catalogue and how many links in it were not the site's own and were dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub services: Vec<RemoteService>,
    pub dropped_links: usize,
}

/// Parses a getflows response from `site` (its address). Disabled flows are left out; every
/// string is cleaned of control characters, and links that are not the site's own are
/// dropped (and counted).
pub fn parse(
    bytes: &[u8],
    content_type: Option<&str>,
    site: &str,
) -> Result<Parsed, FlowInfoError> {
    let site = url::Url::parse(site.trim()).map_err(|_| FlowInfoError::Site(site.to_string()))?;
    let text = decode(bytes, content_type);
    let env: Envelope = serde_json::from_str(&text).map_err(|e| FlowInfoError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let flows = env.flows.ok_or(FlowInfoError::NoFlows)?;
    let dropped = Arc::new(AtomicUsize::new(0));
    let link = |l: Option<String>| {
        let l = l.filter(|l| !l.trim().is_empty())?;
        let kept = site_link(&l, &site);
        if kept.is_none() {
            dropped.fetch_add(1, Ordering::Relaxed);
        }
        kept
    };
    let services = flows
        .into_iter()
        .filter(|f| f.enabled)
        .map(|f| {
            let short_html = sanitize_for(
                f.short_description.as_deref().unwrap_or(""),
                &site,
                &dropped,
            );
            let long_html =
                sanitize_for(f.long_description.as_deref().unwrap_or(""), &site, &dropped);
            let text = format!(
                "{}\n{}",
                crate::fill::plain_text(&short_html),
                crate::fill::plain_text(&long_html)
            );
            RemoteService {
                flow_id: f.id,
                family_id: f.family_id,
                name: clean_text(f.name.trim(), false),
                category: clean_text(&f.category.unwrap_or_default(), false),
                category_id: f.category_id,
                url: link(f.url).or_else(|| link(f.family_url)),
                // Icons are fetched, not shown as links: only from the site itself.
                icon_url: f
                    .icon
                    .and_then(|i| site.join(i.trim()).ok())
                    .filter(|u| u.origin() == site.origin())
                    .map(|u| u.to_string()),
                short_html,
                long_html,
                text,
                requires_authentication: f.requires_authentication,
                requires_signing: f.requires_signing,
                payment: f.payment_support_enabled,
                aliases: f.aliases.iter().map(|a| clean_text(a, false)).collect(),
            }
        })
        .collect();
    Ok(Parsed {
        services,
        dropped_links: dropped.load(Ordering::Relaxed),
    })
}
