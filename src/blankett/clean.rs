//! What a filled blankett must not carry: JavaScript (a form's scripts run in some viewers
//! and can change or send what was typed) and, on a hybrid XFA form, the XFA stream that
//! viewers would show instead of the fields filled here.

use lopdf::{Document, Object};

use super::fields::acroform;

/// How the blankett holds its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// No form fields: printed as it is.
    Plain,
    /// Fields (AcroForm).
    Fields,
    /// Fields, and XFA over them (a static XFA form): the fields are filled, the XFA removed.
    HybridXfa,
    /// XFA only, laid out by the viewer: it cannot be filled outside Adobe's programs.
    DynamicXfa,
}

pub(crate) fn kind(doc: &Document, fields: usize) -> FormKind {
    let Some(form) = acroform(doc) else {
        return FormKind::Plain;
    };
    let needs_rendering = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"NeedsRendering").ok())
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false);
    match (form.has(b"XFA"), fields) {
        (true, 0) => FormKind::DynamicXfa,
        (true, _) if needs_rendering => FormKind::DynamicXfa,
        (true, _) => FormKind::HybridXfa,
        (false, 0) => FormKind::Plain,
        (false, _) => FormKind::Fields,
    }
}

fn is_javascript(doc: &Document, o: &Object) -> bool {
    super::fields::dict(doc, o).is_some_and(|d| {
        d.get(b"S")
            .and_then(|s| s.as_name())
            .is_ok_and(|s| s == b"JavaScript")
    })
}

/// Removes every JavaScript action and trigger, and the XFA stream. Returns how many scripts
/// were taken out.
pub(crate) fn clean(doc: &mut Document) -> usize {
    let mut removed = 0;
    // Actions that are JavaScript, wherever they are referred to from.
    let scripts: Vec<lopdf::ObjectId> = doc
        .objects
        .iter()
        .filter(|(_, o)| is_javascript(doc, o))
        .map(|(id, _)| *id)
        .collect();
    let ids: Vec<lopdf::ObjectId> = doc.objects.keys().copied().collect();
    for id in ids {
        let js_keys: Vec<Vec<u8>> = {
            let Some(d) = doc.objects.get(&id).and_then(|o| match o {
                Object::Dictionary(d) => Some(d),
                Object::Stream(s) => Some(&s.dict),
                _ => None,
            }) else {
                continue;
            };
            d.iter()
                .filter(|(k, v)| {
                    k.as_slice() == b"AA"
                        || (matches!(k.as_slice(), b"A" | b"OpenAction" | b"Next")
                            && (is_javascript(doc, v)
                                || v.as_reference().is_ok_and(|r| scripts.contains(&r))))
                })
                .map(|(k, _)| k.clone())
                .collect()
        };
        if js_keys.is_empty() {
            continue;
        }
        if let Some(d) = doc.objects.get_mut(&id).and_then(|o| match o {
            Object::Dictionary(d) => Some(d),
            Object::Stream(s) => Some(&mut s.dict),
            _ => None,
        }) {
            for k in js_keys {
                d.remove(&k);
                removed += 1;
            }
        }
    }
    for id in scripts {
        doc.objects.remove(&id);
    }
    // The document-level scripts: /Names /JavaScript.
    let names = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Names").ok())
        .cloned();
    match names {
        Some(Object::Reference(r)) => {
            if let Ok(d) = doc.get_dictionary_mut(r)
                && d.remove(b"JavaScript").is_some()
            {
                removed += 1;
            }
        }
        Some(Object::Dictionary(_)) => {
            if let Ok(c) = doc.catalog_mut()
                && let Ok(Object::Dictionary(d)) = c.get_mut(b"Names")
                && d.remove(b"JavaScript").is_some()
            {
                removed += 1;
            }
        }
        _ => {}
    }
    // XFA: the fields are what shows once it is gone.
    let form = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"AcroForm").ok())
        .cloned();
    match form {
        Some(Object::Reference(r)) => {
            if let Ok(d) = doc.get_dictionary_mut(r) {
                d.remove(b"XFA");
            }
        }
        Some(Object::Dictionary(_)) => {
            if let Ok(c) = doc.catalog_mut()
                && let Ok(Object::Dictionary(d)) = c.get_mut(b"AcroForm")
            {
                d.remove(b"XFA");
            }
        }
        _ => {}
    }
    if let Ok(c) = doc.catalog_mut() {
        c.remove(b"NeedsRendering");
    }
    removed
}
