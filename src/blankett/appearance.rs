//! Appearance streams for filled widgets: what a viewer draws and a printer prints. Apple's
//! Preview, pdfium and Sumatra ignore `NeedAppearances` and draw a field's `/AP /N` only, so
//! every filled widget gets one.
//!
//! Values are drawn in Noto Sans, embedded as one subset for the whole blankett (the fonts the
//! etjanst PDFs use): a form's own font is often a subset without å, ä, ö, and a name such as
//! "Łukasz Şahin" is outside every standard PDF font.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::BlankettError;
use crate::pdf::fonts::Face;
use crate::pdf::subset::{self, GlyphSet};

/// The font resource name in every appearance this module writes.
const FONT: &str = "EtjF";
/// Space between a field's edge (or its border) and the text.
const PAD: f32 = 2.0;

/// How a text appearance is laid out.
pub(crate) struct TextLayout {
    pub multiline: bool,
    /// Comb: this many cells, one character each.
    pub comb: Option<u32>,
    pub quadding: i64,
}

/// Draws values, noting the glyphs used; [`Painter::finish`] embeds the font once at the end.
pub(crate) struct Painter {
    face: &'static Face,
    glyphs: GlyphSet,
    font: ObjectId,
    used: bool,
}

/// What the default appearance string (`/DA`, e.g. "/Helv 0 Tf 0 g") asks for.
struct Da {
    size: f32,
    color: String,
}

fn parse_da(da: Option<&str>) -> Da {
    let tokens: Vec<&str> = da.unwrap_or("").split_whitespace().collect();
    let mut size = 0.0;
    let mut color = "0 g".to_string();
    for (i, t) in tokens.iter().enumerate() {
        let nums = |n: usize| -> Option<Vec<&str>> {
            (i >= n)
                .then(|| tokens[i - n..i].to_vec())
                .filter(|v| v.iter().all(|x| x.parse::<f32>().is_ok()))
        };
        match *t {
            "Tf" => {
                if let Some(s) = nums(1) {
                    size = s[0].parse().unwrap_or(0.0);
                }
            }
            "g" | "rg" | "k" => {
                let n = match *t {
                    "g" => 1,
                    "rg" => 3,
                    _ => 4,
                };
                if let Some(v) = nums(n) {
                    color = format!("{} {t}", v.join(" "));
                }
            }
            _ => {}
        }
    }
    Da { size, color }
}

/// A colour array of `/MK` (`/BG`, `/BC`) as a fill or stroke operator.
fn mk_color(o: Option<&Object>, stroke: bool) -> Option<String> {
    let Some(Object::Array(a)) = o else {
        return None;
    };
    let v: Vec<String> = a
        .iter()
        .filter_map(|x| x.as_float().ok())
        .map(|x| format!("{x:.3}"))
        .collect();
    let op = match (v.len(), stroke) {
        (1, false) => "g",
        (1, true) => "G",
        (3, false) => "rg",
        (3, true) => "RG",
        (4, false) => "k",
        (4, true) => "K",
        _ => return None,
    };
    Some(format!("{} {op}", v.join(" ")))
}

/// The widget's width and height.
pub(crate) fn size_of(doc: &Document, widget: &Dictionary) -> (f32, f32) {
    let r: Vec<f32> = match widget.get(b"Rect").map(|o| super::fields::deref(doc, o)) {
        Ok(Object::Array(a)) => a.iter().filter_map(|x| x.as_float().ok()).collect(),
        _ => Vec::new(),
    };
    if r.len() == 4 {
        ((r[2] - r[0]).abs(), (r[3] - r[1]).abs())
    } else {
        (0.0, 0.0)
    }
}

/// The widget's rotation (`/MK /R`): 0, 90, 180 or 270 degrees counterclockwise.
fn rotation(doc: &Document, widget: &Dictionary) -> i64 {
    widget
        .get(b"MK")
        .ok()
        .and_then(|o| super::fields::dict(doc, o))
        .and_then(|mk| mk.get(b"R").ok())
        .and_then(|r| {
            r.as_i64()
                .ok()
                .or_else(|| r.as_float().ok().map(|f| f as i64))
        })
        .map_or(0, |r| r.rem_euclid(360) / 90 * 90)
}

/// The box an appearance is drawn in and the widget's rotation: the widget's width and height,
/// swapped when it is turned a quarter, as the text then runs along its height.
fn drawing_box(doc: &Document, widget: &Dictionary) -> (f32, f32, i64) {
    let (w, h) = size_of(doc, widget);
    let r = rotation(doc, widget);
    if r == 90 || r == 270 {
        (h, w, r)
    } else {
        (w, h, r)
    }
}

/// The `/Matrix` that turns an appearance drawn in a `w` × `h` box by `r` degrees so that it
/// fills the widget's rectangle (PDF 32000-1 §12.5.6.19, `R`).
fn turn(w: f32, h: f32, r: i64) -> Option<[f32; 6]> {
    match r {
        90 => Some([0.0, 1.0, -1.0, 0.0, h, 0.0]),
        180 => Some([-1.0, 0.0, 0.0, -1.0, w, h]),
        270 => Some([0.0, -1.0, 1.0, 0.0, 0.0, w]),
        _ => None,
    }
}

fn fmt(v: f32) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Painter {
    pub fn new(doc: &mut Document) -> Result<Painter, BlankettError> {
        let fonts = crate::pdf::fonts::fonts().ok_or(BlankettError::Fonts)?;
        Ok(Painter {
            face: &fonts.regular,
            glyphs: GlyphSet::default(),
            font: doc.new_object_id(),
            used: false,
        })
    }

    fn hex(&mut self, text: &str) -> String {
        let mut codes = Vec::new();
        subset::encode(self.face, text, &mut self.glyphs, &mut codes);
        self.used = true;
        let mut s = String::with_capacity(codes.len() * 2 + 2);
        s.push('<');
        for b in codes {
            s.push_str(&format!("{b:02X}"));
        }
        s.push('>');
        s
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        self.face.width(text, size)
    }

    /// The appearance of a text or choice widget showing `shown`.
    pub fn text(
        &mut self,
        doc: &Document,
        widget: &Dictionary,
        da: Option<&str>,
        shown: &str,
        layout: &TextLayout,
    ) -> Stream {
        let (w, h, r) = drawing_box(doc, widget);
        let da = parse_da(
            widget
                .get(b"DA")
                .ok()
                .and_then(|o| lopdf::decode_text_string(o).ok())
                .as_deref()
                .or(da),
        );
        let mk = widget
            .get(b"MK")
            .ok()
            .and_then(|o| super::fields::dict(doc, o));
        let border = widget
            .get(b"BS")
            .ok()
            .and_then(|o| super::fields::dict(doc, o))
            .and_then(|bs| bs.get(b"W").ok())
            .and_then(|o| o.as_float().ok())
            .unwrap_or(1.0);
        let mut c = String::from("/Tx BMC\nq\n");
        if let Some(bg) = mk.and_then(|m| mk_color(m.get(b"BG").ok(), false)) {
            c.push_str(&format!("{bg} 0 0 {} {} re f\n", fmt(w), fmt(h)));
        }
        let bc = mk.and_then(|m| mk_color(m.get(b"BC").ok(), true));
        let inset = if bc.is_some() { border } else { 0.0 };
        if let Some(bc) = bc.filter(|_| border > 0.0) {
            c.push_str(&format!(
                "{bc} {} w {} {} {} {} re S\n",
                fmt(border),
                fmt(border / 2.0),
                fmt(border / 2.0),
                fmt(w - border),
                fmt(h - border)
            ));
        }
        // Text never runs outside the box.
        c.push_str(&format!(
            "{} {} {} {} re W n\n",
            fmt(inset),
            fmt(inset),
            fmt(w - 2.0 * inset),
            fmt(h - 2.0 * inset)
        ));
        let inner_w = (w - 2.0 * (inset + PAD)).max(1.0);
        let inner_h = (h - 2.0 * inset).max(1.0);
        let m = &self.face.metrics;
        let (ascent, descent) = (m.ascent / 1000.0, m.descent / 1000.0);
        if !shown.is_empty() {
            c.push_str("BT\n");
            if let Some(cells) = layout.comb.filter(|n| *n > 0) {
                let size = if da.size > 0.0 {
                    da.size
                } else {
                    (inner_h * 0.7).min(12.0)
                };
                let cell = w / cells as f32;
                let y = (h - size * (ascent - descent)) / 2.0 - descent * size;
                c.push_str(&format!("/{FONT} {} Tf {}\n", fmt(size), da.color));
                for (i, ch) in shown.chars().take(cells as usize).enumerate() {
                    let s = ch.to_string();
                    let x = cell * i as f32 + (cell - self.width(&s, size)) / 2.0;
                    let hex = self.hex(&s);
                    c.push_str(&format!("1 0 0 1 {} {} Tm {hex} Tj\n", fmt(x), fmt(y)));
                }
            } else if layout.multiline {
                let mut size = if da.size > 0.0 { da.size } else { 10.0 };
                let mut lines = self.wrap(shown, inner_w, size);
                // Auto size: smaller until the lines fit the box, down to 6 pt.
                while da.size <= 0.0
                    && size > 6.0
                    && lines.len() as f32 * size * 1.15 > inner_h - 2.0 * PAD
                {
                    size -= 0.5;
                    lines = self.wrap(shown, inner_w, size);
                }
                c.push_str(&format!("/{FONT} {} Tf {}\n", fmt(size), da.color));
                let mut y = h - inset - PAD - ascent * size;
                for line in lines {
                    let x = self.aligned(&line, size, w, inset, layout.quadding);
                    let hex = self.hex(&line);
                    c.push_str(&format!("1 0 0 1 {} {} Tm {hex} Tj\n", fmt(x), fmt(y)));
                    y -= size * 1.15;
                }
            } else {
                let line: String = shown.replace(['\r', '\n'], " ");
                let mut size = if da.size > 0.0 {
                    da.size
                } else {
                    (inner_h * 0.7).clamp(4.0, 12.0)
                };
                // Auto size also narrows to the width.
                if da.size <= 0.0 {
                    let needed = self.width(&line, size);
                    if needed > inner_w {
                        size = (size * inner_w / needed).max(4.0);
                    }
                }
                let y = (h - size * (ascent - descent)) / 2.0 - descent * size;
                let x = self.aligned(&line, size, w, inset, layout.quadding);
                let hex = self.hex(&line);
                c.push_str(&format!("/{FONT} {} Tf {}\n", fmt(size), da.color));
                c.push_str(&format!("1 0 0 1 {} {} Tm {hex} Tj\n", fmt(x), fmt(y)));
            }
            c.push_str("ET\n");
        }
        c.push_str("Q\nEMC\n");
        self.form_xobject(w, h, r, c, !shown.is_empty())
    }

    fn aligned(&self, line: &str, size: f32, w: f32, inset: f32, quadding: i64) -> f32 {
        let tw = self.width(line, size);
        match quadding {
            1 => (w - tw) / 2.0,
            2 => w - inset - PAD - tw,
            _ => inset + PAD,
        }
    }

    /// Greedy line breaking on measured widths; a word wider than the box is broken.
    fn wrap(&self, text: &str, width: f32, size: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split(' ') {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size) <= width || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_string();
                }
                while self.width(&line, size) > width && line.chars().count() > 1 {
                    let mut head = String::new();
                    for ch in line.chars() {
                        let mut next = head.clone();
                        next.push(ch);
                        if self.width(&next, size) > width && !head.is_empty() {
                            break;
                        }
                        head = next;
                    }
                    let rest = line[head.len()..].to_string();
                    lines.push(head);
                    line = rest;
                }
            }
            lines.push(line);
        }
        lines
    }

    fn form_xobject(&self, w: f32, h: f32, r: i64, content: String, with_font: bool) -> Stream {
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"XObject".to_vec()));
        d.set("Subtype", Object::Name(b"Form".to_vec()));
        d.set(
            "BBox",
            Object::Array(vec![0.into(), 0.into(), w.into(), h.into()]),
        );
        if let Some(m) = turn(w, h, r) {
            d.set(
                "Matrix",
                Object::Array(m.iter().map(|&v| Object::Real(v)).collect()),
            );
        }
        let mut res = Dictionary::new();
        if with_font {
            let mut fonts = Dictionary::new();
            fonts.set(FONT, Object::Reference(self.font));
            res.set("Font", Object::Dictionary(fonts));
        }
        d.set("Resources", Object::Dictionary(res));
        Stream::new(d, content.into_bytes())
    }

    /// A check box's or radio button's on and off appearances, for a widget that has none: a
    /// tick for a check box, a dot for a radio button.
    pub fn button(&self, doc: &Document, widget: &Dictionary, radio: bool) -> (Stream, Stream) {
        let (w, h, r) = drawing_box(doc, widget);
        let s = w.min(h);
        let on = if radio {
            // A filled circle of Bézier curves.
            let (cx, cy, r) = (w / 2.0, h / 2.0, s * 0.3);
            let k = r * 0.5523;
            format!(
                "q 0 g {} {} m {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c f Q\n",
                fmt(cx + r),
                fmt(cy),
                fmt(cx + r),
                fmt(cy + k),
                fmt(cx + k),
                fmt(cy + r),
                fmt(cx),
                fmt(cy + r),
                fmt(cx - k),
                fmt(cy + r),
                fmt(cx - r),
                fmt(cy + k),
                fmt(cx - r),
                fmt(cy),
                fmt(cx - r),
                fmt(cy - k),
                fmt(cx - k),
                fmt(cy - r),
                fmt(cx),
                fmt(cy - r),
                fmt(cx + k),
                fmt(cy - r),
                fmt(cx + r),
                fmt(cy - k),
                fmt(cx + r),
                fmt(cy),
            )
        } else {
            let (x0, y0) = ((w - s) / 2.0, (h - s) / 2.0);
            format!(
                "q 0 G {} w 1 J 1 j {} {} m {} {} l {} {} l S Q\n",
                fmt((s * 0.12).max(1.0)),
                fmt(x0 + s * 0.2),
                fmt(y0 + s * 0.5),
                fmt(x0 + s * 0.42),
                fmt(y0 + s * 0.25),
                fmt(x0 + s * 0.8),
                fmt(y0 + s * 0.78)
            )
        };
        (
            self.form_xobject(w, h, r, on, false),
            self.form_xobject(w, h, r, String::new(), false),
        )
    }

    /// Embeds the glyphs drawn as one Noto Sans subset under the object id the appearances
    /// refer to. The objects are written by the PDF writer the rest of etjanst uses
    /// ([`subset::Embedding::write`]) and moved into this document.
    pub fn finish(self, doc: &mut Document) -> Result<(), BlankettError> {
        if !self.used {
            return Ok(());
        }
        let embedding = subset::subset(self.face, &self.glyphs)
            .map_err(|e| BlankettError::Write(e.to_string()))?;
        let mut chunk = pdf_writer::Chunk::new();
        let mut next = 3;
        embedding.write(&mut chunk, pdf_writer::Ref::new(3), || {
            next += 1;
            pdf_writer::Ref::new(next)
        });
        let mut pdf = pdf_writer::Pdf::new();
        pdf.catalog(pdf_writer::Ref::new(1))
            .pages(pdf_writer::Ref::new(2));
        pdf.pages(pdf_writer::Ref::new(2))
            .kids(std::iter::empty())
            .count(0);
        pdf.extend(&chunk);
        let font_doc =
            Document::load_mem(&pdf.finish()).map_err(|e| BlankettError::Write(e.to_string()))?;
        let mut map: BTreeMap<ObjectId, ObjectId> = BTreeMap::new();
        for id in font_doc.objects.keys() {
            if id.0 <= 2 {
                continue;
            }
            let new = if id.0 == 3 {
                self.font
            } else {
                doc.new_object_id()
            };
            map.insert(*id, new);
        }
        for (old, mut object) in font_doc.objects {
            if let Some(new) = map.get(&old) {
                renumber(&mut object, &map);
                doc.objects.insert(*new, object);
            }
        }
        Ok(())
    }
}

fn renumber(o: &mut Object, map: &BTreeMap<ObjectId, ObjectId>) {
    match o {
        Object::Reference(r) => {
            if let Some(n) = map.get(r) {
                *r = *n;
            }
        }
        Object::Array(a) => a.iter_mut().for_each(|x| renumber(x, map)),
        Object::Dictionary(d) => d.iter_mut().for_each(|(_, v)| renumber(v, map)),
        Object::Stream(s) => s.dict.iter_mut().for_each(|(_, v)| renumber(v, map)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_appearance_gives_size_and_colour() {
        let da = parse_da(Some("/Helv 9 Tf 0 0 1 rg"));
        assert_eq!(da.size, 9.0);
        assert_eq!(da.color, "0 0 1 rg");
        let auto = parse_da(Some("0 g /F1 0 Tf"));
        assert_eq!(auto.size, 0.0);
        assert_eq!(auto.color, "0 g");
        assert_eq!(parse_da(None).color, "0 g");
    }
}
