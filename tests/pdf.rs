//! Printed forms, checked with poppler and qpdf as a person's PDF reader would see them.

mod common;
mod pdf_audit;
#[path = "../benches/ten_page.rs"]
mod ten_page;

use std::path::Path;
use std::process::Command;

use etjanst::fill::{self, Answer, Answers, Form, Mode};
use etjanst::flow::{Flow, QueryKind};
use etjanst::pdf::{self, PdfOptions};

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed (apt-get install poppler-utils qpdf): {e}"));
    assert!(
        out.status.success() || name == "qpdf" && out.status.code() == Some(3),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Printed for post, with QR codes, at a fixed time (the benchmarks' options).
fn options() -> PdfOptions {
    ten_page::options()
}

/// The file rewritten by qpdf as QDF: streams uncompressed, one object per block.
fn qdf(pdf: &str) -> Vec<u8> {
    let out = tempfile::NamedTempFile::new().unwrap();
    tool(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            pdf,
            out.path().to_str().unwrap(),
        ],
    );
    std::fs::read(out.path()).unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

fn page_count(pdf: &str) -> usize {
    tool("pdfinfo", &[pdf])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints the page count")
}

/// Text as pdftotext reads it, with all runs of white space made one space.
fn text_of(pdf: &str) -> String {
    squash(&tool("pdftotext", &["-raw", "-enc", "UTF-8", pdf, "-"]))
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What of an answer must be visible on paper.
fn expected(kind: &QueryKind, answer: &Answer) -> Vec<String> {
    match answer {
        Answer::Text(t) => vec![t.clone()],
        Answer::Fields(m) => m.values().cloned().collect(),
        Answer::Choice(c) => {
            let (alts, _) = kind.alternatives().unwrap();
            let mut v: Vec<String> = c
                .selected
                .iter()
                .map(|s| alts.iter().find(|a| &a.id == s).unwrap().name.clone())
                .collect();
            v.extend(c.other.clone());
            v
        }
        Answer::Files(f) => f.iter().map(|f| f.name.clone()).collect(),
        Answer::Contact(c) => field_values(serde_json::to_value(c).unwrap()),
        Answer::Organization(o) => field_values(serde_json::to_value(o).unwrap()),
        Answer::Rows(rows) => {
            let QueryKind::RepeatingGroup(g) = kind else {
                panic!()
            };
            rows.iter()
                .flat_map(|r| {
                    r.iter().flat_map(|(id, a)| {
                        let sub = g.queries.iter().find(|q| &q.id == id).unwrap();
                        expected(&sub.kind, a)
                    })
                })
                .collect()
        }
    }
}

/// Every field of a contact or organisation block, as written.
fn field_values(block: serde_json::Value) -> Vec<String> {
    block
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn filled(flow: &Flow, answers: &mut Answers) -> Vec<u8> {
    let form = Form::new(flow);
    let report = fill::check(&form, answers, Mode::Complete, common::today());
    assert!(report.is_valid(), "{:?}", report.issues);
    pdf::filled(&form, &report.states, answers, &options()).unwrap()
}

#[test]
fn every_answer_of_every_example_is_on_paper_and_hidden_questions_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let c = common::catalogue();
    let mut hidden_checked = 0;
    for flow in c.flows() {
        let (name, mut answers) = common::example(flow);
        let path = write(
            dir.path(),
            &format!("{name}.pdf"),
            &filled(flow, &mut answers),
        );
        let text = text_of(&path);
        assert!(text.contains(&squash(&flow.name)), "{name}: title");
        assert!(text.contains("Sida 1 av"), "{name}: page numbers");
        for (id, answer) in &answers.values {
            let q = flow.query(id).unwrap();
            for value in expected(&q.kind, answer) {
                assert!(
                    text.contains(&squash(&value)),
                    "{name}: answer {value:?} of {id} is missing from the PDF"
                );
            }
        }
        let form = Form::new(flow);
        let states = form.evaluate(&mut answers);
        for (i, q) in form.queries().iter().enumerate() {
            if !states.get(i).is_visible() {
                assert!(
                    !text.contains(&squash(&q.name)),
                    "{name}: hidden question {} is printed",
                    q.id
                );
                hidden_checked += 1;
            }
        }
        // Forms that go by post end with what to sign and where to send it.
        for word in [
            "Ort och datum",
            "Namnteckning",
            "Namnförtydligande",
            "711 80",
        ] {
            assert!(text.contains(word), "{name}: {word}");
        }
    }
    assert!(hidden_checked >= 3, "the examples leave questions hidden");
}

/// The review on screen shows the core's summary rows; the paper must read the same, row for
/// row and in the same order: step, question, each line of the answer.
#[test]
fn the_paper_reads_row_for_row_as_the_review() {
    let dir = tempfile::tempdir().unwrap();
    let c = common::catalogue();
    for flow in c.flows() {
        let (name, mut answers) = common::example(flow);
        let path = write(
            dir.path(),
            &format!("{name}-rows.pdf"),
            &filled(flow, &mut answers),
        );
        let text = text_of(&path);
        let form = Form::new(flow);
        let states = form.evaluate(&mut answers);
        let mut at = 0;
        let mut rows = 0;
        for step in fill::summary(&form, &states, &answers, fill::Lang::Sv) {
            let mut expect = vec![step.name.clone()];
            for row in &step.rows {
                expect.push(row.question.clone());
                expect.extend(row.lines.iter().map(fill::SummaryLine::text));
                rows += 1;
            }
            for item in expect {
                let item = squash(&item);
                match text[at..].find(&item) {
                    Some(k) => at += k + item.len(),
                    None => panic!(
                        "{name}: {item:?} is not on the paper after {:?}",
                        &text[at.saturating_sub(80)..at]
                    ),
                }
            }
        }
        assert!(rows >= 3, "{name}: {rows} rows");
    }
}

#[test]
fn names_in_every_latin_script_survive() {
    let dir = tempfile::tempdir().unwrap();
    let c = common::catalogue();
    let mut text = String::new();
    for id in ["ekonomiskt-bistand", "matforgiftning"] {
        let flow = c.flow(id).unwrap();
        let (_, mut answers) = common::example(flow);
        let path = write(
            dir.path(),
            &format!("{id}.pdf"),
            &filled(flow, &mut answers),
        );
        text.push_str(&text_of(&path));
        let fonts = tool("pdffonts", &[&path]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty());
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            // name type encoding emb sub uni ...
            assert_eq!(
                &cols[cols.len() - 5..cols.len() - 2],
                &["yes", "yes", "yes"],
                "{row}"
            );
        }
    }
    for name in ["Åsa Öberg-Ławniczak", "Zoë Núñez", "Áile Ŋuolja", "Þórður"] {
        assert!(text.contains(name), "{name} is not in the PDF text");
    }
}

#[test]
fn pdf_is_tagged_titled_swedish_archivable_and_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    let c = common::catalogue();
    let flow = c.flow("eldstad").unwrap();
    let (_, mut answers) = common::example(flow);
    let bytes = filled(flow, &mut answers);
    let path = write(dir.path(), "eldstad.pdf", &bytes);
    let info = tool("pdfinfo", &[&path]);
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(
        info.contains("Title:           Anmälan om installation av eldstad"),
        "{info}"
    );
    // Uncompress object streams so the catalog and structure can be read.
    let plain_bytes = qdf(&path);
    let raw = String::from_utf8_lossy(&plain_bytes);
    assert!(raw.contains("/Lang (sv-SE)"), "document language");
    assert!(
        raw.contains("/DisplayDocTitle true"),
        "title shown in the window"
    );
    assert!(
        raw.contains("pdfaid:part") && raw.contains("pdfuaid:part"),
        "PDF/A and PDF/UA claimed in XMP"
    );
    assert!(raw.contains("/OutputIntents"), "PDF/A output intent");
    let check = tool("qpdf", &["--check", &path]);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );
    // Structure: headings for the form, its steps and its questions, in reading order.
    let raw_tags: Vec<&str> = ["/H1", "/H2", "/H3", "/L", "/LI", "/Figure"]
        .into_iter()
        .filter(|t| raw.contains(&format!("/S {t}")) || raw.contains(&format!("/S{t}")))
        .collect();
    assert!(
        raw_tags.len() >= 5,
        "structure elements present: {raw_tags:?}"
    );
}

#[test]
fn a_forty_page_answer_paginates_without_losing_a_line() {
    let flow: Flow = etjanst::flow::from_json(
        Path::new("lång.json"),
        r#"{"id": 1, "name": "Lång redogörelse", "contact": {"postalAddress": ["Kommunen", "711 80 Lindesberg"]},
            "steps": [{"id": 1, "name": "Redogörelse", "queries": [
              {"id": 1, "alias": "text", "name": "Beskriv", "defaultState": "VISIBLE_REQUIRED", "exported": true,
               "xsdElementName": "Text", "type": "TextArea", "maxLength": 500000}]}]}"#,
    )
    .unwrap();
    let lines: Vec<String> = (1..=2200)
        .map(|i| format!("Rad {i:04} av redogörelsen med åäö och lite mer text så att raden blir lång nog att brytas ibland"))
        .collect();
    let mut answers = Answers::default();
    answers.set("1", Some(Answer::Text(lines.join("\n"))));
    let form = Form::new(&flow);
    let report = fill::check(&form, &mut answers, Mode::Complete, common::today());
    assert!(report.is_valid(), "{:?}", report.issues);
    let mut o = options();
    o.qr = false;
    let bytes = pdf::filled(&form, &report.states, &answers, &o).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "lang.pdf", &bytes);
    let pages = page_count(&path);
    assert!(pages >= 40, "{pages} pages");
    let text = text_of(&path);
    let mut at = 0;
    for line in &lines {
        let found = text[at..]
            .find(&squash(line))
            .unwrap_or_else(|| panic!("lost: {line}"));
        at += found;
    }
    assert!(text.contains(&format!("Sida {pages} av {pages}")));
}

#[test]
fn qr_codes_scan_back_to_the_identical_case_xml() {
    let dir = tempfile::tempdir().unwrap();
    let c = common::catalogue();
    for id in ["forskoleplats", "foreningsbidrag"] {
        let flow = c.flow(id).unwrap();
        let (_, mut answers) = common::example(flow);
        let path = write(
            dir.path(),
            &format!("{id}.pdf"),
            &filled(flow, &mut answers),
        );
        let prefix = dir.path().join(id);
        tool(
            "pdftoppm",
            &["-r", "150", "-png", &path, prefix.to_str().unwrap()],
        );
        let mut pages: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "png")
                    && p.file_name().unwrap().to_string_lossy().starts_with(id)
            })
            .collect();
        pages.sort();
        let images: Vec<Vec<u8>> = pages.iter().map(|p| std::fs::read(p).unwrap()).collect();
        let scanned = etjanst::qr::scan(&images).unwrap();
        let form = Form::new(flow);
        let states = form.evaluate(&mut answers);
        assert_eq!(
            scanned,
            pdf::answers_xml(&form, &states, &answers).unwrap(),
            "{id}"
        );
    }
}

#[test]
fn ten_pages_stay_small() {
    let (flow, mut answers) = ten_page::ten_page_form();
    let bytes = filled(&flow, &mut answers);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tio.pdf", &bytes);
    let pages = page_count(&path);
    assert!((9..=12).contains(&pages), "{pages} pages");
    assert!(
        bytes.len() < 150 * 1024,
        "{} bytes for {pages} pages",
        bytes.len()
    );
}

#[test]
fn blank_form_has_every_alternative_lines_and_conditions_but_no_answers() {
    let dir = tempfile::tempdir().unwrap();
    let c = common::catalogue();
    let flow = c.flow("parkeringstillstand").unwrap();
    let bytes = pdf::blank(flow, &options()).unwrap();
    let path = write(dir.path(), "blank.pdf", &bytes);
    let text = text_of(&path);
    for q in flow.queries() {
        if let Some((alts, _)) = q.kind.alternatives() {
            for a in alts {
                assert!(text.contains(&squash(&a.name)), "alternative {}", a.name);
            }
        }
    }
    assert!(
        text.contains("Fyll bara i om du svarat ”Passagerare”"),
        "{text}"
    );
    assert!(
        text.contains("Observera: Parkeringstillstånd söks i den kommun"),
        "stop explained"
    );
    assert!(text.contains("Personnummer *"));
    assert!(text.contains("Namnteckning"));
    assert!(!text.contains("Märta"), "no answers on a blank form");
    assert!(tool("pdfinfo", &[&path]).contains("Tagged:          yes"));
}

#[test]
fn every_filled_and_blank_form_passes_the_pdf_ua_and_pdf_a_audit() {
    let dir = tempfile::tempdir().unwrap();
    let c = common::catalogue();
    for flow in c.flows() {
        let (name, mut answers) = common::example(flow);
        let path = write(
            dir.path(),
            &format!("{name}.pdf"),
            &filled(flow, &mut answers),
        );
        pdf_audit::audit(&path);
        let blank = write(
            dir.path(),
            &format!("{name}-blank.pdf"),
            &pdf::blank(flow, &options()).unwrap(),
        );
        pdf_audit::audit(&blank);
    }
    // Content that spans many pages (elements whose lines sit on several pages) and a font
    // the characters of which all need mapping back.
    let (flow, mut answers) = ten_page::ten_page_form();
    let path = write(dir.path(), "tio.pdf", &filled(&flow, &mut answers));
    pdf_audit::audit(&path);
}

/// The audit is only worth something if it notices a broken file: break a good one the ways
/// a writer could (a header drawn untagged, a figure without alternate text, a glyph width
/// that disagrees with the font) and expect each to be caught.
#[test]
fn the_audit_catches_untagged_content_missing_alt_text_and_wrong_widths() {
    let dir = tempfile::tempdir().unwrap();
    let c = common::catalogue();
    let flow = c.flow("eldstad").unwrap();
    let (_, mut answers) = common::example(flow);
    let good = write(dir.path(), "good.pdf", &filled(flow, &mut answers));
    pdf_audit::audit(&good);
    // QDF: streams uncompressed and objects one per block, so same-length edits keep it valid.
    let bytes = qdf(&good);
    let broken = |from: &[u8], to: &[u8], name: &str| -> String {
        assert_eq!(from.len(), to.len());
        let at = bytes
            .windows(from.len())
            .position(|w| w == from)
            .unwrap_or_else(|| panic!("{} not in the file", String::from_utf8_lossy(from)));
        let mut b = bytes.clone();
        b[at..at + from.len()].copy_from_slice(to);
        write(dir.path(), name, &b)
    };
    let cases = [
        (
            broken(
                b"/Artifact <</Type /Pagination /Subtype /Header>> BDC",
                &[b' '; 52],
                "untagged.pdf",
            ),
            "outside tagged content",
        ),
        (
            broken(b"/Alt", b"/Xyz", "no-alt.pdf"),
            "figure without /Alt",
        ),
        (
            {
                // The first width of the first font, off by hundreds of units.
                let w = bytes.windows(4).position(|w| w == b"/W [").unwrap();
                let list = w + 4 + bytes[w + 4..].iter().position(|b| *b == b'[').unwrap();
                let digit = list + bytes[list..].iter().position(u8::is_ascii_digit).unwrap();
                let mut b = bytes.clone();
                b[digit] = if b[digit] == b'9' { b'1' } else { b'9' };
                write(dir.path(), "widths.pdf", &b)
            },
            "width",
        ),
    ];
    for (path, expected) in cases {
        let found = std::panic::catch_unwind(|| pdf_audit::audit(&path))
            .err()
            .and_then(|e| e.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        assert!(
            found.contains(expected),
            "{path}: expected {expected:?}, got {found:?}"
        );
    }
}

/// Characters Noto Sans lacks are drawn with a replacement glyph, yet copying the text or
/// reading it aloud still gives the characters that were written.
#[test]
fn characters_the_font_lacks_still_come_back_as_text() {
    let flow: Flow = etjanst::flow::from_json(
        Path::new("tecken.json"),
        r#"{"id": 1, "name": "Tecken", "steps": [{"id": 1, "name": "Steg", "queries": [
              {"id": 1, "name": "Text", "defaultState": "VISIBLE_REQUIRED", "exported": true,
               "xsdElementName": "T", "type": "TextArea", "maxLength": 1000}]}]}"#,
    )
    .unwrap();
    let written = "Hej 漢字 och 🙂 samt\u{a0}hårt mellanslag";
    let mut answers = Answers::default();
    answers.set("1", Some(Answer::Text(written.into())));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tecken.pdf", &filled(&flow, &mut answers));
    let raw = tool("pdftotext", &["-raw", "-enc", "UTF-8", &path, "-"]);
    assert!(raw.contains(written), "{raw}");
    pdf_audit::audit(&path);
}
