//! A page's content stream, written directly as PDF operators.
//!
//! Written by hand rather than through pdf-writer's `Content` because glyph strings go out as
//! raw two-byte codes (half the size of hex, a third of octal escapes), which is most of a
//! form's bytes and so most of the time spent compressing it. Coordinates arrive from the
//! layout with the origin at the top left and leave in PDF's bottom-left space.

use super::layout::PAGE_H;

/// Builds one content stream.
#[derive(Default)]
pub(crate) struct Painter {
    pub out: Vec<u8>,
}

/// What screen readers get for a marked-content sequence.
pub(crate) enum Mark<'a> {
    /// Real content, the `mcid`-th of its page; `actual` replaces its glyphs' text when a
    /// glyph could not be mapped back to its character alone.
    Content {
        tag: &'static [u8],
        mcid: usize,
        actual: Option<&'a str>,
    },
    /// Decoration a reader skips; header/footer ones name their kind.
    Artifact(Option<&'static [u8]>),
}

impl Painter {
    pub fn with_capacity(bytes: usize) -> Self {
        Painter {
            out: Vec::with_capacity(bytes),
        }
    }

    /// Writes `v` with at most two decimals: enough for a hundredth of a point.
    pub fn num(&mut self, v: f32) {
        let mut hundredths = (f64::from(v) * 100.0).round() as i64;
        if hundredths < 0 {
            self.out.push(b'-');
            hundredths = -hundredths;
        }
        let whole = hundredths / 100;
        let frac = hundredths % 100;
        self.int(whole);
        if frac != 0 {
            self.out.push(b'.');
            self.out.push(b'0' + (frac / 10) as u8);
            if frac % 10 != 0 {
                self.out.push(b'0' + (frac % 10) as u8);
            }
        }
        self.out.push(b' ');
    }

    fn int(&mut self, mut v: i64) {
        let mut digits = [0u8; 20];
        let mut n = 0;
        loop {
            digits[n] = b'0' + (v % 10) as u8;
            n += 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.out.extend(digits[..n].iter().rev());
    }

    fn op(&mut self, op: &[u8]) {
        self.out.extend_from_slice(op);
        self.out.push(b'\n');
    }

    /// `y` in layout space (from the top) to PDF space.
    fn y(&mut self, y: f32) {
        self.num(PAGE_H - y);
    }

    pub fn begin(&mut self, mark: &Mark) {
        match mark {
            Mark::Content { tag, mcid, actual } => {
                self.out.push(b'/');
                self.out.extend_from_slice(tag);
                self.out.extend_from_slice(b" <</MCID ");
                self.int(*mcid as i64);
                if let Some(text) = actual {
                    self.out.extend_from_slice(b" /ActualText ");
                    text_string(&mut self.out, text);
                }
                self.op(b">> BDC");
            }
            Mark::Artifact(None) => self.op(b"/Artifact BMC"),
            Mark::Artifact(Some(subtype)) => {
                self.out
                    .extend_from_slice(b"/Artifact <</Type /Pagination /Subtype /");
                self.out.extend_from_slice(subtype);
                self.op(b">> BDC");
            }
        }
    }

    pub fn end(&mut self) {
        self.op(b"EMC");
    }

    /// One line of text: `font` is the resource name's number, `codes` two-byte glyph codes.
    pub fn text(&mut self, font: u8, size: f32, x: f32, y: f32, codes: &[u8]) {
        self.out.extend_from_slice(b"BT /F");
        self.int(i64::from(font));
        self.out.push(b' ');
        self.num(size);
        self.out.extend_from_slice(b"Tf 1 0 0 1 ");
        self.num(x);
        self.y(y);
        self.out.extend_from_slice(b"Tm (");
        for &b in codes {
            // Only the string delimiters, the escape and CR need escaping: a raw CR would
            // be read back as LF.
            match b {
                b'(' | b')' | b'\\' => self.out.extend_from_slice(&[b'\\', b]),
                b'\r' => self.out.extend_from_slice(b"\\r"),
                _ => self.out.push(b),
            }
        }
        self.op(b") Tj ET");
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.num(width);
        self.out.extend_from_slice(b"w ");
        self.num(x1);
        self.y(y1);
        self.out.extend_from_slice(b"m ");
        self.num(x2);
        self.y(y2);
        self.op(b"l S");
    }

    /// A square (`round` = false) or circle with its top-left corner at (x, y).
    pub fn outline(&mut self, x: f32, y: f32, size: f32, round: bool) {
        self.op(b"0.8 w");
        if round {
            self.circle(x + size / 2.0, y + size / 2.0, size / 2.0);
        } else {
            self.num(x);
            self.y(y + size);
            self.num(size);
            self.num(size);
            self.out.extend_from_slice(b"re ");
        }
        self.op(b"S");
    }

    /// The filled dot of a chosen radio button or the tick of a chosen box.
    pub fn chosen(&mut self, x: f32, y: f32, size: f32, round: bool) {
        if round {
            self.circle(x + size / 2.0, y + size / 2.0, size / 4.0);
        } else {
            let points = [
                (0.18, 0.52),
                (0.42, 0.78),
                (0.84, 0.2),
                (0.74, 0.12),
                (0.42, 0.6),
                (0.27, 0.43),
            ];
            for (i, (px, py)) in points.iter().enumerate() {
                self.num(x + size * px);
                self.y(y + size * py);
                self.out
                    .extend_from_slice(if i == 0 { b"m " } else { b"l " });
            }
            self.out.extend_from_slice(b"h ");
        }
        self.op(b"f");
    }

    fn circle(&mut self, cx: f32, cy: f32, r: f32) {
        // Four cubic arcs; k is the usual circle approximation constant.
        let k = 0.552_284_8 * r;
        let pts = [
            [(cx + r, cy + k), (cx + k, cy + r), (cx, cy + r)],
            [(cx - k, cy + r), (cx - r, cy + k), (cx - r, cy)],
            [(cx - r, cy - k), (cx - k, cy - r), (cx, cy - r)],
            [(cx + k, cy - r), (cx + r, cy - k), (cx + r, cy)],
        ];
        self.num(cx + r);
        self.y(cy);
        self.out.extend_from_slice(b"m ");
        for arc in pts {
            for (px, py) in arc {
                self.num(px);
                self.y(py);
            }
            self.out.extend_from_slice(b"c ");
        }
        self.out.extend_from_slice(b"h ");
    }

    /// Image XObject `/Im{n}` scaled to `side` points with its top-left corner at (x, y).
    pub fn image(&mut self, n: usize, x: f32, y: f32, side: f32) {
        self.out.extend_from_slice(b"q ");
        self.num(side);
        self.out.extend_from_slice(b"0 0 ");
        self.num(side);
        self.num(x);
        self.y(y + side);
        self.out.extend_from_slice(b"cm /Im");
        self.int(n as i64);
        self.op(b" Do Q");
    }
}

/// A PDF text string: literal if plain ASCII, else UTF-16BE with a byte-order mark, in hex.
fn text_string(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| (32..127).contains(&b)) {
        out.push(b'(');
        for b in text.bytes() {
            if matches!(b, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b')');
    } else {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        out.extend_from_slice(b"<FEFF");
        for unit in text.encode_utf16() {
            for shift in [12, 8, 4, 0] {
                out.push(HEX[usize::from((unit >> shift) & 0xF)]);
            }
        }
        out.push(b'>');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_two_decimals_and_drop_trailing_zeros() {
        let mut p = Painter::default();
        for v in [0.0, 12.0, 12.5, 12.25, -3.125, 0.004, 841.89] {
            p.num(v);
        }
        assert_eq!(
            String::from_utf8(p.out).unwrap(),
            "0 12 12.5 12.25 -3.13 0 841.89 "
        );
    }

    #[test]
    fn glyph_codes_escape_only_delimiters_and_carriage_returns() {
        let mut p = Painter::default();
        p.text(
            0,
            10.0,
            0.0,
            PAGE_H,
            &[0, b'(', 0, b'\r', 0, b'\\', 0, b'\n'],
        );
        assert_eq!(
            p.out,
            b"BT /F0 10 Tf 1 0 0 1 0 0 Tm (\0\\(\0\\r\0\\\\\0\n) Tj ET\n"
        );
    }
}
