//! The text rules Open ePlatform applies to what a citizen types, shared by validation (what
//! the form refuses) and the case writer (what it writes), so that the two never disagree: Java's
//! `trim`, the characters XML 1.0 cannot hold, lengths counted as Java counts them, and the
//! element names OeP can write. The bottom layer: it depends on nothing of the crate.

/// A character that no XML 1.0 document can hold (§1.5): C0 controls other than TAB, LF and
/// CR, and U+FFFE/U+FFFF. Rust strings cannot hold lone surrogates.
pub fn illegal_char(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
    })
}

/// Java's `String.trim()`, which OeP applies to typed values: code points up to U+0020 at
/// either end (Rust's `trim` also takes U+00A0 and other Unicode spaces).
pub fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// A typed value's length as Open ePlatform counts it against a maximum: UTF-16 code units of
/// the value Java-trimmed.
pub fn java_length(s: &str) -> usize {
    java_trim(s).encode_utf16().count()
}

/// A label made into an element name the way Open ePlatform does it: `xml…` becomes `___…`, a
/// leading digit becomes `_`, å/ä/ö lose their marks, and any other character outside
/// `[0-9A-Za-z.-]` becomes `_`, one per code point.
pub fn to_valid_element_name(label: &str) -> String {
    let prefixed: String = if label.len() >= 3
        && label.is_char_boundary(3)
        && label[..3].eq_ignore_ascii_case("xml")
    {
        format!("___{}", &label[3..])
    } else if label.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{}", &label[1..])
    } else {
        label.to_string()
    };
    prefixed
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'Å' | 'Ä' => 'A',
            'ö' => 'o',
            'Ö' => 'O',
            '0'..='9' | 'a'..='z' | 'A'..='Z' | '-' | '.' => c,
            _ => '_',
        })
        .collect()
}

/// Whether Open ePlatform can write an element of this name: its admin form accepts only what
/// `toValidElementName` leaves unchanged, and the DOM refuses a leading `-` or `.`.
pub fn is_writable_element_name(name: &str) -> bool {
    !name.is_empty() && to_valid_element_name(name) == name && !name.starts_with(['-', '.'])
}
