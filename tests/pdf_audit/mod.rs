//! An independent audit of a written PDF against the PDF/UA-1 and PDF/A-2a rules etjanst's
//! documents touch. It reads the file through `qpdf --json` (every object, streams decoded),
//! never through etjanst's own code, so a mistake in the writer cannot hide itself here.
//!
//! Checked: catalog (language, marked, title shown, structure tree, metadata, output intent
//! with an RGB display profile), trailer id and no encryption, XMP claims (pdfaid 2/A,
//! pdfuaid 1 with its extension schema) that agree with the info dictionary, no transparency,
//! no interpolated images, no scripts; every font a Type 0 over an embedded CIDFontType2 with
//! a CIDToGIDMap, a ToUnicode map and widths equal to the embedded program's advances; in
//! every content stream, every text, path and image inside either an artifact or a
//! marked-content sequence with an MCID; every MCID owned by exactly one structure element
//! through the parent tree and back; standard structure types only, figures with alternate
//! text, headings that start at H1 and never skip a level.

use std::collections::{HashMap, HashSet};
use std::process::Command;

use base64::Engine;
use serde_json::Value;

struct Doc {
    objects: HashMap<String, Value>,
    trailer: Value,
}

impl Doc {
    fn load(path: &str) -> Doc {
        let out = Command::new("qpdf")
            .args([
                "--json=2",
                "--json-stream-data=inline",
                "--decode-level=generalized",
                path,
                "-",
            ])
            .output()
            .expect("qpdf is needed (apt-get install qpdf)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut objects: HashMap<String, Value> = json["qpdf"][1]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let trailer = objects.remove("trailer").unwrap()["value"].clone();
        Doc { objects, trailer }
    }

    /// The object a value refers to (or the value itself when it is direct).
    fn get<'a>(&'a self, v: &'a Value) -> &'a Value {
        match v.as_str() {
            Some(s) if s.ends_with(" R") => {
                let o = &self.objects[&format!("obj:{s}")];
                if let Some(stream) = o.get("stream") {
                    &stream["dict"]
                } else {
                    &o["value"]
                }
            }
            _ => v,
        }
    }

    fn stream(&self, r: &Value) -> Vec<u8> {
        let o = &self.objects[&format!("obj:{}", r.as_str().unwrap())];
        let data = o["stream"]["data"].as_str().unwrap_or("");
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap()
    }

    fn stream_dict(&self, r: &Value) -> &Value {
        &self.objects[&format!("obj:{}", r.as_str().unwrap())]["stream"]["dict"]
    }
}

fn text(v: &Value) -> String {
    let s = v.as_str().unwrap_or("");
    if let Some(t) = s.strip_prefix("u:") {
        t.to_string()
    } else if let Some(h) = s.strip_prefix("b:") {
        String::from_utf8_lossy(&hex::decode(h).unwrap()).into_owned()
    } else {
        s.to_string()
    }
}

const STANDARD_TYPES: &[&str] = &[
    "/Document",
    "/Part",
    "/Art",
    "/Sect",
    "/Div",
    "/BlockQuote",
    "/Caption",
    "/TOC",
    "/TOCI",
    "/Index",
    "/NonStruct",
    "/Private",
    "/P",
    "/H",
    "/H1",
    "/H2",
    "/H3",
    "/H4",
    "/H5",
    "/H6",
    "/L",
    "/LI",
    "/Lbl",
    "/LBody",
    "/Table",
    "/TR",
    "/TH",
    "/TD",
    "/THead",
    "/TBody",
    "/TFoot",
    "/Span",
    "/Quote",
    "/Note",
    "/Reference",
    "/BibEntry",
    "/Code",
    "/Link",
    "/Annot",
    "/Ruby",
    "/Warichu",
    "/Figure",
    "/Formula",
    "/Form",
];

/// Audits the PDF at `path`; panics with every problem found.
pub fn audit(path: &str) {
    let doc = Doc::load(path);
    let mut problems = Vec::new();
    let mut fail = |p: String| problems.push(p);

    // Trailer and catalog.
    let trailer = &doc.trailer;
    if trailer.get("/Encrypt").is_some() {
        fail("encrypted".into());
    }
    match trailer.get("/ID").and_then(Value::as_array) {
        Some(id) if id.len() == 2 => {}
        _ => fail("trailer has no /ID pair (PDF/A 6.1.3)".into()),
    }
    let catalog = doc.get(&trailer["/Root"]);
    if text(&catalog["/Lang"]).is_empty() {
        fail("no /Lang".into());
    }
    if catalog["/MarkInfo"]["/Marked"] != Value::Bool(true) {
        fail("not /Marked".into());
    }
    if doc.get(&catalog["/ViewerPreferences"])["/DisplayDocTitle"] != Value::Bool(true) {
        fail("title not shown (/DisplayDocTitle)".into());
    }
    for key in ["/AA", "/OpenAction", "/Names", "/AcroForm"] {
        if catalog.get(key).is_some() {
            fail(format!("catalog has {key}"));
        }
    }
    let intents = catalog["/OutputIntents"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let pdfa = intents
        .iter()
        .map(|i| doc.get(i))
        .find(|i| i["/S"] == "/GTS_PDFA1");
    match pdfa {
        None => fail("no GTS_PDFA1 output intent".into()),
        Some(intent) => {
            let profile_ref = &intent["/DestOutputProfile"];
            let icc = doc.stream(profile_ref);
            let n = &doc.stream_dict(profile_ref)["/N"];
            if icc.len() < 128 || &icc[36..40] != b"acsp" {
                fail("output intent profile is not ICC".into());
            } else if !matches!(&icc[12..16], b"mntr" | b"prtr") || &icc[16..20] != b"RGB " {
                fail("output intent profile is not an RGB output profile".into());
            }
            if n != 3 {
                fail(format!("output intent /N {n}"));
            }
        }
    }

    // Metadata agrees with the info dictionary and claims both standards.
    let meta_ref = &catalog["/Metadata"];
    if doc.stream_dict(meta_ref).get("/Filter").is_some() {
        fail("metadata stream is filtered".into());
    }
    let xmp = String::from_utf8(doc.stream(meta_ref)).unwrap();
    for (what, needle) in [
        ("pdfaid:part 2", "<pdfaid:part>2</pdfaid:part>"),
        (
            "pdfaid:conformance A",
            "<pdfaid:conformance>A</pdfaid:conformance>",
        ),
        ("pdfuaid:part 1", "<pdfuaid:part>1</pdfuaid:part>"),
        (
            "pdfuaid extension schema",
            "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>",
        ),
    ] {
        if !xmp.contains(needle) {
            fail(format!("XMP lacks {what}"));
        }
    }
    let info = doc.get(&trailer["/Info"]);
    let title = text(&info["/Title"]);
    if title.is_empty() {
        fail("no title".into());
    }
    let dc_title = xmp
        .split("<dc:title>")
        .nth(1)
        .and_then(|t| t.split("</rdf:li>").next())
        .and_then(|t| t.rsplit('>').next())
        .unwrap_or("");
    if dc_title != title.replace('&', "&amp;").replace('<', "&lt;") {
        fail(format!("Info /Title {title:?} but dc:title {dc_title:?}"));
    }

    // Whole-file rules.
    for (id, o) in &doc.objects {
        let dict = o.get("stream").map(|s| &s["dict"]).unwrap_or(&o["value"]);
        if dict.get("/SMask").is_some()
            || dict["/S"] == "/Transparency"
            || dict
                .get("/CA")
                .and_then(Value::as_f64)
                .is_some_and(|a| a < 1.0)
            || dict
                .get("/ca")
                .and_then(Value::as_f64)
                .is_some_and(|a| a < 1.0)
        {
            fail(format!("{id}: transparency"));
        }
        if dict["/Interpolate"] == Value::Bool(true) {
            fail(format!("{id}: interpolated image"));
        }
        if dict["/S"] == "/JavaScript" || dict.get("/JS").is_some() {
            fail(format!("{id}: script"));
        }
    }

    // Fonts.
    let pages: Vec<Value> = doc.get(&catalog["/Pages"])["/Kids"]
        .as_array()
        .unwrap()
        .clone();
    let mut fonts_seen = HashSet::new();
    for page in &pages {
        let resources = doc.get(&doc.get(page)["/Resources"]);
        if let Some(fonts) = doc.get(&resources["/Font"]).as_object() {
            for r in fonts.values() {
                if fonts_seen.insert(r.as_str().unwrap().to_string()) {
                    audit_font(&doc, r, &mut fail);
                }
            }
        }
    }

    // Structure tree: walk it, noting which element owns each (page, MCID).
    let root = doc.get(&catalog["/StructTreeRoot"]);
    let mut owners: HashMap<(String, i64), Vec<String>> = HashMap::new();
    let mut headings = Vec::new();
    let mut stack: Vec<(Value, Option<String>)> = match &root["/K"] {
        Value::Array(a) => a.iter().map(|k| (k.clone(), None)).collect(),
        k => vec![(k.clone(), None)],
    };
    stack.reverse();
    let mut visited = HashSet::new();
    while let Some((r, _)) = stack.pop() {
        let id = r.as_str().unwrap_or("").to_string();
        if !visited.insert(id.clone()) {
            fail(format!("{id} reached twice in the structure tree"));
            continue;
        }
        let e = doc.get(&r);
        let kind = e["/S"].as_str().unwrap_or("").to_string();
        if !STANDARD_TYPES.contains(&kind.as_str()) {
            fail(format!("{id}: non-standard structure type {kind}"));
        }
        if kind == "/Figure" && text(&e["/Alt"]).is_empty() {
            fail(format!("{id}: figure without /Alt"));
        }
        if let Some(level) = kind.strip_prefix("/H").and_then(|l| l.parse::<u8>().ok()) {
            headings.push(level);
        }
        let page = e.get("/Pg").and_then(Value::as_str).map(str::to_string);
        let kids = match &e["/K"] {
            Value::Array(a) => a.clone(),
            Value::Null => Vec::new(),
            k => vec![k.clone()],
        };
        let mut sub = Vec::new();
        for k in kids {
            match &k {
                Value::Number(n) => match &page {
                    Some(p) => owners
                        .entry((p.clone(), n.as_i64().unwrap()))
                        .or_default()
                        .push(id.clone()),
                    None => fail(format!("{id}: MCID {n} without a page")),
                },
                Value::String(s) if s.ends_with(" R") => {
                    if doc.get(&k)["/P"] != Value::String(id.clone()) {
                        fail(format!("{s}: /P does not lead back to {id}"));
                    }
                    sub.push((k.clone(), Some(id.clone())));
                }
                Value::Object(mcr) if mcr["/Type"] == "/MCR" => {
                    let p = mcr
                        .get("/Pg")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or(page.clone());
                    match p {
                        Some(p) => owners
                            .entry((p, mcr["/MCID"].as_i64().unwrap()))
                            .or_default()
                            .push(id.clone()),
                        None => fail(format!("{id}: marked-content reference without page")),
                    }
                }
                other => fail(format!("{id}: unexpected kid {other}")),
            }
        }
        stack.extend(sub.into_iter().rev());
    }
    if headings.first() != Some(&1) {
        fail(format!("headings do not start at H1: {headings:?}"));
    }
    for w in headings.windows(2) {
        if w[1] > w[0] + 1 {
            fail(format!("heading level skipped: H{} then H{}", w[0], w[1]));
        }
    }

    // Content: every drawing is tagged or an artifact; every MCID is owned exactly once and
    // the parent tree agrees.
    let parent_tree = doc.get(&root["/ParentTree"]);
    let nums = parent_tree["/Nums"].as_array().cloned().unwrap_or_default();
    let mut parents: HashMap<i64, Vec<Value>> = HashMap::new();
    for pair in nums.chunks(2) {
        parents.insert(
            pair[0].as_i64().unwrap(),
            doc.get(&pair[1]).as_array().cloned().unwrap_or_default(),
        );
    }
    let mut used = HashSet::new();
    for page in &pages {
        let pid = page.as_str().unwrap().to_string();
        let p = doc.get(page);
        let Some(key) = p["/StructParents"].as_i64() else {
            fail(format!("{pid}: no /StructParents"));
            continue;
        };
        let contents = doc.stream(&p["/Contents"]);
        let mcids = scan_content(&contents, &pid, &mut fail);
        for mcid in mcids {
            if !used.insert((pid.clone(), mcid)) {
                fail(format!("{pid}: MCID {mcid} used twice"));
            }
            let owner = owners
                .get(&(pid.clone(), mcid))
                .cloned()
                .unwrap_or_default();
            if owner.len() != 1 {
                fail(format!("{pid}: MCID {mcid} owned by {owner:?}"));
                continue;
            }
            let from_tree = parents
                .get(&key)
                .and_then(|a| a.get(mcid as usize))
                .and_then(Value::as_str);
            if from_tree != Some(owner[0].as_str()) {
                fail(format!(
                    "{pid}: parent tree says {from_tree:?} for MCID {mcid}, tree says {}",
                    owner[0]
                ));
            }
        }
    }
    for (page, mcid) in owners.keys() {
        if !used.contains(&(page.clone(), *mcid)) {
            fail(format!(
                "{page}: structure refers to MCID {mcid} not in the content"
            ));
        }
    }

    assert!(problems.is_empty(), "{path}:\n  {}", problems.join("\n  "));
}

fn audit_font(doc: &Doc, r: &Value, fail: &mut impl FnMut(String)) {
    use skrifa::MetadataProvider;
    let id = r.as_str().unwrap();
    let font = doc.get(r);
    if font["/Subtype"] != "/Type0" {
        fail(format!("{id}: font is {} not Type0", font["/Subtype"]));
        return;
    }
    if font.get("/ToUnicode").is_none() {
        fail(format!("{id}: no ToUnicode"));
    }
    let cid = doc.get(&font["/DescendantFonts"][0]);
    if cid["/Subtype"] != "/CIDFontType2" || cid.get("/CIDToGIDMap").is_none() {
        fail(format!(
            "{id}: descendant is not a CIDFontType2 with CIDToGIDMap"
        ));
        return;
    }
    let descriptor = doc.get(&cid["/FontDescriptor"]);
    let Some(file) = descriptor.get("/FontFile2") else {
        fail(format!("{id}: font program not embedded"));
        return;
    };
    let program = doc.stream(file);
    let Ok(face) = skrifa::FontRef::new(&program) else {
        fail(format!("{id}: embedded program does not parse"));
        return;
    };
    let upem = f32::from(
        face.metrics(
            skrifa::instance::Size::unscaled(),
            skrifa::instance::LocationRef::default(),
        )
        .units_per_em,
    );
    let advances = face.glyph_metrics(
        skrifa::instance::Size::unscaled(),
        skrifa::instance::LocationRef::default(),
    );
    // CIDs reach the program's glyphs through the CIDToGIDMap: Identity, or a stream of
    // two-byte glyph ids indexed by CID.
    let gid_map = match &cid["/CIDToGIDMap"] {
        Value::String(s) if s.ends_with(" R") => Some(doc.stream(&cid["/CIDToGIDMap"])),
        _ => None,
    };
    let to_gid = |c: u32| match &gid_map {
        Some(m) => m
            .get(c as usize * 2..c as usize * 2 + 2)
            .map_or(0, |b| u32::from(u16::from_be_bytes([b[0], b[1]]))),
        None => c,
    };
    // W: [first [w w ...] first last w ...]
    let w = cid["/W"].as_array().cloned().unwrap_or_default();
    let mut i = 0;
    let mut check = |cid_: u32, width: f64| {
        let real = advances
            .advance_width(skrifa::GlyphId::new(to_gid(cid_)))
            .unwrap_or(0.0) as f64
            / f64::from(upem)
            * 1000.0;
        if cid_ != 0 && (real - width).abs() > 1.0 {
            fail(format!(
                "{id}: CID {cid_} width {width} but the font says {real:.1}"
            ));
        }
    };
    while i < w.len() {
        let first = w[i].as_u64().unwrap() as u32;
        if let Some(list) = w.get(i + 1).and_then(Value::as_array) {
            for (k, width) in list.iter().enumerate() {
                check(first + k as u32, width.as_f64().unwrap());
            }
            i += 2;
        } else {
            let last = w[i + 1].as_u64().unwrap() as u32;
            let width = w[i + 2].as_f64().unwrap();
            for c in first..=last {
                check(c, width);
            }
            i += 3;
        }
    }
}

/// Tokens of a content stream, enough to follow marked content and painting operators.
#[derive(Debug, PartialEq)]
enum Tok {
    Op(String),
    Name(String),
    Other,
    DictStart,
    DictEnd,
    Int(i64),
}

fn tokens(data: &[u8]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    let delim = |b: u8| b"()<>[]{}/%".contains(&b) || b.is_ascii_whitespace();
    while i < data.len() {
        let b = data[i];
        match b {
            _ if b.is_ascii_whitespace() => i += 1,
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => {
                let mut depth = 0;
                while i < data.len() {
                    match data[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
                out.push(Tok::Other);
            }
            b'<' if data.get(i + 1) == Some(&b'<') => {
                out.push(Tok::DictStart);
                i += 2;
            }
            b'>' if data.get(i + 1) == Some(&b'>') => {
                out.push(Tok::DictEnd);
                i += 2;
            }
            b'<' => {
                while i < data.len() && data[i] != b'>' {
                    i += 1;
                }
                i += 1;
                out.push(Tok::Other);
            }
            b'[' | b']' | b'{' | b'}' => {
                i += 1;
                out.push(Tok::Other);
            }
            b'/' => {
                let start = i;
                i += 1;
                while i < data.len() && !delim(data[i]) {
                    i += 1;
                }
                out.push(Tok::Name(String::from_utf8_lossy(&data[start..i]).into()));
            }
            _ => {
                let start = i;
                while i < data.len() && !delim(data[i]) {
                    i += 1;
                }
                let word = String::from_utf8_lossy(&data[start..i]).into_owned();
                if let Ok(n) = word.parse::<i64>() {
                    out.push(Tok::Int(n));
                } else if word.parse::<f64>().is_ok() {
                    out.push(Tok::Other);
                } else {
                    out.push(Tok::Op(word));
                }
            }
        }
    }
    out
}

/// Follows marked content through a page; returns the MCIDs met.
fn scan_content(data: &[u8], page: &str, fail: &mut impl FnMut(String)) -> Vec<i64> {
    const PAINT: &[&str] = &[
        "Tj", "TJ", "'", "\"", "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Do", "sh", "BI",
    ];
    let toks = tokens(data);
    // Per open sequence: Some(true) artifact, Some(false) tagged content, None other.
    let mut open: Vec<Option<bool>> = Vec::new();
    let mut mcids = Vec::new();
    let mut operands: Vec<&Tok> = Vec::new();
    for t in &toks {
        match t {
            Tok::Op(op) => {
                match op.as_str() {
                    "BMC" | "BDC" => {
                        let tag = operands.iter().find_map(|t| match t {
                            Tok::Name(n) => Some(n.as_str()),
                            _ => None,
                        });
                        let mcid = operands
                            .windows(2)
                            .find(|w| w[0] == &Tok::Name("/MCID".into()))
                            .and_then(|w| match w[1] {
                                Tok::Int(n) => Some(*n),
                                _ => None,
                            });
                        if tag == Some("/Artifact") {
                            open.push(Some(true));
                        } else if let Some(m) = mcid {
                            if open.iter().any(Option::is_some) {
                                fail(format!("{page}: MCID {m} nested in another sequence"));
                            }
                            mcids.push(m);
                            open.push(Some(false));
                        } else {
                            open.push(None);
                        }
                    }
                    "EMC" if open.pop().is_none() => {
                        fail(format!("{page}: EMC without BMC/BDC"));
                    }
                    op if PAINT.contains(&op) && !open.iter().any(Option::is_some) => {
                        fail(format!(
                            "{page}: '{op}' outside tagged content and artifacts"
                        ));
                    }
                    _ => {}
                }
                operands.clear();
            }
            other => operands.push(other),
        }
    }
    if !open.is_empty() {
        fail(format!(
            "{page}: {} marked-content sequences left open",
            open.len()
        ));
    }
    mcids
}
