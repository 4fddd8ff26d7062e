//! What makes the PDF archivable (PDF/A-2a) and identifies it: XMP metadata claiming both
//! standards, the output intent's colour profile, dates and a stable file id.

use chrono::{Datelike, Timelike};
use pdf_writer::Date;

/// What every page's header and footer says, and the document's metadata: the frame the
/// renderer draws and the metadata names.
pub(crate) struct Frame {
    pub title: String,
    pub header: String,
    pub footer: String,
    pub created: chrono::NaiveDateTime,
}

static SRGB: &[u8] = include_bytes!("../../assets/icc/sRGB-v4.icc");

/// The profile as the PDF stores it, compressed once per process.
pub(crate) static SRGB_DEFLATED: std::sync::LazyLock<Vec<u8>> =
    std::sync::LazyLock::new(|| super::deflate::deflate(SRGB));

pub(crate) fn pdf_date(t: chrono::NaiveDateTime) -> Date {
    Date::new(t.year() as u16)
        .month(t.month() as u8)
        .day(t.day() as u8)
        .hour(t.hour() as u8)
        .minute(t.minute() as u8)
        .second(t.second() as u8)
}

pub(crate) fn xmp(frame: &Frame) -> String {
    use xmp_writer::{DateTime, XmpWriter};
    let t = frame.created;
    let mut x = XmpWriter::new();
    x.title([(None, frame.title.as_str())]);
    x.language([xmp_writer::LangId("sv-SE")]);
    x.creator_tool("etjanst");
    x.producer("etjanst");
    x.create_date(DateTime {
        year: t.year() as u16,
        month: Some(t.month() as u8),
        day: Some(t.day() as u8),
        hour: Some(t.hour() as u8),
        minute: Some(t.minute() as u8),
        second: Some(t.second() as u8),
        timezone: None,
    });
    x.format("application/pdf");
    x.pdfa_part(2);
    x.pdfa_conformance("A");
    x.pdfua_part(1);
    // PDF/A-2 knows no pdfuaid schema: it must be described to be allowed.
    x.extension_schemas()
        .pdfua_id()
        .properties()
        .describe_part();
    x.finish(None)
}

/// A file id that is the same for the same document, so identical input gives identical
/// bytes.
pub(crate) fn file_id(parts: &[&[u8]]) -> Vec<u8> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize()[..16].to_vec()
}
