//! The embedded fonts, with the glyph lookups and widths the layout needs. Text is laid out
//! here (greedy line breaking on measured widths) and drawn as positioned glyphs, so no
//! shaping engine runs per line: Swedish and the other Latin scripts need none.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;

// Deflated by build.rs; inflated once, on the first PDF.
static REGULAR_Z: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/NotoSans-Regular.ttf.z"));
static BOLD_Z: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/NotoSans-Bold.ttf.z"));
static REGULAR_DATA: OnceLock<Vec<u8>> = OnceLock::new();
static BOLD_DATA: OnceLock<Vec<u8>> = OnceLock::new();

fn inflated(z: &'static [u8], cell: &'static OnceLock<Vec<u8>>) -> Option<&'static [u8]> {
    use std::io::Read;
    let data = cell.get_or_init(|| {
        let mut out = Vec::new();
        match flate2::read::ZlibDecoder::new(z).read_to_end(&mut out) {
            Ok(_) => out,
            Err(_) => Vec::new(),
        }
    });
    (!data.is_empty()).then_some(data.as_slice())
}

/// Code points below this (all Latin, Greek, Cyrillic and common punctuation) keep their
/// glyph and advance once looked up; the rest are looked up each time they are met.
const TABLE: usize = 0x2200;

pub(crate) struct Face {
    pub data: &'static [u8],
    pub metrics: FaceMetrics,
    charmap: skrifa::charmap::Charmap<'static>,
    advances: skrifa::metrics::GlyphMetrics<'static>,
    upem: f32,
    /// Per code point below `TABLE`: glyph id << 16 | advance in font units, filled in when
    /// first met (0: not yet). Filling it lazily rather than at start keeps a program that
    /// prints one form from paying for the thousands of characters the form does not use.
    table: Box<[AtomicU32]>,
    fallback: (u32, f32),
    /// Per glyph: the lowest code point the font maps to it (0: none), built when first
    /// needed. That character is what the glyph means in the PDF's ToUnicode map; any other
    /// character drawn with it must be spelled out.
    meaning: OnceLock<Vec<u32>>,
}

impl Face {
    fn load(data: &'static [u8]) -> Option<Face> {
        let sk = skrifa::FontRef::new(data).ok()?;
        let m = sk.metrics(Size::unscaled(), LocationRef::default());
        let upem = f32::from(m.units_per_em);
        let head = sk.head().ok()?;
        let per_mille = |v: f32| v / upem * 1000.0;
        let face_metrics = FaceMetrics {
            postscript_name: sk
                .localized_strings(skrifa::string::StringId::POSTSCRIPT_NAME)
                .english_or_first()?
                .to_string(),
            bbox: [
                per_mille(f32::from(head.x_min())),
                per_mille(f32::from(head.y_min())),
                per_mille(f32::from(head.x_max())),
                per_mille(f32::from(head.y_max())),
            ],
            ascent: per_mille(m.ascent),
            descent: per_mille(m.descent),
            cap_height: per_mille(m.cap_height.unwrap_or(m.ascent)),
            italic_angle: m.italic_angle,
            weight: sk
                .os2()
                .map(|t| f32::from(t.us_weight_class()))
                .unwrap_or(400.0),
        };
        let mut face = Face {
            data,
            metrics: face_metrics,
            charmap: sk.charmap(),
            advances: sk.glyph_metrics(Size::unscaled(), LocationRef::default()),
            upem,
            table: (0..TABLE).map(|_| AtomicU32::new(0)).collect(),
            fallback: (0, 0.0),
            meaning: OnceLock::new(),
        };
        face.fallback = face
            .lookup('\u{FFFD}')
            .or_else(|| face.lookup('?'))
            .map(|(g, a)| (u32::from(g), f32::from(a) / upem))?;
        Some(face)
    }

    /// Glyph id and advance in font units, if the font has the character.
    fn lookup(&self, c: char) -> Option<(u16, u16)> {
        let g = self.charmap.map(c)?;
        let advance = self.advances.advance_width(g).unwrap_or(0.0);
        Some((u16::try_from(g.to_u32()).ok()?, advance as u16))
    }

    /// Glyph id and advance (in em) of `c`; characters the font lacks get a replacement
    /// glyph rather than the invisible .notdef, which PDF/A forbids.
    pub fn glyph(&self, c: char) -> (u32, f32) {
        let cp = c as usize;
        let found = match self.table.get(cp) {
            Some(slot) => match slot.load(Ordering::Relaxed) {
                0 => {
                    let (g, a) = self.lookup(c).unwrap_or((0, 0));
                    // Racing threads store the same value; 0 stays "look it up again".
                    slot.store(u32::from(g) << 16 | u32::from(a), Ordering::Relaxed);
                    (g, a)
                }
                packed => ((packed >> 16) as u16, packed as u16),
            },
            None => self.lookup(c).unwrap_or((0, 0)),
        };
        if found.0 == 0 {
            self.fallback
        } else {
            (u32::from(found.0), f32::from(found.1) / self.upem)
        }
    }

    /// The character glyph `gid` stands for in extracted text.
    pub fn meaning(&self, gid: u32) -> Option<char> {
        let table = self.meaning.get_or_init(|| {
            let mut m = Vec::new();
            for (cp, g) in self.charmap.mappings() {
                let g = g.to_u32() as usize;
                if g >= m.len() {
                    m.resize(g + 1, 0);
                }
                if m[g] == 0 {
                    m[g] = cp;
                }
            }
            m
        });
        table
            .get(gid as usize)
            .filter(|cp| **cp != 0)
            .and_then(|cp| char::from_u32(*cp))
    }

    /// Advance of glyph `gid` in em.
    pub fn advance(&self, gid: u32) -> f32 {
        self.advances
            .advance_width(skrifa::GlyphId::new(gid))
            .unwrap_or(0.0)
            / self.upem
    }

    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }
}

/// What a PDF font descriptor says of a face, in thousandths of an em.
pub(crate) struct FaceMetrics {
    pub postscript_name: String,
    pub bbox: [f32; 4],
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
    pub italic_angle: f32,
    /// OS/2 weight class (400 regular, 700 bold).
    pub weight: f32,
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
                regular: Face::load(inflated(REGULAR_Z, &REGULAR_DATA)?)?,
                bold: Face::load(inflated(BOLD_Z, &BOLD_DATA)?)?,
            })
        })
        .as_ref()
}
