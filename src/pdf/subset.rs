//! The glyphs a document uses, and each face embedded as a subset of just those glyphs:
//! a Type 0 font over a CIDFontType2 with Identity encoding, widths from the font's own
//! advances (PDF/A wants them to agree) and a ToUnicode map so the text can be copied and
//! read aloud.
//!
//! Text is coded by the font's own glyph ids, so every page can be drawn on its own (and in
//! parallel) without agreeing on numbers first; the subset renumbers its glyphs and a
//! CIDToGIDMap leads from the one to the other.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Filter, Finish, Name, Rect, Ref, Str};
use subsetter::GlyphRemapper;

use super::PdfError;
use super::deflate::deflate;
use super::fonts::Face;

const SYSTEM_INFO: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

/// Which glyphs of a face a page, or once merged a document, draws.
#[derive(Debug, Clone, Default)]
pub(crate) struct GlyphSet(Vec<u64>);

impl GlyphSet {
    fn insert(&mut self, gid: u32) {
        let (word, bit) = (gid as usize / 64, gid % 64);
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    pub fn merge(&mut self, other: &GlyphSet) {
        if other.0.len() > self.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    /// The glyph ids, ascending.
    fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().enumerate().flat_map(|(i, w)| {
            (0..64)
                .filter(move |b| w & (1 << b) != 0)
                .map(move |b| (i * 64 + b) as u32)
        })
    }
}

/// Appends the two-byte codes for `text` and notes its glyphs in `set`. Returns false when
/// a character is not what its glyph means in the ToUnicode map (a character the font lacks,
/// drawn with the replacement glyph, or one sharing its glyph with another): the caller must
/// then say the text outright.
pub(crate) fn encode(face: &Face, text: &str, set: &mut GlyphSet, out: &mut Vec<u8>) -> bool {
    let mut faithful = true;
    for c in text.chars() {
        let gid = face.glyph(c).0;
        set.insert(gid);
        faithful &= face.meaning(gid) == Some(c);
        out.extend_from_slice(&(gid as u16).to_be_bytes());
    }
    faithful
}

/// A face cut down to the glyphs a document uses, ready to write.
pub(crate) struct Embedding<'f> {
    face: &'f Face,
    glyphs: Vec<u32>,
    remapper: GlyphRemapper,
    /// The compressed font program and its length before compression.
    program: (Vec<u8>, usize),
}

/// Cuts `face` down to the glyphs in `set`; the slow part of embedding a font.
pub(crate) fn subset<'f>(face: &'f Face, set: &GlyphSet) -> Result<Embedding<'f>, PdfError> {
    let glyphs: Vec<u32> = set.ids().collect();
    let mut remapper = GlyphRemapper::new();
    for g in &glyphs {
        remapper.remap(*g as u16);
    }
    let program = subsetter::subset(face.data, 0, &remapper)
        .map_err(|e| PdfError::Standard(format!("typsnitt: {e:?}")))?;
    Ok(Embedding {
        face,
        glyphs,
        remapper,
        program: (deflate(&program), program.len()),
    })
}

impl Embedding<'_> {
    /// A six-letter tag naming this subset, the same for the same glyphs.
    fn tag(&self) -> String {
        let mut h: u32 = 0x811c_9dc5;
        for g in &self.glyphs {
            for b in g.to_be_bytes() {
                h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
            }
        }
        (0..6)
            .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
            .collect()
    }

    /// Writes the font objects; `font` is the Type 0 font the pages refer to.
    pub fn write(&self, chunk: &mut Chunk, font: Ref, mut next: impl FnMut() -> Ref) {
        let (cid, descriptor, file, cmap, gid_map) = (next(), next(), next(), next(), next());
        let m = &self.face.metrics;
        let name = format!("{}+{}", self.tag(), m.postscript_name);
        chunk
            .type0_font(font)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let mut cid_font = chunk.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(Name(name.as_bytes()))
            .system_info(SYSTEM_INFO)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_stream(gid_map);
        let mut widths = cid_font.widths();
        let mut run = 0;
        while run < self.glyphs.len() {
            let first = self.glyphs[run];
            let mut end = run + 1;
            while end < self.glyphs.len() && self.glyphs[end] == self.glyphs[end - 1] + 1 {
                end += 1;
            }
            widths.consecutive(
                first as u16,
                self.glyphs[run..end]
                    .iter()
                    .map(|g| self.face.advance(*g) * 1000.0),
            );
            run = end;
        }
        widths.finish();
        cid_font.finish();
        chunk
            .font_descriptor(descriptor)
            .name(Name(name.as_bytes()))
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(m.bbox[0], m.bbox[1], m.bbox[2], m.bbox[3]))
            .italic_angle(m.italic_angle)
            .ascent(m.ascent)
            .descent(m.descent)
            .cap_height(m.cap_height)
            // The usual estimate from the weight class; readers only use it as a hint.
            .stem_v(10.0 + 0.244 * (m.weight - 50.0))
            .font_file2(file);
        chunk
            .stream(file, &self.program.0)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), self.program.1 as i32);
        // CID (the font's glyph id) to the subset's glyph id, two bytes each.
        let last = self.glyphs.last().copied().unwrap_or(0) as usize;
        let mut map = vec![0u8; (last + 1) * 2];
        for g in &self.glyphs {
            if let Some(new) = self.remapper.get(*g as u16) {
                map[*g as usize * 2..*g as usize * 2 + 2].copy_from_slice(&new.to_be_bytes());
            }
        }
        chunk
            .stream(gid_map, &deflate(&map))
            .filter(Filter::FlateDecode);
        let mut unicode = UnicodeCmap::new(Name(b"Custom"), SYSTEM_INFO);
        for g in &self.glyphs {
            if let Some(c) = self.face.meaning(*g) {
                unicode.pair(*g as u16, c);
            }
        }
        chunk
            .cmap(cmap, &deflate(&unicode.finish()))
            .filter(Filter::FlateDecode);
    }
}
