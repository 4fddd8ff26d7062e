//! The glyphs a document uses, and each face embedded as a subset of just those glyphs:
//! a Type 0 font over a CIDFontType2 with Identity encoding, widths from the font's own
//! advances (PDF/A wants them to agree) and a ToUnicode map so the text can be copied and
//! read aloud.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Filter, Finish, Name, Rect, Ref, Str};
use subsetter::GlyphRemapper;

use super::fonts::Face;

const SYSTEM_INFO: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

/// The glyphs of one face that a document uses, numbered in order of first use.
pub(crate) struct Used<'f> {
    pub face: &'f Face,
    remapper: GlyphRemapper,
    /// New id + 1 per original glyph id (0: not used yet).
    seen: Vec<u16>,
    /// Per new id: advance in em and the character it was first drawn for.
    glyphs: Vec<(f32, Option<char>)>,
}

impl<'f> Used<'f> {
    pub fn new(face: &'f Face) -> Self {
        Used {
            face,
            remapper: GlyphRemapper::new(),
            seen: Vec::new(),
            // .notdef is always glyph 0 of a subset; the text never draws it.
            glyphs: vec![(0.0, None)],
        }
    }

    /// Appends the two-byte codes for `text`. Returns false when a glyph already stands for
    /// another character (a character the font lacks, drawn with the replacement glyph): the
    /// ToUnicode map can then not give the text back, and the caller must say it outright.
    pub fn encode(&mut self, text: &str, out: &mut Vec<u8>) -> bool {
        let mut faithful = true;
        for c in text.chars() {
            let gid = self.face.glyph(c).0 as usize;
            if gid >= self.seen.len() {
                self.seen.resize(gid + 1, 0);
            }
            let code = match self.seen[gid] {
                0 => {
                    let code = self.remapper.remap(gid as u16);
                    self.seen[gid] = code + 1;
                    let advance = self.face.glyph(c).1;
                    if usize::from(code) == self.glyphs.len() {
                        self.glyphs.push((advance, Some(c)));
                    }
                    code
                }
                n => {
                    let code = n - 1;
                    faithful &= self.glyphs[usize::from(code)].1 == Some(c);
                    code
                }
            };
            out.extend_from_slice(&code.to_be_bytes());
        }
        faithful
    }

    pub fn is_empty(&self) -> bool {
        self.glyphs.len() <= 1
    }

    /// Cuts the subset out of the font; the slow part, kept apart so it can run in parallel.
    pub fn subset(&self) -> Result<Vec<u8>, subsetter::Error> {
        subsetter::subset(self.face.data, 0, &self.remapper)
    }

    /// A six-letter tag naming this subset, the same for the same glyphs.
    fn tag(&self) -> String {
        let mut h: u32 = 0x811c_9dc5;
        for (gid, code) in self.seen.iter().enumerate().filter(|(_, c)| **c != 0) {
            for b in (gid as u32 ^ u32::from(*code) << 16).to_be_bytes() {
                h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
            }
        }
        (0..6)
            .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
            .collect()
    }

    /// Writes the font objects; `font` is the Type 0 font the pages refer to.
    pub fn write(
        &self,
        chunk: &mut Chunk,
        font: Ref,
        mut next: impl FnMut() -> Ref,
        program: &[u8],
        program_len: usize,
    ) {
        let (cid, descriptor, file, cmap) = (next(), next(), next(), next());
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
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid_font
            .widths()
            .consecutive(0, self.glyphs.iter().map(|(w, _)| w * 1000.0));
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
            .stream(file, program)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), program_len as i32);
        let mut map = UnicodeCmap::new(Name(b"Custom"), SYSTEM_INFO);
        for (code, (_, c)) in self.glyphs.iter().enumerate() {
            if let Some(c) = c {
                map.pair(code as u16, *c);
            }
        }
        let map = super::render::deflate(&map.finish());
        chunk.cmap(cmap, &map).filter(Filter::FlateDecode);
    }
}
