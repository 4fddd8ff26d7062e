//! Every case XML written parses with a conforming XML parser and gives back the citizen's
//! text, whatever Unicode it holds (astral, right-to-left, combining marks, `]]>`, `&`, CR/LF),
//! in both of Open ePlatform's encodings; text XML cannot carry is refused at validation.

mod common;

use std::io::Write;

use etjanst::fill::{self, Answers, Form, Mode, Problem};
use etjanst::flow::{self, Flow};
use etjanst::flowinstance::{self, Charset, Header, Indent, Options};
use proptest::prelude::*;

const FLOW: &str = r#"{
  "id": 501, "familyId": 50, "name": "Fritext",
  "steps": [{"id": 1, "name": "Text", "queries": [
    {"id": 10, "name": "Kort", "defaultState": "VISIBLE", "exported": true,
     "xsdElementName": "kort", "type": "TextField", "fields": [{"id": 1, "label": "Text"}]},
    {"id": 11, "name": "Lång", "defaultState": "VISIBLE", "exported": true,
     "xsdElementName": "lang", "type": "TextArea"},
    {"id": 12, "name": "Val", "defaultState": "VISIBLE", "exported": true,
     "xsdElementName": "val", "type": "DropDown", "freeTextAlternative": "Annat",
     "alternatives": [{"id": 1, "name": "Ett"}]}
  ]}]
}"#;

fn flow() -> Flow {
    flow::from_json(std::path::Path::new("t.json"), FLOW).unwrap()
}

/// Text a citizen might type or paste, with everything XML makes hard.
fn citizen_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("]]>".to_string()),
        Just("&".to_string()),
        Just("<&amp;>".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\n".to_string()),
        Just("\t".to_string()),
        Just("😀".to_string()),
        Just("שלום".to_string()),
        Just("a\u{30a}".to_string()),
        Just("€–”".to_string()),
        Just("\u{85}\u{a0}\u{ff}".to_string()),
        Just("\u{fffd}\u{10ffff}".to_string()),
        "[a-zåäöÅÄÖ ]{0,8}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(pieces, 1..12).prop_map(|v| v.concat())
}

/// What a conforming parser hands back for text OeP wrote: Java's trim, then XML's
/// end-of-line handling (CR LF and lone CR become LF; the writer escapes text-node CRs).
fn expected(typed: &str, trimmed: bool) -> String {
    let t = if trimmed {
        flowinstance::java_trim(typed)
    } else {
        typed
    };
    t.replace("\r\n", "\n").replace('\r', "\n")
}

fn decode(bytes: &[u8], charset: Charset) -> String {
    match charset {
        // Every byte is its own code point in ISO-8859-1 (not windows-1252).
        Charset::Latin1 => bytes.iter().map(|&b| b as char).collect(),
        Charset::Utf8 => String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

fn value_of(doc: &roxmltree::Document, element: &str, child: &str) -> Option<String> {
    let e = doc.descendants().find(|n| n.has_tag_name(element))?;
    let c = e.children().find(|n| n.has_tag_name(child))?;
    Some(c.children().filter_map(|t| t.text()).collect())
}

fn write(flow: &Flow, doc: serde_json::Value, charset: Charset) -> Result<Vec<u8>, Vec<Problem>> {
    let mut answers = Answers::from_json(flow, &doc).unwrap();
    let form = Form::new(flow);
    let report = fill::check(&form, &mut answers, Mode::Complete, common::today());
    if !report.is_valid() {
        return Err(report.issues.into_iter().map(|i| i.problem).collect());
    }
    let options = Options {
        charset,
        indent: Indent::Spaces,
        embed_files: false,
    };
    Ok(flowinstance::write(
        &form,
        &report.states,
        &answers,
        &Header::default(),
        &flowinstance::NoAttachments,
        options,
    )
    .expect("validated answers always write"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn written_files_parse_and_give_the_text_back(
        short in citizen_text(), long in citizen_text(), other in citizen_text(),
        utf8 in any::<bool>(),
    ) {
        let flow = flow();
        let charset = if utf8 { Charset::Utf8 } else { Charset::Latin1 };
        let doc = serde_json::json!({"answers": {
            "10": {"1": short}, "11": long, "12": {"other": other}
        }});
        match write(&flow, doc, charset) {
            Ok(bytes) => {
                let text = decode(&bytes, charset);
                let parsed = roxmltree::Document::parse(&text)
                    .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
                if !flowinstance::java_trim(&short).is_empty() {
                    prop_assert_eq!(value_of(&parsed, "kort", "Text"), Some(expected(&short, true)));
                }
                if !flowinstance::java_trim(&long).is_empty() {
                    // A text area goes out with CR LF, which the parser turns back into LF.
                    prop_assert_eq!(value_of(&parsed, "lang", "Value"), Some(expected(&long, true)));
                }
                if !other.trim().is_empty() {
                    prop_assert_eq!(
                        value_of(&parsed, "val", "TextAlternative"),
                        Some(expected(&other, false))
                    );
                }
            }
            Err(problems) => {
                // Only text XML cannot hold, or longer than OeP accepts, is refused.
                for p in problems {
                    prop_assert!(
                        matches!(p, Problem::IllegalCharacter { .. } | Problem::TooLong { .. }),
                        "unexpected {:?}", p
                    );
                }
                let all = format!("{short}{long}{other}");
                let utf16 = |s: &str| flowinstance::java_trim(s).encode_utf16().count();
                let long_enough = utf16(&short) > 255 || utf16(&other) > 255;
                prop_assert!(flowinstance::illegal_char(&all).is_some() || long_enough);
            }
        }
    }
}

#[test]
fn control_characters_are_refused_naming_the_field() {
    let flow = flow();
    for bad in ["a\u{8}b", "x\u{b}", "\u{ffff}", "\u{0}"] {
        let doc = serde_json::json!({"answers": {"10": {"1": bad}}});
        let problems = write(&flow, doc.clone(), Charset::Latin1).unwrap_err();
        assert!(
            matches!(problems[..], [Problem::IllegalCharacter { .. }]),
            "{bad:?}: {problems:?}"
        );
        let mut answers = Answers::from_json(&flow, &doc).unwrap();
        let form = Form::new(&flow);
        let report = fill::check(&form, &mut answers, Mode::Draft, common::today());
        let issue = &report.issues[0];
        assert_eq!(
            (issue.query.as_str(), issue.field.as_deref()),
            ("10", Some("1"))
        );
        assert!(
            issue.message(fill::Lang::Sv).contains("styrtecken"),
            "{issue:?}"
        );
    }
}

#[test]
fn lone_surrogates_in_an_answers_file_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("svar.json");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(br#"{"flow": "synpunkt", "answers": {"text": "a\ud800b"}}"#)
        .unwrap();
    let out = common::etjanst(
        dir.path(),
        &["check", "synpunkt", "--answers", path.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("svar.json:1:"), "{err}");
}

/// Many random texts through xmllint (libxml2) too: a second, independent parser.
#[test]
fn xmllint_accepts_a_batch_of_random_cases() {
    use proptest::strategy::ValueTree;
    let flow = flow();
    let dir = tempfile::tempdir().unwrap();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut files = Vec::new();
    for i in 0..60 {
        let text = citizen_text().new_tree(&mut runner).unwrap().current();
        let charset = if i % 2 == 0 {
            Charset::Latin1
        } else {
            Charset::Utf8
        };
        let doc = serde_json::json!({"answers": {"11": text, "12": {"other": text}}});
        if let Ok(bytes) = write(&flow, doc, charset) {
            let path = dir.path().join(format!("case{i}.xml"));
            std::fs::write(&path, bytes).unwrap();
            files.push(path);
        }
    }
    assert!(files.len() > 30, "most random texts are writable");
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .args(&files)
        .output()
        .expect("xmllint (libxml2-utils) is installed by scripts/test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
