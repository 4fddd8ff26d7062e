//! The form fields of a PDF (its AcroForm): the field tree walked from `/AcroForm /Fields`,
//! each terminal field with its fully qualified name, its inherited attributes and its
//! widgets (the boxes on the pages).

use std::collections::{BTreeMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;

use crate::ids::Format;

/// What kind of field, as the citizen meets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Check,
    Radio,
    /// A drop-down (combo box) or a list.
    Choice,
    /// A digital signature field: signed with a PDF program, not here.
    Signature,
}

/// One choice of a drop-down or list: what is stored and what is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A terminal field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// Fully qualified: the partial names from the root joined with dots.
    pub name: String,
    pub kind: FieldKind,
    /// The field's tooltip (`/TU`), the closest thing a blankett has to a label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The value in the file: text, a choice, or a check box's or radio's state ("Off": none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Drop-down and list choices; radio and check box on-states (`/Yes`, `/Ja`, `/1`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    pub multiline: bool,
    /// One character per box, `max_len` boxes (a personnummer's ten squares).
    pub comb: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_len: Option<u32>,
    pub required: bool,
    pub read_only: bool,
    /// A free-text drop-down: values outside the choices are allowed.
    pub editable: bool,
    /// The format its name says it holds, checked like the same question in a form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// The page of its first box, from 1.
    pub page: usize,
}

/// A terminal field as found in the file.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub id: ObjectId,
    pub field: Field,
    pub widgets: Vec<ObjectId>,
    /// `/DA`, inherited from the field's parents or the form.
    pub da: Option<String>,
    /// `/Q`: 0 left, 1 centred, 2 right.
    pub quadding: i64,
}

/// Field flags (PDF 32000-1, tables 226, 228, 230).
pub(crate) mod flag {
    pub const READ_ONLY: i64 = 1;
    pub const REQUIRED: i64 = 1 << 1;
    pub const MULTILINE: i64 = 1 << 12;
    pub const RADIO: i64 = 1 << 15;
    pub const PUSHBUTTON: i64 = 1 << 16;
    pub const EDIT: i64 = 1 << 18;
    pub const COMB: i64 = 1 << 24;
}

/// What a child inherits from its parents.
#[derive(Clone, Default)]
struct Inherited {
    name: String,
    ft: Option<Vec<u8>>,
    ff: i64,
    v: Option<Object>,
    da: Option<String>,
    q: i64,
    max_len: Option<u32>,
    opt: Option<Object>,
}

pub(crate) fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    doc.dereference(o).map(|(_, o)| o).unwrap_or(o)
}

pub(crate) fn dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    match deref(doc, o) {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn text(doc: &Document, o: &Object) -> Option<String> {
    lopdf::decode_text_string(deref(doc, o)).ok()
}

fn int(doc: &Document, o: &Object) -> Option<i64> {
    deref(doc, o).as_i64().ok()
}

/// The names of a widget's appearance states other than "Off": its on-states.
pub(crate) fn on_states(doc: &Document, widget: &Dictionary) -> Vec<String> {
    let Some(n) = widget
        .get(b"AP")
        .ok()
        .and_then(|ap| dict(doc, ap))
        .and_then(|ap| ap.get(b"N").ok())
        .and_then(|n| dict(doc, n))
    else {
        return Vec::new();
    };
    n.iter()
        .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
        .filter(|k| k != "Off")
        .collect()
}

/// The form's terminal fields, in the order of the tree.
pub(crate) fn walk(doc: &Document) -> Vec<Node> {
    let Some(form) = acroform(doc) else {
        return Vec::new();
    };
    let pages: BTreeMap<ObjectId, usize> = doc
        .get_pages()
        .into_iter()
        .map(|(n, id)| (id, n as usize))
        .collect();
    let root = Inherited {
        da: form.get(b"DA").ok().and_then(|o| text(doc, o)),
        q: form.get(b"Q").ok().and_then(|o| int(doc, o)).unwrap_or(0),
        ..Inherited::default()
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    if let Ok(Object::Array(fields)) = form.get(b"Fields").map(|f| deref(doc, f)) {
        for f in fields {
            if let Object::Reference(id) = f {
                visit(doc, *id, &root, &pages, &mut seen, &mut out);
            }
        }
    }
    out
}

pub(crate) fn acroform(doc: &Document) -> Option<&Dictionary> {
    doc.catalog()
        .ok()
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|a| dict(doc, a))
}

fn visit(
    doc: &Document,
    id: ObjectId,
    parent: &Inherited,
    pages: &BTreeMap<ObjectId, usize>,
    seen: &mut HashSet<ObjectId>,
    out: &mut Vec<Node>,
) {
    // A cycle in a damaged file must not loop for ever.
    if !seen.insert(id) {
        return;
    }
    let Ok(d) = doc.get_dictionary(id) else {
        return;
    };
    let mut here = parent.clone();
    if let Some(t) = d.get(b"T").ok().and_then(|o| text(doc, o)) {
        here.name = if parent.name.is_empty() {
            t
        } else {
            format!("{}.{t}", parent.name)
        };
    }
    if let Ok(ft) = d.get(b"FT").and_then(|o| deref(doc, o).as_name()) {
        here.ft = Some(ft.to_vec());
    }
    if let Some(ff) = d.get(b"Ff").ok().and_then(|o| int(doc, o)) {
        here.ff = ff;
    }
    if let Ok(v) = d.get(b"V") {
        here.v = Some(deref(doc, v).clone());
    }
    if let Some(da) = d.get(b"DA").ok().and_then(|o| text(doc, o)) {
        here.da = Some(da);
    }
    if let Some(q) = d.get(b"Q").ok().and_then(|o| int(doc, o)) {
        here.q = q;
    }
    if let Some(m) = d.get(b"MaxLen").ok().and_then(|o| int(doc, o)) {
        here.max_len = u32::try_from(m).ok();
    }
    if let Ok(opt) = d.get(b"Opt") {
        here.opt = Some(deref(doc, opt).clone());
    }
    // Kids with a name are fields; kids without are this field's widgets.
    let kids: Vec<ObjectId> = match d.get(b"Kids").map(|k| deref(doc, k)) {
        Ok(Object::Array(k)) => k.iter().filter_map(|o| o.as_reference().ok()).collect(),
        _ => Vec::new(),
    };
    let (fields, widgets): (Vec<ObjectId>, Vec<ObjectId>) = kids
        .into_iter()
        .partition(|k| doc.get_dictionary(*k).is_ok_and(|kd| kd.has(b"T")));
    for f in fields {
        visit(doc, f, &here, pages, seen, out);
    }
    let widgets = if d.get(b"Subtype").and_then(|s| s.as_name()).ok() == Some(b"Widget") {
        vec![id]
    } else {
        widgets
    };
    if widgets.is_empty() || here.name.is_empty() {
        return;
    }
    if let Some(node) = terminal(doc, id, &here, widgets, pages) {
        out.push(node);
    }
}

fn terminal(
    doc: &Document,
    id: ObjectId,
    f: &Inherited,
    widgets: Vec<ObjectId>,
    pages: &BTreeMap<ObjectId, usize>,
) -> Option<Node> {
    let ff = f.ff;
    let kind = match f.ft.as_deref()? {
        b"Tx" => FieldKind::Text,
        b"Btn" if ff & flag::PUSHBUTTON != 0 => return None,
        b"Btn" if ff & flag::RADIO != 0 => FieldKind::Radio,
        b"Btn" => FieldKind::Check,
        b"Ch" => FieldKind::Choice,
        b"Sig" => FieldKind::Signature,
        _ => return None,
    };
    let d = doc.get_dictionary(id).ok()?;
    let value = f.v.as_ref().and_then(|v| match v {
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        Object::String(..) => lopdf::decode_text_string(v).ok(),
        Object::Array(a) => a.first().and_then(|o| lopdf::decode_text_string(o).ok()),
        _ => None,
    });
    let options = match kind {
        FieldKind::Choice => choices(doc, f.opt.as_ref()),
        FieldKind::Check | FieldKind::Radio => {
            let mut states = Vec::new();
            for w in &widgets {
                if let Ok(wd) = doc.get_dictionary(*w) {
                    for s in on_states(doc, wd) {
                        if !states.contains(&s) {
                            states.push(s);
                        }
                    }
                }
            }
            states
                .into_iter()
                .map(|s| Choice {
                    label: s.clone(),
                    value: s,
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let page = widgets
        .iter()
        .find_map(|w| {
            let wd = doc.get_dictionary(*w).ok()?;
            let p = wd.get(b"P").ok()?.as_reference().ok()?;
            pages.get(&p).copied()
        })
        .or_else(|| page_holding(doc, &widgets))
        .unwrap_or(1);
    let label = d.get(b"TU").ok().and_then(|o| text(doc, o));
    Some(Node {
        id,
        da: f.da.clone(),
        quadding: f.q,
        widgets,
        field: Field {
            format: format_of(&f.name, label.as_deref()),
            name: f.name.clone(),
            kind,
            label,
            value,
            options,
            multiline: kind == FieldKind::Text && ff & flag::MULTILINE != 0,
            comb: kind == FieldKind::Text && ff & flag::COMB != 0 && f.max_len.is_some(),
            max_len: f.max_len.filter(|_| kind == FieldKind::Text),
            required: ff & flag::REQUIRED != 0,
            read_only: ff & flag::READ_ONLY != 0,
            editable: kind == FieldKind::Choice && ff & flag::EDIT != 0,
            page,
        },
    })
}

/// The page whose `/Annots` holds one of `widgets` (a widget without `/P`).
fn page_holding(doc: &Document, widgets: &[ObjectId]) -> Option<usize> {
    doc.get_pages().into_iter().find_map(|(n, page)| {
        let p = doc.get_dictionary(page).ok()?;
        let annots = p.get(b"Annots").ok().map(|a| deref(doc, a))?;
        let Object::Array(a) = annots else {
            return None;
        };
        a.iter()
            .any(|o| o.as_reference().is_ok_and(|r| widgets.contains(&r)))
            .then_some(n as usize)
    })
}

fn choices(doc: &Document, opt: Option<&Object>) -> Vec<Choice> {
    let Some(Object::Array(items)) = opt else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match deref(doc, item) {
            Object::Array(pair) if pair.len() == 2 => Some(Choice {
                value: text(doc, &pair[0])?,
                label: text(doc, &pair[1])?,
            }),
            other => {
                let t = text(doc, other)?;
                Some(Choice {
                    value: t.clone(),
                    label: t,
                })
            }
        })
        .collect()
}

/// The format a field's name or tooltip says it holds: a blankett has no validators, but
/// "Personnummer" or "sokande.postnr" is as clear as one.
pub fn format_of(name: &str, label: Option<&str>) -> Option<Format> {
    let words: Vec<String> = [Some(name), label]
        .into_iter()
        .flatten()
        .flat_map(|s| {
            s.split(|c: char| !c.is_alphanumeric() && c != '-')
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    // "Postnummer och ort", "Telefon eller e-post": one field for two things has no one format.
    if words
        .iter()
        .any(|w| matches!(w.as_str(), "och" | "eller" | "and" | "or"))
    {
        return None;
    }
    let has = |prefixes: &[&str], exact: &[&str]| {
        words
            .iter()
            .any(|w| prefixes.iter().any(|p| w.starts_with(p)) || exact.iter().any(|e| w == e))
    };
    if has(&["personnummer", "personnr"], &["pnr", "persnr"]) {
        Some(Format::Personnummer)
    } else if has(&["postnummer", "postnr"], &[]) {
        Some(Format::PostalCode)
    } else if has(&["e-post", "epost", "email", "e-mail", "mejl"], &[]) {
        Some(Format::Email)
    } else if has(&["telefon", "mobil"], &["tel", "tfn"]) {
        Some(Format::Phone)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_the_words_of_a_name_or_tooltip() {
        assert_eq!(
            format_of("sokande.Personnummer[0]", None),
            Some(Format::Personnummer)
        );
        assert_eq!(
            format_of("Text3", Some("Postnummer")),
            Some(Format::PostalCode)
        );
        assert_eq!(format_of("kontakt_e-post", None), Some(Format::Email));
        assert_eq!(format_of("Tel", None), Some(Format::Phone));
        assert_eq!(format_of("Mobilnummer", None), Some(Format::Phone));
        // Words that merely contain the letters are not taken for the format.
        assert_eq!(format_of("hotell", None), None);
        assert_eq!(format_of("Adress", Some("Gatuadress")), None);
        assert_eq!(
            format_of("postnummer_och_ort", Some("Postnummer och ort")),
            None
        );
    }
}
