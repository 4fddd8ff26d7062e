//! Open ePlatform's public catalogue API (FlowInfoModule, `/api/v1/getflows/json`), as served:
//! usually Latin-1 whatever the JSON says, with HTML descriptions that are sanitised here,
//! before anything else sees them.

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
    #[error("katalogen är inte giltig JSON (rad {line}, kolumn {column}): {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("katalogen saknar listan \"Flows\"")]
    NoFlows,
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
        .clean(html)
        .to_string()
}

/// Parses a getflows response. Disabled flows are left out.
pub fn parse(
    bytes: &[u8],
    content_type: Option<&str>,
) -> Result<Vec<RemoteService>, FlowInfoError> {
    let text = decode(bytes, content_type);
    let env: Envelope = serde_json::from_str(&text).map_err(|e| FlowInfoError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let flows = env.flows.ok_or(FlowInfoError::NoFlows)?;
    Ok(flows
        .into_iter()
        .filter(|f| f.enabled)
        .map(|f| {
            let short_html = sanitize(f.short_description.as_deref().unwrap_or(""));
            let long_html = sanitize(f.long_description.as_deref().unwrap_or(""));
            let text = format!(
                "{}\n{}",
                crate::fill::plain_text(&short_html),
                crate::fill::plain_text(&long_html)
            );
            RemoteService {
                flow_id: f.id,
                family_id: f.family_id,
                name: f.name.trim().to_string(),
                category: f.category.unwrap_or_default(),
                category_id: f.category_id,
                url: f.url,
                icon_url: f.icon,
                short_html,
                long_html,
                text,
                requires_authentication: f.requires_authentication,
                requires_signing: f.requires_signing,
                payment: f.payment_support_enabled,
                aliases: f.aliases,
            }
        })
        .collect())
}
