//! The answers on paper as QR codes, and back.
//!
//! The payload is the flow-instance XML, deflated and written in base45, which QR codes store
//! in their compact alphanumeric mode. Long payloads are split over several codes, each marked
//! `ETJ1/<n>/<count>/` so a scanner can put them back in order.

use std::io::{Read, Write};

use qrcode::EcLevel;

const PREFIX: &str = "ETJ1";
/// Base45 characters per code: a version-20-ish symbol that still scans from a 150 dpi
/// page at the printed size.
const CHUNK: usize = 700;

/// One QR code: `side` × `side` modules, row-major, `true` = dark.
#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    pub side: usize,
    pub modules: Vec<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("{}", crate::i18n::display("qr-too-large", &[("v0", .0.to_string())]))]
    TooLarge(usize),
    #[error("{}", crate::i18n::display("qr-image", &[("v0", .0.to_string())]))]
    Image(String),
    #[error("{}", crate::i18n::display("qr-no-code", &[]))]
    NoCode,
    #[error("{}", crate::i18n::display("qr-missing", &[("missing", .missing.to_string()), ("count", .count.to_string())]))]
    Missing { missing: usize, count: usize },
    #[error("{}", crate::i18n::display("qr-damaged", &[("v0", .0.to_string())]))]
    Damaged(String),
}

/// The QR symbols carrying `xml`.
pub fn encode(xml: &str) -> Result<Vec<Symbol>, QrError> {
    // Symbols are independent: make them on whichever of rayon's threads is free.
    use rayon::prelude::*;
    contents(xml)?.par_iter().map(|c| symbol(c)).collect()
}

/// What each QR code carrying `xml` says: `ETJ1/<n>/<count>/` and its share of the
/// compressed XML. Cheap next to drawing the symbols, so a layout can know how many codes
/// there will be before they exist.
pub fn contents(xml: &str) -> Result<Vec<String>, QrError> {
    let mut deflater =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflater
        .write_all(xml.as_bytes())
        .map_err(|e| QrError::Damaged(e.to_string()))?;
    let packed = deflater
        .finish()
        .map_err(|e| QrError::Damaged(e.to_string()))?;
    let text = base45::encode(&packed);
    let chunks: Vec<&str> = text
        .as_bytes()
        .chunks(CHUNK)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    if chunks.len() > 99 {
        return Err(QrError::TooLarge(text.len()));
    }
    Ok(chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| format!("{PREFIX}/{}/{}/{chunk}", i + 1, chunks.len()))
        .collect())
}

/// One symbol with a fixed mask. The payload is compressed, so its bits are already close to
/// random and the eight-mask penalty search (most of the time a QR encoder spends) buys
/// nothing in readability.
pub fn symbol(content: &str) -> Result<Symbol, QrError> {
    symbol_of(content).map_err(|_| QrError::TooLarge(content.len()))
}

fn symbol_of(content: &str) -> qrcode::types::QrResult<Symbol> {
    let bits = qrcode::bits::encode_auto(content.as_bytes(), EcLevel::M)?;
    let version = bits.version();
    let data = bits.into_bytes();
    let (encoded, ec) = qrcode::ec::construct_codewords(&data, version, EcLevel::M)?;
    let mut canvas = qrcode::canvas::Canvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&encoded, &ec);
    canvas.apply_mask(qrcode::canvas::MaskPattern::Checkerboard);
    let modules: Vec<bool> = canvas
        .into_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    let side = (modules.len() as f64).sqrt() as usize;
    Ok(Symbol { side, modules })
}

/// Reassembles the XML from decoded code contents (in any order, duplicates allowed).
pub fn assemble<S: AsRef<str>>(contents: &[S]) -> Result<String, QrError> {
    let mut parts: Vec<Option<String>> = Vec::new();
    let mut count = 0;
    for content in contents {
        let Some(rest) = content
            .as_ref()
            .strip_prefix(PREFIX)
            .and_then(|r| r.strip_prefix('/'))
        else {
            continue;
        };
        let mut fields = rest.splitn(3, '/');
        let (Some(n), Some(c), Some(chunk)) = (fields.next(), fields.next(), fields.next()) else {
            return Err(QrError::Damaged("okänd rubrik".into()));
        };
        let (n, c): (usize, usize) = match (n.parse(), c.parse()) {
            (Ok(n), Ok(c)) if n >= 1 && n <= c => (n, c),
            _ => return Err(QrError::Damaged("okänd rubrik".into())),
        };
        if count == 0 {
            count = c;
            parts = vec![None; c];
        } else if c != count {
            return Err(QrError::Damaged("koder från olika blanketter".into()));
        }
        parts[n - 1] = Some(chunk.to_string());
    }
    if count == 0 {
        return Err(QrError::NoCode);
    }
    if let Some(missing) = parts.iter().position(Option::is_none) {
        return Err(QrError::Missing {
            missing: missing + 1,
            count,
        });
    }
    let text: String = parts.into_iter().flatten().collect();
    let packed = base45::decode(&text).map_err(|e| QrError::Damaged(format!("{e:?}")))?;
    let mut xml = String::new();
    flate2::read::DeflateDecoder::new(&packed[..])
        .read_to_string(&mut xml)
        .map_err(|e| QrError::Damaged(e.to_string()))?;
    Ok(xml)
}

/// Reads every QR code in a scanned page (PNG or JPEG bytes).
pub fn read_image(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    let img = image::load_from_memory(bytes)
        .map_err(|e| QrError::Image(e.to_string()))?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let mut out = Vec::new();
    for grid in prepared.detect_grids() {
        if let Ok((_, content)) = grid.decode() {
            out.push(content);
        }
    }
    Ok(out)
}

/// Reads scanned pages and returns the XML their codes carry.
pub fn scan(images: &[Vec<u8>]) -> Result<String, QrError> {
    let mut contents = Vec::new();
    for img in images {
        contents.extend(read_image(img)?);
    }
    assemble(&contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_in_any_order_and_reports_gaps() {
        let xml: String = (0..400)
            .map(|i| {
                format!(
                    "<Värde nr=\"{i}\">Åsa Öberg-Ławniczak {}</Värde>",
                    i * 7919 % 1000
                )
            })
            .collect();
        let symbols = encode(&xml).unwrap();
        assert!(symbols.len() >= 2, "long payloads use several codes");
        let mut contents: Vec<String> = (0..symbols.len())
            .map(|i| {
                let text = {
                    let mut d =
                        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
                    d.write_all(xml.as_bytes()).unwrap();
                    base45::encode(d.finish().unwrap())
                };
                let chunk = &text[i * CHUNK..((i + 1) * CHUNK).min(text.len())];
                format!("ETJ1/{}/{}/{chunk}", i + 1, symbols.len())
            })
            .collect();
        contents.reverse();
        assert_eq!(assemble(&contents).unwrap(), xml);
        contents.remove(0);
        assert!(matches!(assemble(&contents), Err(QrError::Missing { .. })));
        assert!(matches!(assemble(&["hej"]), Err(QrError::NoCode)));
    }
}
