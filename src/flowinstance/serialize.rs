//! The bytes Open ePlatform's writer produces: the JDK's identity `Transformer` with `INDENT=yes`
//! over a plain DOM (`spec/case-xml.md` §1). Municipal integrations often decode these bytes as
//! ISO-8859-1 whatever the declaration says, so Latin-1 output must be exact: raw bytes for
//! U+00A0–U+00FF, decimal references for the rest, CDATA closed around what Latin-1 lacks.
//!
//! Unlike the JDK, this writer never produces an ill-formed file: a character XML 1.0 cannot
//! hold is an error (validation refuses such answers before they get here), and `]]>` right
//! after a character reference opens a section first instead of being left bare.

pub use crate::text::{illegal_char, java_trim};

/// The output encoding: OeP's system encoding, or its `forceUTF` module setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    #[default]
    Latin1,
    Utf8,
}

impl Charset {
    fn label(self) -> &'static str {
        match self {
            Charset::Latin1 => "ISO-8859-1",
            Charset::Utf8 => "UTF-8",
        }
    }
}

/// Indentation per level: JDK 9 and later write 4 spaces; the real Sundsvall sample has TABs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Indent {
    #[default]
    Spaces,
    Tabs,
}

/// A value the writer refused: it would have made the file ill-formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::i18n::display("casexml-illegal-character", &[("element", .element.to_string()), ("code", format!("{:04X}", .code))]))]
pub struct IllegalCharacter {
    pub element: String,
    pub code: u32,
}

struct Open {
    name: String,
    /// Whether the start tag has been closed with `>` because a child followed.
    has_children: bool,
}

/// Writes one document element by element, as the JDK lays it out: every element on its own
/// line, an element holding only text on one line, an empty one as `<Name/>`.
pub struct Out {
    buf: Vec<u8>,
    charset: Charset,
    indent: Indent,
    open: Vec<Open>,
}

impl Out {
    pub fn new(charset: Charset, indent: Indent) -> Self {
        let mut out = Out {
            buf: Vec::with_capacity(4096),
            charset,
            indent,
            open: Vec::new(),
        };
        out.raw(&format!(
            "<?xml version=\"1.0\" encoding=\"{}\" standalone=\"no\"?>\n",
            charset.label()
        ));
        out
    }

    fn raw(&mut self, ascii: &str) {
        self.buf.extend_from_slice(ascii.as_bytes());
    }

    fn pad(&mut self) {
        for _ in 0..self.open.len() {
            match self.indent {
                Indent::Spaces => self.buf.extend_from_slice(b"    "),
                Indent::Tabs => self.buf.push(b'\t'),
            }
        }
    }

    fn child_follows(&mut self) {
        if let Some(parent) = self.open.last_mut()
            && !parent.has_children
        {
            parent.has_children = true;
            self.buf.extend_from_slice(b">\n");
        }
    }

    /// Opens `<name attr="value" …`; attribute values are ASCII in every document written here.
    pub fn start_with(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.child_follows();
        self.pad();
        self.buf.push(b'<');
        self.raw(name);
        for (k, v) in attrs {
            self.raw(&format!(" {k}=\""));
            self.attr_chars(v);
            self.buf.push(b'"');
        }
        self.open.push(Open {
            name: name.to_string(),
            has_children: false,
        });
    }

    pub fn start(&mut self, name: &str) {
        self.start_with(name, &[]);
    }

    pub fn end(&mut self) {
        let Some(open) = self.open.pop() else {
            return;
        };
        if open.has_children {
            self.pad();
            self.raw(&format!("</{}>\n", open.name));
        } else {
            self.buf.extend_from_slice(b"/>\n");
        }
    }

    fn check(element: &str, value: &str) -> Result<(), IllegalCharacter> {
        match illegal_char(value) {
            Some(c) => Err(IllegalCharacter {
                element: element.to_string(),
                code: c as u32,
            }),
            None => Ok(()),
        }
    }

    /// `<name>value</name>` as a text node (`appendNewElement`); a blank value writes nothing.
    pub fn text(&mut self, name: &str, value: &str) -> Result<(), IllegalCharacter> {
        self.leaf(name, value, Self::text_chars)
    }

    /// `<name>` holding one CDATA section (`appendNewCDATAElement`); blank writes nothing.
    pub fn cdata(&mut self, name: &str, value: &str) -> Result<(), IllegalCharacter> {
        self.leaf(name, value, Self::cdata_chars)
    }

    /// An element on one line holding `value` as `body` writes it, unless the value is blank.
    fn leaf(
        &mut self,
        name: &str,
        value: &str,
        body: fn(&mut Self, &str),
    ) -> Result<(), IllegalCharacter> {
        if java_trim(value).is_empty() {
            return Ok(());
        }
        Self::check(name, value)?;
        self.child_follows();
        self.pad();
        self.raw(&format!("<{name}>"));
        body(self, value);
        self.raw(&format!("</{name}>\n"));
        Ok(())
    }

    /// `<!--text-->` on its own line (the XSD labels its text fields so). A comment cannot hold
    /// `--` or references, so those are replaced.
    pub fn comment(&mut self, text: &str) {
        self.child_follows();
        self.pad();
        self.raw("<!--");
        let text = text.replace("--", "- -");
        let text = text.trim_end_matches('-');
        for c in text.chars() {
            match c {
                '\t' | '\n' | '\r' | ' '..='~' => self.buf.push(c as u8),
                '\u{a0}'..='\u{ff}' => self.push_char(c),
                _ if self.charset == Charset::Utf8 && c > '\u{ff}' && c < '\u{fffe}' => {
                    self.push_char(c)
                }
                _ => self.buf.push(b'?'),
            }
        }
        self.raw("-->\n");
    }

    fn reference(&mut self, c: char) {
        self.raw(&format!("&#{};", c as u32));
    }

    fn push_char(&mut self, c: char) {
        match self.charset {
            // Only called for code points Latin-1 holds.
            Charset::Latin1 => self.buf.push(c as u32 as u8),
            Charset::Utf8 => {
                let mut b = [0; 4];
                self.buf.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }

    /// An attribute value: like text, plus `"`, and white space as references so that a
    /// parser's attribute normalisation gives it back unchanged.
    fn attr_chars(&mut self, value: &str) {
        for c in value.chars() {
            match c {
                '"' => self.raw("&quot;"),
                '\t' | '\n' => self.reference(c),
                _ => self.text_chars(c.encode_utf8(&mut [0; 4])),
            }
        }
    }

    /// Text-node escaping of the JDK serializer (§1.4, §1.6).
    fn text_chars(&mut self, value: &str) {
        for c in value.chars() {
            match c {
                '&' => self.raw("&amp;"),
                '<' => self.raw("&lt;"),
                '>' => self.raw("&gt;"),
                '\r' => self.raw("&#13;"),
                '\t' | '\n' | ' '..='~' => self.buf.push(c as u8),
                '\u{7f}'..='\u{9f}' => self.reference(c),
                '\u{a0}'..='\u{ff}' => self.push_char(c),
                _ if self.charset == Charset::Utf8 && (c as u32) <= 0xFFFF => self.push_char(c),
                _ => self.reference(c),
            }
        }
    }

    /// What a CDATA section may hold raw in this charset.
    fn cdata_ok(&self, c: char) -> bool {
        match self.charset {
            Charset::Latin1 => matches!(c, '\t' | '\n' | '\r' | ' '..='\u{ff}'),
            Charset::Utf8 => matches!(c, '\t' | '\n' | '\r') || c >= ' ',
        }
    }

    /// CDATA as the JDK writes it (§1.4): the section is closed around every character the
    /// charset lacks, which goes out as a decimal reference, and `]]>` is continued as
    /// `]]]]><![CDATA[>`.
    fn cdata_chars(&mut self, value: &str) {
        let chars: Vec<char> = value.chars().collect();
        let mut open = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !self.cdata_ok(c) {
                if open {
                    self.raw("]]>");
                    open = false;
                }
                self.reference(c);
            } else if c == ']' && chars.get(i + 1) == Some(&']') && chars.get(i + 2) == Some(&'>') {
                if !open {
                    self.raw("<![CDATA[");
                    open = true;
                }
                self.raw("]]]]><![CDATA[>");
                i += 2;
            } else {
                if !open {
                    self.raw("<![CDATA[");
                    open = true;
                }
                self.push_char(c);
            }
            i += 1;
        }
        if open {
            self.raw("]]>");
        }
    }

    pub fn finish(mut self) -> Vec<u8> {
        while !self.open.is_empty() {
            self.end();
        }
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cdata(value: &str) -> String {
        let mut out = Out::new(Charset::Latin1, Indent::Spaces);
        out.buf.clear();
        out.cdata_chars(value);
        String::from_utf8(out.buf).unwrap()
    }

    #[test]
    fn cdata_vectors_of_the_jdk() {
        // spec/case-xml.md §1.4, the well-formed rows.
        let vectors = [
            ("a€b", "<![CDATA[a]]>&#8364;<![CDATA[b]]>"),
            ("€x", "&#8364;<![CDATA[x]]>"),
            ("x€", "<![CDATA[x]]>&#8364;"),
            ("€€", "&#8364;&#8364;"),
            ("]]>", "<![CDATA[]]]]><![CDATA[>]]>"),
            ("a]]>b]]>c", "<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>c]]>"),
            ("a]]", "<![CDATA[a]]]]>"),
            ("]]]>", "<![CDATA[]]]]]><![CDATA[>]]>"),
            ("Rad 1\r\nRad 2", "<![CDATA[Rad 1\r\nRad 2]]>"),
        ];
        for (value, bytes) in vectors {
            assert_eq!(cdata(value), bytes, "{value:?}");
        }
    }

    #[test]
    fn terminator_after_a_reference_stays_well_formed() {
        // The JDK leaves `]]>` bare here and never closes the section it opens.
        assert_eq!(cdata("€]]>"), "&#8364;<![CDATA[]]]]><![CDATA[>]]>");
    }

    #[test]
    fn latin1_letters_are_raw_bytes() {
        let mut out = Out::new(Charset::Latin1, Indent::Spaces);
        out.cdata("N", "åäö").unwrap();
        let bytes = out.finish();
        assert!(bytes.ends_with(b"<N><![CDATA[\xE5\xE4\xF6]]></N>\n"));
    }

    #[test]
    fn text_nodes_escape_like_the_jdk() {
        let mut out = Out::new(Charset::Latin1, Indent::Spaces);
        out.text("V", "a&b<c>d\re\u{85}é–😀").unwrap();
        let bytes = out.finish();
        let expected: &[u8] = b"<V>a&amp;b&lt;c&gt;d&#13;e&#133;\xE9&#8211;&#128512;</V>\n";
        assert!(
            bytes.ends_with(expected),
            "{:?}",
            String::from_utf8_lossy(&bytes)
        );
    }

    #[test]
    fn utf8_writes_bmp_raw_and_astral_as_references_in_text() {
        let mut out = Out::new(Charset::Utf8, Indent::Tabs);
        out.start("A");
        out.text("V", "–😀").unwrap();
        out.cdata("C", "–😀").unwrap();
        let text = String::from_utf8(out.finish()).unwrap();
        assert!(text.contains("\t<V>–&#128512;</V>\n"), "{text}");
        assert!(text.contains("\t<C><![CDATA[–😀]]></C>\n"), "{text}");
    }

    #[test]
    fn control_characters_are_refused() {
        let mut out = Out::new(Charset::Latin1, Indent::Spaces);
        let err = out.cdata("Value", "a\u{8}b").unwrap_err();
        assert_eq!(err.code, 8);
        assert!(out.text("Value", "\u{ffff}").is_err());
    }

    #[test]
    fn empty_elements_close_themselves() {
        let mut out = Out::new(Charset::Latin1, Indent::Spaces);
        out.start("Root");
        out.start("Values");
        out.end();
        let text = String::from_utf8(out.finish()).unwrap();
        assert!(text.ends_with("<Root>\n    <Values/>\n</Root>\n"), "{text}");
    }
}
