//! Flattening: each widget's appearance drawn into its page's content, and the fields gone.
//! What is left prints and reads the same everywhere and can no longer be changed in a viewer.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::BlankettError;
use super::fields::{deref, dict};

/// The appearance stream a widget shows now: `/AP /N`, or its state `/AS` within it.
fn shown_appearance(doc: &Document, widget: &Dictionary) -> Option<ObjectId> {
    let n = widget
        .get(b"AP")
        .ok()
        .and_then(|ap| dict(doc, ap))?
        .get(b"N")
        .ok()?;
    match n {
        Object::Reference(r) => match doc.get_object(*r).ok()? {
            Object::Stream(_) => Some(*r),
            Object::Dictionary(states) => {
                let state = widget.get(b"AS").ok()?.as_name().ok()?;
                states.get(state).ok()?.as_reference().ok()
            }
            _ => None,
        },
        Object::Dictionary(states) => {
            let state = widget.get(b"AS").ok()?.as_name().ok()?;
            states.get(state).ok()?.as_reference().ok()
        }
        _ => None,
    }
}

fn numbers(o: Option<&Object>, doc: &Document) -> Option<Vec<f32>> {
    match deref(doc, o?) {
        Object::Array(a) => Some(
            a.iter()
                .filter_map(|x| deref(doc, x).as_float().ok())
                .collect(),
        ),
        _ => None,
    }
}

/// The matrix that puts a form XObject's box on the widget's rectangle (PDF 32000-1, 12.5.5):
/// its `/BBox` through its `/Matrix`, then scaled and moved onto `/Rect`.
fn placement(doc: &Document, widget: &Dictionary, form: &Stream) -> Option<[f32; 6]> {
    let rect = numbers(widget.get(b"Rect").ok(), doc).filter(|r| r.len() == 4)?;
    let bbox = numbers(form.dict.get(b"BBox").ok(), doc).filter(|b| b.len() == 4)?;
    let m = numbers(form.dict.get(b"Matrix").ok(), doc)
        .filter(|m| m.len() == 6)
        .unwrap_or_else(|| vec![1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    let corners = [
        (bbox[0], bbox[1]),
        (bbox[2], bbox[1]),
        (bbox[0], bbox[3]),
        (bbox[2], bbox[3]),
    ]
    .map(|(x, y)| (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]));
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for (x, y) in corners {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    let (rx0, ry0) = (rect[0].min(rect[2]), rect[1].min(rect[3]));
    let (rw, rh) = ((rect[2] - rect[0]).abs(), (rect[3] - rect[1]).abs());
    let (bw, bh) = (x1 - x0, y1 - y0);
    if bw <= 0.0 || bh <= 0.0 {
        return None;
    }
    let (a, d) = (rw / bw, rh / bh);
    Some([a, 0.0, 0.0, d, rx0 - x0 * a, ry0 - y0 * d])
}

/// Draws every widget of `widgets` into its page and removes the widgets and the form.
pub(crate) fn flatten(doc: &mut Document, widgets: &[ObjectId]) -> Result<(), BlankettError> {
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    for (page_no, page) in pages.into_iter().enumerate() {
        let annots: Vec<Object> = match doc
            .get_dictionary(page)
            .ok()
            .and_then(|p| p.get(b"Annots").ok())
            .map(|a| deref(doc, a).clone())
        {
            Some(Object::Array(a)) => a,
            _ => continue,
        };
        let mut kept = Vec::new();
        let mut drawing = String::new();
        let mut xobjects = Dictionary::new();
        for (i, a) in annots.into_iter().enumerate() {
            let Ok(id) = a.as_reference() else {
                kept.push(a);
                continue;
            };
            let is_widget = doc
                .get_dictionary(id)
                .is_ok_and(|d| d.get(b"Subtype").and_then(|s| s.as_name()).ok() == Some(b"Widget"));
            if !is_widget || !widgets.contains(&id) {
                kept.push(a);
                continue;
            }
            let w = doc
                .get_dictionary(id)
                .map_err(|e| BlankettError::Write(e.to_string()))?;
            // Hidden (bit 2) and no-view (bit 6) widgets are not drawn.
            let flags = w.get(b"F").and_then(|f| f.as_i64()).unwrap_or(0);
            if flags & (1 << 1) != 0 || flags & (1 << 5) != 0 {
                continue;
            }
            let Some(ap) = shown_appearance(doc, w) else {
                continue;
            };
            let Ok(Object::Stream(form)) = doc.get_object(ap) else {
                continue;
            };
            let Some(m) = placement(doc, w, form) else {
                continue;
            };
            let name = format!("EtjFlat{page_no}x{i}");
            drawing.push_str(&format!(
                "q {} {} {} {} {} {} cm /{name} Do Q\n",
                m[0], m[1], m[2], m[3], m[4], m[5]
            ));
            xobjects.set(name.as_bytes(), Object::Reference(ap));
        }
        // The appearances become form XObjects of the page.
        let aps: Vec<ObjectId> = xobjects
            .iter()
            .filter_map(|(_, v)| v.as_reference().ok())
            .collect();
        for ap in aps {
            if let Ok(Object::Stream(s)) = doc.get_object_mut(ap) {
                s.dict.set("Type", Object::Name(b"XObject".to_vec()));
                s.dict.set("Subtype", Object::Name(b"Form".to_vec()));
            }
        }
        if !drawing.is_empty() {
            add_xobjects(doc, page, xobjects)?;
            // The page's own content may leave its graphics state changed: it is wrapped.
            let before = doc.add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
            let after = doc.add_object(Stream::new(
                Dictionary::new(),
                format!("Q\n{drawing}").into_bytes(),
            ));
            let p = doc
                .get_dictionary_mut(page)
                .map_err(|e| BlankettError::Write(e.to_string()))?;
            let mut contents = vec![Object::Reference(before)];
            match p.get(b"Contents") {
                Ok(Object::Array(a)) => contents.extend(a.iter().cloned()),
                Ok(o) => contents.push(o.clone()),
                Err(_) => {}
            }
            contents.push(Object::Reference(after));
            p.set("Contents", Object::Array(contents));
        }
        let p = doc
            .get_dictionary_mut(page)
            .map_err(|e| BlankettError::Write(e.to_string()))?;
        if kept.is_empty() {
            p.remove(b"Annots");
        } else {
            p.set("Annots", Object::Array(kept));
        }
    }
    if let Ok(c) = doc.catalog_mut() {
        c.remove(b"AcroForm");
    }
    Ok(())
}

/// Adds `xobjects` to the page's resources, making the page its own resource dictionary
/// when it shares or inherits one (the others pages then keep theirs unchanged).
fn add_xobjects(
    doc: &mut Document,
    page: ObjectId,
    xobjects: Dictionary,
) -> Result<(), BlankettError> {
    let mut resources = match doc
        .get_dictionary(page)
        .ok()
        .and_then(|p| p.get(b"Resources").ok())
        .map(|r| deref(doc, r).clone())
    {
        Some(Object::Dictionary(d)) => d,
        _ => inherited_resources(doc, page).unwrap_or_default(),
    };
    let mut xo = match resources.get(b"XObject").map(|x| deref(doc, x).clone()) {
        Ok(Object::Dictionary(d)) => d,
        _ => Dictionary::new(),
    };
    for (k, v) in xobjects.iter() {
        xo.set(k.clone(), v.clone());
    }
    resources.set("XObject", Object::Dictionary(xo));
    doc.get_dictionary_mut(page)
        .map_err(|e| BlankettError::Write(e.to_string()))?
        .set("Resources", Object::Dictionary(resources));
    Ok(())
}

fn inherited_resources(doc: &Document, page: ObjectId) -> Option<Dictionary> {
    let mut node = doc.get_dictionary(page).ok()?;
    for _ in 0..32 {
        let parent = node.get(b"Parent").ok()?.as_reference().ok()?;
        node = doc.get_dictionary(parent).ok()?;
        if let Ok(r) = node.get(b"Resources")
            && let Object::Dictionary(d) = deref(doc, r)
        {
            return Some(d.clone());
        }
    }
    None
}
