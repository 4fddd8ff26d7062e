//! Filling PDF blanketter: values read back, appearances a viewer that ignores
//! `NeedAppearances` prints, scripts and XFA gone, a dynamic XFA form refused, flattening.
//! Checked with the tools a printer's path uses: qpdf, pdftotext and pdftoppm (poppler).

mod common;

use std::path::Path;
use std::process::Command;

use common::blankett::{NAME_BOX, Variant, make};
use etjanst::blankett::{self, BlankettError, FieldKind, FillOptions, FormKind, Value, Values};
use lopdf::{Document, Object};

fn values() -> Values {
    [
        ("sokande.namn", Value::Text("Åsa Ängström".into())),
        (
            "beskrivning",
            Value::Text(
                "Łukasz Şahin hjälper till. Trappan till entrén behöver en ramp och ledstänger på båda sidor."
                    .into(),
            ),
        ),
        ("personnummer", Value::Text("1212121212".into())),
        ("intyg", Value::Ticked(true)),
        ("boende", Value::Text("Bostadsratt".into())),
        ("kommun", Value::Text("Nora".into())),
        ("form1[0].sida1[0].postnr[0]", Value::Text("711 30".into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn qpdf_check(path: &Path) {
    let out = Command::new("qpdf")
        .args(["--check", path.to_str().unwrap()])
        .output()
        .expect("qpdf");
    assert!(
        out.status.success(),
        "qpdf --check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Page 1 rendered at 72 dpi in grey: width, height and one byte a pixel (from the top left).
/// `tag` names the image beside the PDF.
fn grey_page(path: &Path, tag: &str) -> (usize, usize, Vec<u8>) {
    let stem = path.file_stem().unwrap().to_string_lossy();
    let prefix = path.with_file_name(format!("{stem}-{tag}"));
    let status = Command::new("pdftoppm")
        .args(["-r", "72", "-f", "1", "-l", "1", "-gray", "-singlefile"])
        .arg(path)
        .arg(&prefix)
        .status()
        .expect("pdftoppm");
    assert!(status.success());
    let pgm = std::fs::read(format!("{}.pgm", prefix.display())).unwrap();
    // "P5\n<w> <h>\n255\n" then one byte a pixel.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..i]).into_owned());
    }
    let (w, h) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, pgm[i + 1..].to_vec())
}

/// The share of dark pixels inside `rect` (PDF points) of page 1 rendered at 72 dpi.
fn dark_share(path: &Path, rect: [f32; 4]) -> f32 {
    let (w, h, pixels) = grey_page(path, "share");
    let [x, y, rw, rh] = rect;
    let (x0, x1) = (x as usize + 3, (x + rw) as usize - 3);
    let (y0, y1) = (h - (y + rh) as usize + 3, h - y as usize - 3);
    let mut dark = 0;
    let mut all = 0;
    for row in y0..y1 {
        for col in x0..x1 {
            all += 1;
            if pixels[row * w + col] < 128 {
                dark += 1;
            }
        }
    }
    dark as f32 / all as f32
}

#[test]
fn the_fields_of_each_kind_are_read_with_their_names_states_and_formats() {
    let b = blankett::inspect(&make(Variant::Fields)).unwrap();
    assert_eq!(b.kind, FormKind::Fields);
    assert!(b.fillable());
    let by = |n: &str| {
        b.fields
            .iter()
            .find(|f| f.name == n)
            .unwrap_or_else(|| panic!("no field {n}: {:?}", b.fields))
    };
    assert_eq!(by("sokande.namn").kind, FieldKind::Text);
    assert_eq!(by("sokande.namn").label.as_deref(), Some("Sökandens namn"));
    assert!(by("beskrivning").multiline);
    let pnr = by("personnummer");
    assert!(pnr.comb && pnr.max_len == Some(10));
    assert_eq!(pnr.format, Some(etjanst::ids::Format::Personnummer));
    let intyg = by("intyg");
    assert_eq!(intyg.kind, FieldKind::Check);
    assert_eq!(intyg.options[0].value, "Ja", "the check box's own on-state");
    let boende = by("boende");
    assert_eq!(boende.kind, FieldKind::Radio);
    assert_eq!(
        boende
            .options
            .iter()
            .map(|c| c.value.as_str())
            .collect::<Vec<_>>(),
        ["Hyresratt", "Bostadsratt", "Villa"]
    );
    let kommun = by("kommun");
    assert_eq!(kommun.kind, FieldKind::Choice);
    assert_eq!(kommun.options[1].label, "Nora");
    assert_eq!(
        by("form1[0].sida1[0].postnr[0]").format,
        Some(etjanst::ids::Format::PostalCode)
    );
}

#[test]
fn filled_values_read_back_and_every_filled_widget_has_its_appearance() {
    let dir = tempfile::tempdir().unwrap();
    let filled = blankett::fill(&make(Variant::Fields), &values(), FillOptions::default()).unwrap();
    let path = write(dir.path(), "ifylld.pdf", &filled);
    qpdf_check(&path);

    // Reopened: the same values.
    let again = blankett::inspect(&filled).unwrap();
    let value = |n: &str| {
        again
            .fields
            .iter()
            .find(|f| f.name == n)
            .and_then(|f| f.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(value("sokande.namn"), "Åsa Ängström");
    assert!(value("beskrivning").starts_with("Łukasz Şahin"));
    assert_eq!(value("personnummer"), "1212121212");
    assert_eq!(value("intyg"), "Ja", "ticked means the box's own /Ja");
    assert_eq!(value("boende"), "Bostadsratt");
    assert_eq!(value("kommun"), "1884", "a choice stores its export value");
    assert_eq!(value("form1[0].sida1[0].postnr[0]"), "711 30");

    // Every widget of a filled field carries /AP /N, and buttons their state.
    let doc = Document::load_mem(&filled).unwrap();
    let mut widgets = 0;
    for o in doc.objects.values() {
        let Object::Dictionary(d) = o else { continue };
        if d.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(b"Widget") {
            continue;
        }
        widgets += 1;
        let ap = d.get(b"AP").expect("a filled widget without /AP");
        let ap = doc.dereference(ap).unwrap().1.as_dict().unwrap();
        assert!(ap.has(b"N"), "a widget without /AP /N");
    }
    assert_eq!(widgets, 9);
    assert!(!String::from_utf8_lossy(&filled).contains("NeedAppearances"));

    // A viewer that draws appearances only (poppler here) shows the values, in any script.
    let text = pdftotext(&path);
    for expected in ["Åsa Ängström", "Łukasz Şahin", "Nora", "711 30"] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert!(
        dark_share(&path, NAME_BOX) > 0.02,
        "the name is not drawn in its box"
    );
    // Unfilled, the same box is empty.
    let blank = write(dir.path(), "tom.pdf", &make(Variant::Fields));
    assert!(dark_share(&blank, NAME_BOX) < 0.005);
}

#[test]
fn flattened_the_values_are_page_content_and_no_field_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let flat = blankett::fill(
        &make(Variant::Fields),
        &values(),
        FillOptions { flatten: true },
    )
    .unwrap();
    let path = write(dir.path(), "platt.pdf", &flat);
    qpdf_check(&path);
    let b = blankett::inspect(&flat).unwrap();
    assert!(b.fields.is_empty() && b.kind == FormKind::Plain);
    let doc = Document::load_mem(&flat).unwrap();
    assert!(doc.objects.values().all(|o| {
        o.as_dict()
            .map(|d| d.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(b"Widget"))
            .unwrap_or(true)
    }));
    let text = pdftotext(&path);
    for expected in ["Åsa Ängström", "Łukasz Şahin"] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    // The comb's digits, one a box.
    let compact: String = text.split_whitespace().collect();
    assert!(compact.contains("1212121212"), "{text}");
    assert!(dark_share(&path, NAME_BOX) > 0.02);
}

#[test]
fn scripts_and_hybrid_xfa_are_removed_and_dynamic_xfa_is_refused() {
    let with_js = make(Variant::WithScripts);
    assert!(blankett::inspect(&with_js).unwrap().scripts);
    let filled = blankett::fill(&with_js, &values(), FillOptions::default()).unwrap();
    let raw = String::from_utf8_lossy(&filled).into_owned();
    let doc = Document::load_mem(&filled).unwrap();
    assert!(!blankett::inspect(&filled).unwrap().scripts, "scripts left");
    assert!(!raw.contains("JavaScript"));
    assert!(doc.catalog().unwrap().get(b"OpenAction").is_err());

    let hybrid = make(Variant::HybridXfa);
    assert_eq!(
        blankett::inspect(&hybrid).unwrap().kind,
        FormKind::HybridXfa
    );
    let filled = blankett::fill(&hybrid, &values(), FillOptions::default()).unwrap();
    let b = blankett::inspect(&filled).unwrap();
    assert_eq!(b.kind, FormKind::Fields, "the XFA is gone, the fields stay");

    let dynamic = make(Variant::DynamicXfa);
    let b = blankett::inspect(&dynamic).unwrap();
    assert_eq!(b.kind, FormKind::DynamicXfa);
    assert!(!b.fillable());
    etjanst::i18n::set_language(etjanst::fill::Lang::Sv);
    let e = blankett::fill(&dynamic, &Values::new(), FillOptions::default()).unwrap_err();
    assert!(matches!(e, BlankettError::DynamicXfa));
    assert!(e.to_string().contains("Skriv ut den tom"), "{e}");

    // No fields: printed as it is.
    let plain = make(Variant::Plain);
    assert_eq!(blankett::inspect(&plain).unwrap().kind, FormKind::Plain);
    assert_eq!(
        blankett::fill(&plain, &Values::new(), FillOptions::default()).unwrap(),
        plain
    );
}

#[test]
fn wrong_values_are_refused_naming_the_field() {
    let pdf = make(Variant::Fields);
    let one = |k: &str, v: Value| -> Values { [(k.to_string(), v)].into_iter().collect() };
    let cases = [
        (one("finns.inte", Value::Text("x".into())), "finns.inte"),
        (one("kommun", Value::Text("Stockholm".into())), "kommun"),
        (one("boende", Value::Text("Slott".into())), "boende"),
        (
            one("personnummer", Value::Text("19121212-1212".into())),
            "personnummer",
        ),
    ];
    for (values, field) in cases {
        let e = blankett::fill(&pdf, &values, FillOptions::default()).unwrap_err();
        assert!(e.to_string().contains(field), "{e}");
    }
    // Formats come from the names, checked as in a form.
    let b = blankett::inspect(&pdf).unwrap();
    let mut v = values();
    v.insert("personnummer".into(), Value::Text("1212121213".into()));
    v.insert(
        "form1[0].sida1[0].postnr[0]".into(),
        Value::Text("7113".into()),
    );
    let sv = etjanst::fill::Lang::Sv;
    let problems = blankett::check(&b, &v, common::today(), sv);
    let named: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(named, ["personnummer", "form1[0].sida1[0].postnr[0]"]);
    assert!(
        problems[0].message.contains("Kontrollsiffran"),
        "{problems:?}"
    );
    assert!(blankett::check(&b, &values(), common::today(), sv).is_empty());
}

#[test]
fn an_unchecked_box_and_an_emptied_radio_are_off() {
    let pdf = make(Variant::Fields);
    let first = blankett::fill(&pdf, &values(), FillOptions::default()).unwrap();
    let mut v = Values::new();
    v.insert("intyg".into(), Value::Ticked(false));
    v.insert("boende".into(), Value::Text(String::new()));
    let second = blankett::fill(&first, &v, FillOptions::default()).unwrap();
    let b = blankett::inspect(&second).unwrap();
    for n in ["intyg", "boende"] {
        let f = b.fields.iter().find(|f| f.name == n).unwrap();
        assert_eq!(f.value.as_deref(), Some("Off"), "{n}");
    }
    // The first fill's other values stay.
    let name = b.fields.iter().find(|f| f.name == "sokande.namn").unwrap();
    assert_eq!(name.value.as_deref(), Some("Åsa Ängström"));
}

/// The command line on the embedded catalogue's blanketter, as a newcomer types it.
#[test]
fn the_command_lists_fills_and_saves_blanketter() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let out = common::etjanst(
        dir,
        &["--lang", "sv", "blankett", "fields", "bostadsanpassning"],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let listed = common::stdout(&out);
    assert!(listed.contains("personnummer\ttext"), "{listed}");
    assert!(
        listed.contains("intyg_fran_arbetsterapeut_bifogas\tkryssruta\tJa"),
        "{listed}"
    );
    assert!(listed.contains("(flera rader)"), "{listed}");

    let values = write(
        dir,
        "varden.json",
        r#"{"sokandens_namn": "Åsa Ängström", "personnummer": "121212-1212",
            "intyg_fran_arbetsterapeut_bifogas": true,
            "vilka_atgarder_soker_du_bidrag_for": "Ramp vid entrén. Łukasz Şahin hjälper till."}"#
            .as_bytes(),
    );
    let pdf = dir.join("ifylld.pdf");
    let out = common::etjanst(
        dir,
        &[
            "blankett",
            "fill",
            "bostadsanpassning",
            "--values",
            values.to_str().unwrap(),
            "-o",
            pdf.to_str().unwrap(),
            "--flatten",
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    qpdf_check(&pdf);
    let text = pdftotext(&pdf);
    assert!(
        text.contains("Åsa Ängström") && text.contains("Łukasz Şahin"),
        "{text}"
    );
    assert!(
        blankett::inspect(&std::fs::read(&pdf).unwrap())
            .unwrap()
            .fields
            .is_empty()
    );

    // A wrong personnummer: refused, saying which field and why, and nothing written.
    let wrong = write(dir, "fel.json", br#"{"personnummer": "121212-1213"}"#);
    let none = dir.join("inget.pdf");
    let out = common::etjanst(
        dir,
        &[
            "--lang",
            "sv",
            "blankett",
            "fill",
            "bostadsanpassning",
            "--values",
            wrong.to_str().unwrap(),
            "-o",
            none.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(
        err.contains("personnummer") && err.contains("Kontrollsiffran"),
        "{err}"
    );
    assert!(!none.exists());

    // A print-only blankett says so, and is still saved as it is.
    let out = common::etjanst(
        dir,
        &["--lang", "sv", "blankett", "fields", "medborgarforslag"],
    );
    assert!(
        common::stdout(&out).contains("inga fält"),
        "{}",
        common::stdout(&out)
    );
    let saved = dir.join("medborgarforslag.pdf");
    let out = common::etjanst(
        dir,
        &[
            "blankett",
            "medborgarforslag",
            "-o",
            saved.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(std::fs::read(&saved).unwrap().starts_with(b"%PDF"));
}

/// A blankett as LibreOffice Writer exports one (scripts/make-lo-blankett.py): its fields are
/// read, filled, read back and drawn like the suite's own.
#[test]
fn a_libreoffice_blankett_is_filled_like_a_suite_made_one() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/blanketter/libreoffice-form.pdf"
    ))
    .unwrap();
    let b = blankett::inspect(&pdf).unwrap();
    assert!(b.fillable());
    let kinds: Vec<(&str, FieldKind)> =
        b.fields.iter().map(|f| (f.name.as_str(), f.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("Namn", FieldKind::Text),
            ("Personnummer", FieldKind::Text),
            ("Beskrivning", FieldKind::Text),
            ("Intyg", FieldKind::Check),
            ("Boende", FieldKind::Radio),
            ("Kommun", FieldKind::Choice),
        ]
    );
    let intyg = b.fields.iter().find(|f| f.name == "Intyg").unwrap();
    assert_eq!(intyg.options[0].value, "Ja", "LibreOffice's own on-state");
    let values: Values = [
        ("Namn", Value::Text("Åsa Ängström".into())),
        ("Personnummer", Value::Text("121212-1212".into())),
        (
            "Beskrivning",
            Value::Text("Łukasz Şahin\nhjälper till.".into()),
        ),
        ("Intyg", Value::Ticked(true)),
        ("Boende", Value::Text("Villa".into())),
        ("Kommun", Value::Text("Nora".into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let filled = blankett::fill(&pdf, &values, FillOptions::default()).unwrap();
    let path = write(dir.path(), "lo-ifylld.pdf", &filled);
    qpdf_check(&path);
    let again = blankett::inspect(&filled).unwrap();
    let value = |n: &str| {
        again
            .fields
            .iter()
            .find(|f| f.name == n)
            .and_then(|f| f.value.clone())
    };
    assert_eq!(value("Namn").as_deref(), Some("Åsa Ängström"));
    assert_eq!(value("Intyg").as_deref(), Some("Ja"));
    assert_eq!(value("Boende").as_deref(), Some("Villa"));
    assert_eq!(value("Kommun").as_deref(), Some("Nora"));
    let text = pdftotext(&path);
    for expected in ["Åsa Ängström", "121212-1212", "Łukasz Şahin", "Nora"] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    let flat = blankett::fill(&pdf, &values, FillOptions { flatten: true }).unwrap();
    let flat_path = write(dir.path(), "lo-platt.pdf", &flat);
    qpdf_check(&flat_path);
    assert!(blankett::inspect(&flat).unwrap().fields.is_empty());
    assert!(pdftotext(&flat_path).contains("Åsa Ängström"));
}

/// The rows and columns (pixels at 72 dpi, from the page's top left) that hold dark pixels
/// inside `rect` (PDF points) of page 1: their spans across and down.
fn dark_spans(path: &Path, rect: [f32; 4]) -> (usize, usize) {
    let (w, h, pixels) = grey_page(path, "spans");
    let [x, y, rw, rh] = rect;
    let (mut cols, mut rows) = (Vec::new(), Vec::new());
    for row in h - (y + rh) as usize + 2..h - y as usize - 2 {
        for col in x as usize + 2..(x + rw) as usize - 2 {
            if pixels[row * w + col] < 128 {
                cols.push(col);
                rows.push(row);
            }
        }
    }
    let span = |v: &[usize]| v.iter().max().unwrap_or(&0) - v.iter().min().unwrap_or(&0);
    (span(&cols), span(&rows))
}

#[test]
fn a_field_turned_a_quarter_shows_its_value_along_its_length() {
    // The name field made tall and narrow in the empty right margin and turned 90° (/MK /R 90).
    let mut doc = Document::load_mem(&make(Variant::Fields)).unwrap();
    let tall = [540.0_f32, 60.0, 30.0, 220.0];
    for object in doc.objects.values_mut() {
        if let Object::Dictionary(d) = object
            && d.get(b"T").ok().and_then(|t| t.as_str().ok()) == Some(b"namn".as_slice())
        {
            let [x, y, w, h] = tall;
            d.set(
                "Rect",
                Object::Array(vec![x.into(), y.into(), (x + w).into(), (y + h).into()]),
            );
            d.set("MK", lopdf::dictionary! { "R" => 90 });
            // A fixed size, so that the value's own extent shows which way it runs.
            d.set(
                "DA",
                Object::String(b"/Helv 12 Tf 0 g".to_vec(), lopdf::StringFormat::Literal),
            );
        }
    }
    let mut turned = Vec::new();
    doc.save_to(&mut turned).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for flatten in [false, true] {
        let filled = blankett::fill(&turned, &values(), FillOptions { flatten }).unwrap();
        let path = write(dir.path(), &format!("turned-{flatten}.pdf"), &filled);
        qpdf_check(&path);
        let (across, down) = dark_spans(&path, tall);
        assert!(
            down > 50 && across < 20,
            "flatten {flatten}: the value does not run up the field: {across} px across, {down} down"
        );
    }
}

/// lopdf's Brotli decoder is brotli-decompressor 6 standing in for the 5 it asks for
/// (`shims/brotli-decompressor-5`): a stream compressed so still reads back.
#[test]
fn a_brotli_compressed_stream_reads_back() {
    let plain = b"BT /Helv 12 Tf (Asa Angstrom) Tj ET ".repeat(40);
    let mut packed = Vec::new();
    brotli::BrotliCompress(
        &mut &plain[..],
        &mut packed,
        &brotli::enc::BrotliEncoderParams::default(),
    )
    .unwrap();
    assert!(packed.len() < plain.len() / 4, "{} bytes", packed.len());
    let stream = lopdf::Stream::new(lopdf::dictionary! { "Filter" => "BrotliDecode" }, packed);
    assert_eq!(stream.decompressed_content().unwrap(), plain);
}
