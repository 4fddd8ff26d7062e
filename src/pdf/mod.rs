//! Printable PDFs of a filled form and of a blank one.
//!
//! Filled: the rows of [`crate::fill::summary`], the same the review shows on screen (every
//! visible question with its answer or "Inte angivet"), attached files listed, a signature block
//! and the postal address for forms sent by post, and QR codes carrying the case XML so the
//! municipality can scan the paper back into data. Blank: the same questions with writing
//! lines and empty boxes, conditional questions explained.
//!
//! Output is tagged (PDF/UA-1) and archivable (PDF/A-2a), written with pdf-writer, with Noto
//! Sans embedded as a subset.

mod content;
mod deflate;
pub(crate) mod fonts;
mod layout;
mod metadata;
mod paint;
mod render;
mod structure;
pub(crate) mod subset;

use chrono::NaiveDateTime;

use crate::fill::{Answers, Form, States};
use crate::flow::Flow;

/// Which renderer made a PDF: the same input gives the same bytes only within one version.
/// The gateway keeps it with an upload, so that a PDF to be signed after an upgrade is made
/// again before the signature rather than found different after it.
pub const RENDERER: &str = concat!("etjanst-pdf/", env!("CARGO_PKG_VERSION"));

/// How to make a PDF.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    /// When the PDF was made; printed on it and used as the case's posted time in its QR codes.
    pub created: NaiveDateTime,
    /// Who publishes the form, for the page header (e.g. "Lindesbergs kommun").
    pub publisher: String,
    /// The form goes by post: add a signature block, the address, and call the attachment
    /// list "Bifoga följande".
    pub by_post: bool,
    /// Add QR codes with the answers (filled forms only).
    pub qr: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("{}", crate::i18n::display("pdf-fonts", &[]))]
    Fonts,
    #[error("{}", crate::i18n::display("pdf-standard", &[("v0", .0.to_string())]))]
    Standard(String),
    #[error(transparent)]
    Qr(#[from] crate::qr::QrError),
}

/// The case XML the QR codes of a filled PDF carry: the values in the UTF-8 variant, without
/// the server's part or attached files' content (too large for paper).
pub fn answers_xml(form: &Form, states: &States, answers: &Answers) -> Result<String, PdfError> {
    crate::flowinstance::to_utf8_string(form, states, answers, &Default::default())
        .map_err(|e| PdfError::Standard(e.to_string()))
}

/// A PDF of evaluated answers (see [`crate::fill::check`]); only visible questions appear.
pub fn filled(
    form: &Form,
    states: &States,
    answers: &Answers,
    options: &PdfOptions,
) -> Result<Vec<u8>, PdfError> {
    let fonts = fonts::fonts().ok_or(PdfError::Fonts)?;
    // The QR codes need only the answers, not the layout: their text is made alongside it,
    // and the symbols are drawn alongside the pages.
    let (mut composer, codes) = rayon::join(
        || content::filled(fonts, form, states, answers, options),
        || {
            options
                .qr
                .then(|| {
                    let xml = answers_xml(form, states, answers)?;
                    crate::qr::contents(&xml).map_err(PdfError::from)
                })
                .transpose()
        },
    );
    let codes = codes?.unwrap_or_default();
    content::qr_codes(&mut composer, codes.len());
    render::render(composer, &content::frame(form.flow, options), &codes)
}

/// A printable empty form for filling in by hand.
pub fn blank(flow: &Flow, options: &PdfOptions) -> Result<Vec<u8>, PdfError> {
    let fonts = fonts::fonts().ok_or(PdfError::Fonts)?;
    let composer = content::blank(fonts, flow, options);
    render::render(composer, &content::frame(flow, options), &[])
}
