//! The embedded fonts, with the glyph lookups and widths the layout needs. Text is laid out
//! here (greedy line breaking on measured widths) and drawn as positioned glyphs, so no
//! shaping engine runs per line: Swedish and the other Latin scripts need none.

use std::sync::OnceLock;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

static REGULAR_DATA: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
static BOLD_DATA: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");

/// Code points below this are looked up once and kept in a table (all Latin, Greek, Cyrillic
/// and common punctuation); the rest are looked up when met.
const TABLE: usize = 0x2200;

pub(crate) struct Face {
    pub font: Font,
    data: &'static [u8],
    /// (glyph id, advance in em) per code point below `TABLE`; glyph 0 = not in the font.
    table: Vec<(u32, f32)>,
    fallback: (u32, f32),
}

impl Face {
    fn load(data: &'static [u8]) -> Option<Face> {
        let font = Font::new(data.into(), 0)?;
        let sk = skrifa::FontRef::new(data).ok()?;
        let upem = f32::from(
            sk.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let charmap = sk.charmap();
        let metrics = sk.glyph_metrics(Size::unscaled(), LocationRef::default());
        let lookup = |c: char| {
            charmap
                .map(c)
                .map(|g| (g.to_u32(), metrics.advance_width(g).unwrap_or(0.0) / upem))
        };
        let table = (0..TABLE as u32)
            .map(|cp| char::from_u32(cp).and_then(lookup).unwrap_or((0, 0.0)))
            .collect();
        let fallback = lookup('\u{FFFD}').or_else(|| lookup('?'))?;
        Some(Face {
            font,
            data,
            table,
            fallback,
        })
    }

    /// Glyph id and advance (in em) of `c`; characters the font lacks get a replacement
    /// glyph rather than the invisible .notdef, which PDF/A forbids.
    pub fn glyph(&self, c: char) -> (u32, f32) {
        let cp = c as usize;
        let found = if cp < TABLE {
            self.table[cp]
        } else {
            skrifa::FontRef::new(self.data)
                .ok()
                .and_then(|sk| {
                    let upem = f32::from(
                        sk.metrics(Size::unscaled(), LocationRef::default())
                            .units_per_em,
                    );
                    let g = sk.charmap().map(c)?;
                    let m = sk.glyph_metrics(Size::unscaled(), LocationRef::default());
                    Some((g.to_u32(), m.advance_width(g).unwrap_or(0.0) / upem))
                })
                .unwrap_or((0, 0.0))
        };
        if found.0 == 0 { self.fallback } else { found }
    }

    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }

    /// Positioned glyphs for `text`, each mapped to its characters for text extraction.
    pub fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(i, c)| {
                let (gid, advance) = self.glyph(c);
                KrillaGlyph {
                    glyph_id: GlyphId::new(gid),
                    text_range: i..i + c.len_utf8(),
                    x_advance: advance,
                    x_offset: 0.0,
                    y_offset: 0.0,
                    y_advance: 0.0,
                    location: None,
                }
            })
            .collect()
    }
}

pub(crate) struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();

/// The fonts, parsed once per process. `None` only if the embedded files were damaged at
/// build time, which the tests rule out.
pub(crate) fn fonts() -> Option<&'static Fonts> {
    FONTS
        .get_or_init(|| {
            Some(Fonts {
                regular: Face::load(REGULAR_DATA)?,
                bold: Face::load(BOLD_DATA)?,
            })
        })
        .as_ref()
}
