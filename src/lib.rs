//! etjanst core: Open ePlatform e-services offline.
//!
//! Data flows one way: **catalogue → flow → answers → (vault | PDF | submission)**.
//!
//! - [`app`]: one function per thing a person does, shared by the CLI and the desktop.
//! - [`catalogue`]: the e-services a citizen can find (embedded default and imported flows).
//! - [`flow`]: the flow model, the JSON flow format and `.oeflow` import/export.
//! - [`fill`]: answers, the evaluator engine and validation.
//! - [`profile`]: the citizen's own details ("Mina uppgifter") and the questions they fill.
//! - [`ids`]: Swedish identity numbers and other formats the validators check.
//! - [`text`]: the text rules validation and the case writer share (Java's trim, XML 1.0).
//! - [`flowinstance`]: the submitted-case XML municipal back-ends read.
//! - [`vault`]: encrypted drafts, attachments and receipts.
//! - [`pdf`]: printable, accessible, archivable PDFs of filled and blank forms.
//! - [`qr`]: the answers as QR codes on paper, and reading them back from a scan.
//! - [`submit`]: sending an application to the municipality's gateway and signing it.
//! - [`statement`]: the app's accessibility statement, from what CI measures.

#![forbid(unsafe_code)]

pub mod app;
pub mod blankett;
pub mod catalogue;
pub mod fill;
pub mod flow;
pub mod flowinstance;
pub mod i18n;
pub mod ids;
pub mod json_error;
pub mod kiosk;
pub mod pdf;
pub mod private;
pub mod profile;
pub mod qr;
pub mod statement;
pub mod submit;
pub mod text;
pub mod vault;
pub mod xml;

/// An error with the causes beneath it (refused, DNS, TLS, timeout, a refused redirect),
/// which reqwest's own message leaves out.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    message
}

/// A lower-case ASCII identifier made from a Swedish name ("Ansökan om bygglov" →
/// "ansokan-om-bygglov"), for ids and file names.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in catalogue::index::fold(name).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}
