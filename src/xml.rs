//! A small element tree over quick-xml, with source positions, for the XML formats etjanst
//! reads (`.oeflow`), and a writer for the ones it writes. OeP's own reader looks things up by
//! direct child name and ignores order and unknown elements; this tree makes that easy while
//! keeping every element's exact source text for lossless round trips.

use std::ops::Range;

use quick_xml::events::Event;

/// A malformed document, with a position a person can find in an editor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::i18n::display("xml-error", &[("line", .line.to_string()), ("column", .column.to_string()), ("message", .message.to_string())]))]
pub struct XmlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..floor_char_boundary(src, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Decodes an XML document by its declared encoding (OeP writes ISO-8859-1), falling back to
/// UTF-8 as XML requires when nothing is declared.
pub fn decode(bytes: &[u8]) -> Result<String, XmlError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest);
    }
    let head = &bytes[..bytes.len().min(200)];
    let label = declared_encoding(head);
    match label
        .as_deref()
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
    {
        Some(enc) if enc != encoding_rs::UTF_8 => {
            // encoding_rs maps the label ISO-8859-1 to windows-1252 (as browsers do), which
            // agrees with Latin-1 on every printable character.
            let (text, _, _) = enc.decode(bytes);
            Ok(text.into_owned())
        }
        Some(_) => utf8(bytes),
        None if label.is_some() => Err(XmlError {
            line: 1,
            column: 1,
            message: format!(
                "okänd teckenkodning \"{}\" i XML-deklarationen",
                label.as_deref().unwrap_or_default()
            ),
        }),
        None => utf8(bytes),
    }
}

fn utf8(bytes: &[u8]) -> Result<String, XmlError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let (line, column) = line_col(valid, valid.len());
            Err(XmlError {
                line,
                column,
                message: "filen är inte giltig UTF-8 och anger ingen annan teckenkodning".into(),
            })
        }
    }
}

fn declared_encoding(head: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(head);
    let decl = head.strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_string())
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    /// Text, CDATA and references, already resolved.
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub name: String,
    pub children: Vec<Node>,
    /// Byte range of the whole element in the decoded source.
    pub span: Range<usize>,
}

impl Element {
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| e.name == name)
    }

    /// `path` like `Steps/Step`: direct children only, as OeP's XMLParser does.
    pub fn path<'a>(&'a self, path: &'a str) -> Vec<&'a Element> {
        let mut current = vec![self];
        for part in path.split('/') {
            current = current
                .into_iter()
                .flat_map(|e| e.children_named(part))
                .collect();
        }
        current
    }

    /// The element's own text (not its descendants').
    pub fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s
    }

    /// Trimmed text of a direct child; a missing or blank child is `None`, as in OeP.
    pub fn child_text(&self, name: &str) -> Option<String> {
        let t = self.child(name)?.text();
        let t = t.trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    /// OeP reads booleans with `Boolean.parseBoolean`: only `true` counts, missing is false.
    pub fn child_bool(&self, name: &str) -> bool {
        self.child_text(name)
            .is_some_and(|t| t.eq_ignore_ascii_case("true"))
    }

    pub fn child_u32(&self, name: &str) -> Option<u32> {
        self.child_text(name)?.parse().ok()
    }

    pub fn child_u64(&self, name: &str) -> Option<u64> {
        self.child_text(name)?.parse().ok()
    }

    /// Texts of `wrapper/item` children, trimmed, blanks dropped.
    pub fn list(&self, wrapper: &str, item: &str) -> Vec<String> {
        self.child(wrapper)
            .map(|w| {
                w.children_named(item)
                    .map(|e| e.text().trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// How deep elements may nest. A `.oeflow` is about ten deep; a file nested many thousands
/// deep is an attack on the stack, not a flow.
pub const MAX_DEPTH: usize = 256;

/// Parses a decoded document into its root element.
pub fn parse(src: &str) -> Result<Element, XmlError> {
    let mut reader = quick_xml::Reader::from_str(src);
    let err_at = |offset: usize, message: String| {
        let (line, column) = line_col(src, offset);
        XmlError {
            line,
            column,
            message,
        }
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| err_at(reader.error_position() as usize, e.to_string()))?;
        let after = reader.buffer_position() as usize;
        match event {
            Event::Start(e) | Event::Empty(e) if root.is_some() => {
                return Err(err_at(
                    before,
                    format!("mer än ett rotelement (<{}>)", e.name().into_inner()),
                ));
            }
            Event::Start(_) if stack.len() >= MAX_DEPTH => {
                return Err(err_at(
                    before,
                    format!("elementen är nästlade djupare än {MAX_DEPTH} nivåer"),
                ));
            }
            Event::Start(e) => stack.push(Element {
                name: e.name().into_inner().to_string(),
                children: Vec::new(),
                span: before..before,
            }),
            Event::Empty(e) => {
                let el = Element {
                    name: e.name().into_inner().to_string(),
                    children: Vec::new(),
                    span: before..after,
                };
                attach(&mut stack, &mut root, el);
            }
            Event::End(_) => {
                // quick-xml checks that end names match, so the stack is never empty here.
                if let Some(mut el) = stack.pop() {
                    el.span.end = after;
                    attach(&mut stack, &mut root, el);
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(t) => push_text(&mut stack, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.xml10_content();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .map(str::to_string)
                            .ok_or_else(|| err_at(before, format!("okänd entitet &{name};")))?
                    }
                    Err(e) => return Err(err_at(before, e.to_string())),
                };
                push_text(&mut stack, &resolved);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(err_at(
            src.len(),
            format!("filen tar slut innan <{}> har stängts", open.name),
        ));
    }
    root.ok_or_else(|| err_at(0, "inget XML-element i filen".into()))
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(el)),
        None => *root = Some(el),
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    // Text outside the root is whitespace between prolog items; nothing to keep.
    let Some(parent) = stack.last_mut() else {
        return;
    };
    if let Some(Node::Text(prev)) = parent.children.last_mut() {
        prev.push_str(text);
    } else {
        parent.children.push(Node::Text(text.to_string()));
    }
}

/// An indenting XML writer for the formats etjanst emits.
pub struct Writer {
    out: String,
    open: Vec<String>,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    pub fn new() -> Self {
        Writer {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"),
            open: Vec::new(),
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.out.push_str("    ");
        }
    }

    pub fn start(&mut self, name: &str) {
        self.start_with(name, &[]);
    }

    pub fn start_with(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out
                .push_str(&format!(" {k}=\"{}\"", quick_xml::escape::escape(*v)));
        }
        self.out.push_str(">\n");
        self.open.push(name.to_string());
    }

    pub fn end(&mut self) {
        if let Some(name) = self.open.pop() {
            self.indent();
            self.out.push_str(&format!("</{name}>\n"));
        }
    }

    /// `<name>text</name>` with the text escaped.
    pub fn text(&mut self, name: &str, text: &str) {
        self.indent();
        self.out.push_str(&format!(
            "<{name}>{}</{name}>\n",
            quick_xml::escape::escape(text)
        ));
    }

    pub fn opt_text(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
            self.text(name, t);
        }
    }

    pub fn bool(&mut self, name: &str, value: bool) {
        self.text(name, if value { "true" } else { "false" });
    }

    /// `<name><![CDATA[text]]></name>`; a `]]>` inside is split across two sections.
    pub fn cdata(&mut self, name: &str, text: &str) {
        self.indent();
        let safe = text.replace("]]>", "]]]]><![CDATA[>");
        self.out
            .push_str(&format!("<{name}><![CDATA[{safe}]]></{name}>\n"));
    }

    pub fn opt_cdata(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
            self.cdata(name, t);
        }
    }

    /// Source text inserted verbatim (unknown subtrees kept from an import).
    pub fn raw(&mut self, xml: &str) {
        self.indent();
        self.out.push_str(xml);
        self.out.push('\n');
    }

    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.end();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_declaration_is_honoured() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE5\xE4\xF6</a>";
        let src = decode(bytes).unwrap();
        assert_eq!(parse(&src).unwrap().text(), "åäö");
    }

    #[test]
    fn undeclared_non_utf8_is_an_error_with_position() {
        let err = decode(b"<a>\n  \xE5</a>").unwrap_err();
        assert_eq!((err.line, err.column), (2, 3));
    }

    #[test]
    fn cdata_split_and_char_refs_join() {
        let src = "<a><![CDATA[x ]]>&#8211;<![CDATA[ y]]> &amp; z</a>";
        assert_eq!(parse(src).unwrap().text(), "x – y & z");
    }

    #[test]
    fn mismatched_tag_reports_line_and_column() {
        let err = parse("<a>\n<b></c>\n</a>").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
    }

    #[test]
    fn unclosed_root_is_an_error() {
        let err = parse("<a><b/>").unwrap_err();
        assert!(err.message.contains("<a>"), "{err}");
    }

    #[test]
    fn spans_cover_the_source_of_an_element() {
        let src = "<r>\n  <x a=\"1\"><y>t</y></x>\n</r>";
        let root = parse(src).unwrap();
        let x = root.child("x").unwrap();
        assert_eq!(&src[x.span.clone()], "<x a=\"1\"><y>t</y></x>");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let depth = 200_000;
        let src = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let err = parse(&src).unwrap_err();
        assert!(err.message.contains("256"), "{err}");
        let ok = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn cdata_writer_survives_terminator() {
        let mut w = Writer::new();
        w.cdata("a", "x]]>y");
        let out = w.finish();
        assert_eq!(parse(&out).unwrap().text(), "x]]>y");
    }
}
