//! etjanst core: Open ePlatform e-services offline.
//!
//! Data flows one way: **catalogue → flow → answers → (vault | PDF | submission)**. The modules
//! are in layers, listed here top-down as the README's "How it is built" lists them; each uses
//! only those below it (`tests/layers.rs` checks it).
//!
//! - [`statement`]: the app's accessibility statement, from what CI measures.
//! - [`app`]: one function per thing a person does, shared by the CLI and the desktop;
//!   [`submit`]: sending an application to the municipality's gateway and signing it;
//!   [`kiosk`]: a shared computer's sessions.
//! - [`vault`]: encrypted drafts, attachments, receipts, the outbox and the profile.
//! - [`blankett`]: the municipality's PDF blanketter, filled; [`profile`]: the citizen's own
//!   details ("Mina uppgifter") and the questions they fill.
//! - [`pdf`]: printable, accessible, archivable PDFs of filled and blank forms.
//! - [`flowinstance`]: the submitted-case XML municipal back-ends read; [`qr`]: the answers as
//!   QR codes on paper, and reading them back from a scan.
//! - [`catalogue`]: the e-services a citizen can find (embedded default and imported flows).
//! - [`fill`]: answers, the evaluator engine and validation.
//! - [`flow`]: the flow model, the JSON flow format and `.oeflow` import/export.
//! - [`ids`]: Swedish identity numbers and other formats the validators check; [`text`]: the
//!   text rules validation and the case writer share; [`xml`], [`json_error`], [`private`].
//! - [`i18n`]: every message in Swedish and English.

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
