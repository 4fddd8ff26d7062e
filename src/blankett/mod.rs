//! PDF blanketter with form fields: which fields a blankett has, and the blankett filled in,
//! written here rather than by a viewer, so that it prints the same from every program.
//!
//! The PDF objects are read and written with lopdf; what is etjanst's own is the appearance of
//! each filled field (`appearance`), taking out scripts and XFA (`clean`) and flattening.
//! Values are a map from a field's fully qualified name to its text, its choice, or (check
//! boxes) `true`/`false`; [`check`] applies the formats a field's name announces.

mod appearance;
mod clean;
mod fields;
mod flatten;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use lopdf::{Document, Object, ObjectId};
use serde::Serialize;

pub use clean::FormKind;
pub use fields::{Choice, Field, FieldKind, format_of};

use appearance::{Painter, TextLayout};

/// A field's value: text (text fields, choices, a radio group's state) or a check box's tick.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, Serialize)]
#[serde(untagged)]
pub enum Value {
    Ticked(bool),
    Text(String),
}

pub type Values = BTreeMap<String, Value>;

#[derive(Debug, thiserror::Error)]
pub enum BlankettError {
    #[error("{}", crate::i18n::display("blankett-unreadable", &[("detail", .0.clone())]))]
    Unreadable(String),
    #[error("{}", crate::i18n::display("blankett-encrypted", &[]))]
    Encrypted,
    #[error("{}", crate::i18n::display("blankett-dynamic-xfa", &[]))]
    DynamicXfa,
    #[error("{}", crate::i18n::display("blankett-no-fields", &[]))]
    NoFields,
    #[error("{}", crate::i18n::display("blankett-unknown-field", &[("field", .0.clone())]))]
    UnknownField(String),
    #[error("{}", crate::i18n::display("blankett-bad-value", &[("field", .field.clone()), ("value", .value.clone())]))]
    BadValue { field: String, value: String },
    #[error("{}", crate::i18n::display("pdf-fonts", &[]))]
    Fonts,
    #[error("{}", crate::i18n::display("blankett-write", &[("detail", .0.clone())]))]
    Write(String),
}

/// A blankett as etjanst sees it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Blankett {
    pub kind: FormKind,
    pub fields: Vec<Field>,
    pub pages: usize,
    /// Scripts the file carries (removed when it is filled).
    pub scripts: bool,
}

impl Blankett {
    /// Whether it can be filled in here.
    pub fn fillable(&self) -> bool {
        matches!(self.kind, FormKind::Fields | FormKind::HybridXfa)
            && self
                .fields
                .iter()
                .any(|f| f.kind != FieldKind::Signature && !f.read_only)
    }
}

fn load(bytes: &[u8]) -> Result<Document, BlankettError> {
    let doc = Document::load_mem(bytes).map_err(|e| BlankettError::Unreadable(e.to_string()))?;
    // lopdf opens files encrypted with an empty user password (the usual "no copying" forms);
    // one that needs a password to open is not for filling here.
    if doc.is_encrypted() {
        return Err(BlankettError::Encrypted);
    }
    Ok(doc)
}

fn has_scripts(doc: &Document) -> bool {
    doc.objects.values().any(|o| {
        let d = match o {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            _ => return false,
        };
        d.has(b"AA")
            || d.has(b"JS")
            || d.get(b"S")
                .and_then(|s| s.as_name())
                .is_ok_and(|s| s == b"JavaScript")
    })
}

/// Reads a blankett's fields.
pub fn inspect(bytes: &[u8]) -> Result<Blankett, BlankettError> {
    let doc = load(bytes)?;
    let nodes = fields::walk(&doc);
    Ok(Blankett {
        kind: clean::kind(&doc, nodes.len()),
        pages: doc.get_pages().len(),
        scripts: has_scripts(&doc),
        fields: nodes.into_iter().map(|n| n.field).collect(),
    })
}

/// How to write a filled blankett.
#[derive(Debug, Clone, Copy, Default)]
pub struct FillOptions {
    /// Draw the values into the pages and leave no fields.
    pub flatten: bool,
}

/// A value that does not have the format its field's name announces.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormatIssue {
    pub field: String,
    /// What is wrong and how to write it, as a form says it.
    pub message: String,
}

/// The format problems of `values`: personnummer, postnummer, e-post and telefon fields are
/// checked as the same questions in a form ([`crate::ids`]).
pub fn check(
    blankett: &Blankett,
    values: &Values,
    today: NaiveDate,
    lang: crate::fill::Lang,
) -> Vec<FormatIssue> {
    let mut out = Vec::new();
    for f in &blankett.fields {
        let (Some(format), Some(Value::Text(v))) = (f.format, values.get(&f.name)) else {
            continue;
        };
        if f.kind != FieldKind::Text || v.trim().is_empty() {
            continue;
        }
        if let Err(p) = format.check(v, today) {
            out.push(FormatIssue {
                field: f.name.clone(),
                message: crate::fill::format_message(format, p, lang),
            });
        }
    }
    out
}

/// The blankett with `values` filled in: values set, every filled widget given its
/// appearance, check boxes and radio buttons set to their own on-states, scripts and XFA
/// removed; flattened on request. A blankett without fields comes back as it was.
pub fn fill(bytes: &[u8], values: &Values, options: FillOptions) -> Result<Vec<u8>, BlankettError> {
    let mut doc = load(bytes)?;
    let nodes = fields::walk(&doc);
    match clean::kind(&doc, nodes.len()) {
        FormKind::DynamicXfa => return Err(BlankettError::DynamicXfa),
        FormKind::Plain if !values.is_empty() => return Err(BlankettError::NoFields),
        FormKind::Plain => return Ok(bytes.to_vec()),
        _ => {}
    }
    let by_name: BTreeMap<&str, &fields::Node> =
        nodes.iter().map(|n| (n.field.name.as_str(), n)).collect();
    for name in values.keys() {
        if !by_name.contains_key(name.as_str()) {
            return Err(BlankettError::UnknownField(name.clone()));
        }
    }
    clean::clean(&mut doc);
    let mut painter = Painter::new(&mut doc)?;
    for node in &nodes {
        let Some(value) = values.get(&node.field.name) else {
            continue;
        };
        set(&mut doc, &mut painter, node, value)?;
    }
    painter.finish(&mut doc)?;
    // Every filled widget has its appearance: a viewer must not draw its own over it.
    if let Some(Object::Reference(form)) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"AcroForm").ok())
        .cloned()
        && let Ok(d) = doc.get_dictionary_mut(form)
    {
        d.remove(b"NeedAppearances");
    } else if let Ok(c) = doc.catalog_mut()
        && let Ok(Object::Dictionary(d)) = c.get_mut(b"AcroForm")
    {
        d.remove(b"NeedAppearances");
    }
    if options.flatten {
        let widgets: Vec<ObjectId> = nodes.iter().flat_map(|n| n.widgets.clone()).collect();
        flatten::flatten(&mut doc, &widgets)?;
        doc.prune_objects();
    }
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| BlankettError::Write(e.to_string()))?;
    Ok(out)
}

fn bad(node: &fields::Node, v: &str) -> BlankettError {
    BlankettError::BadValue {
        field: node.field.name.clone(),
        value: v.to_string(),
    }
}

fn set_key(
    doc: &mut Document,
    id: ObjectId,
    key: &str,
    value: Object,
) -> Result<(), BlankettError> {
    doc.get_dictionary_mut(id)
        .map_err(|e| BlankettError::Write(e.to_string()))?
        .set(key, value);
    Ok(())
}

fn set(
    doc: &mut Document,
    painter: &mut Painter,
    node: &fields::Node,
    value: &Value,
) -> Result<(), BlankettError> {
    let f = &node.field;
    match (f.kind, value) {
        (FieldKind::Signature, _) => Err(bad(node, "signatur")),
        (FieldKind::Text, Value::Text(v)) => {
            if let Some(max) = f.max_len
                && v.chars().count() > max as usize
            {
                return Err(bad(node, v));
            }
            set_key(doc, node.id, "V", lopdf::text_string(v))?;
            let layout = TextLayout {
                multiline: f.multiline,
                comb: f.comb.then_some(f.max_len).flatten(),
                quadding: node.quadding,
            };
            show_text(doc, painter, node, v, &layout)
        }
        (FieldKind::Choice, Value::Text(v)) => {
            let choice = f
                .options
                .iter()
                .find(|c| c.value == *v || c.label == *v)
                .cloned();
            let (stored, shown) = match choice {
                Some(c) => (c.value, c.label),
                None if f.editable || v.is_empty() => (v.clone(), v.clone()),
                None => return Err(bad(node, v)),
            };
            set_key(doc, node.id, "V", lopdf::text_string(&stored))?;
            let layout = TextLayout {
                multiline: false,
                comb: None,
                quadding: node.quadding,
            };
            show_text(doc, painter, node, &shown, &layout)
        }
        (FieldKind::Check | FieldKind::Radio, value) => {
            let radio = f.kind == FieldKind::Radio;
            // The state to show: a tick means the check box's own on-state.
            let state = match value {
                Value::Ticked(false) => "Off".to_string(),
                Value::Ticked(true) if !radio => f
                    .options
                    .first()
                    .map(|c| c.value.clone())
                    .unwrap_or_else(|| "Yes".into()),
                Value::Text(t) if t.is_empty() || t == "Off" => "Off".to_string(),
                Value::Text(t) if f.options.iter().any(|c| c.value == *t) => t.clone(),
                Value::Text(t) if f.options.is_empty() && !radio => t.clone(),
                Value::Text(t) => return Err(bad(node, t)),
                Value::Ticked(true) => return Err(bad(node, "true")),
            };
            set_key(doc, node.id, "V", Object::Name(state.as_bytes().to_vec()))?;
            for w in &node.widgets {
                let widget = doc
                    .get_dictionary(*w)
                    .map_err(|e| BlankettError::Write(e.to_string()))?
                    .clone();
                let mut own = fields::on_states(doc, &widget);
                if own.is_empty() {
                    // No appearances at all: draw a tick (or a dot) for the state asked for.
                    let on_name = if state == "Off" {
                        "Yes".to_string()
                    } else {
                        state.clone()
                    };
                    let (on, off) = painter.button(doc, &widget, radio);
                    let (on, off) = (doc.add_object(on), doc.add_object(off));
                    let mut states = lopdf::Dictionary::new();
                    states.set(on_name.as_bytes(), Object::Reference(on));
                    states.set("Off", Object::Reference(off));
                    appearance_n(doc, *w, Object::Dictionary(states))?;
                    own.push(on_name);
                }
                let shown = if own.contains(&state) {
                    state.as_str()
                } else {
                    "Off"
                };
                set_key(doc, *w, "AS", Object::Name(shown.as_bytes().to_vec()))?;
            }
            Ok(())
        }
        (_, Value::Ticked(t)) => Err(bad(node, &t.to_string())),
    }
}

/// Gives every widget of a text or choice field the appearance of `shown`.
fn show_text(
    doc: &mut Document,
    painter: &mut Painter,
    node: &fields::Node,
    shown: &str,
    layout: &TextLayout,
) -> Result<(), BlankettError> {
    for w in &node.widgets {
        let widget = doc
            .get_dictionary(*w)
            .map_err(|e| BlankettError::Write(e.to_string()))?
            .clone();
        let ap = painter.text(doc, &widget, node.da.as_deref(), shown, layout);
        let ap = doc.add_object(ap);
        appearance_n(doc, *w, Object::Reference(ap))?;
    }
    Ok(())
}

/// Sets a widget's normal appearance, keeping its other appearances (`/D`, `/R`) out: they
/// would show the old value on hover or press.
fn appearance_n(doc: &mut Document, widget: ObjectId, n: Object) -> Result<(), BlankettError> {
    let mut ap = lopdf::Dictionary::new();
    ap.set("N", n);
    set_key(doc, widget, "AP", Object::Dictionary(ap))
}
