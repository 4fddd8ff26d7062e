//! The "same filled 10-page form" the PDF benchmarks render: a contact block, a checkbox
//! question and 400 paragraphs of free text. Shared by the criterion bench, the timing
//! example behind `scripts/bench-pdf`, and the size test.

#![allow(dead_code)]

use etjanst::fill::{self, Answers, Form, Mode, Report};
use etjanst::flow::Flow;
use etjanst::pdf::PdfOptions;

pub const FLOW: &str = r#"{"id": 10, "aliases": ["tio"], "name": "Ansökan om bistånd med redogörelse", "version": 1,
 "contact": {"postalAddress": ["Kommunen", "711 80 Lindesberg"]},
 "steps": [{"id": 1, "name": "Sökande", "queries": [
   {"id": 1, "alias": "sokande", "name": "Dina uppgifter", "defaultState": "VISIBLE_REQUIRED", "exported": true,
    "xsdElementName": "Sokande", "type": "ContactDetail", "fieldCitizenId": "REQUIRED"},
   {"id": 2, "alias": "val", "name": "Vad gäller ansökan?", "defaultState": "VISIBLE_REQUIRED", "exported": true,
    "xsdElementName": "Val", "type": "Checkbox",
    "alternatives": [{"id": 1, "alias": "a", "name": "Hyra"}, {"id": 2, "alias": "b", "name": "El"}, {"id": 3, "alias": "c", "name": "Tandvård"}]}]},
  {"id": 2, "name": "Redogörelse", "queries": [
   {"id": 3, "alias": "text", "name": "Beskriv din situation", "defaultState": "VISIBLE_REQUIRED", "exported": true,
    "xsdElementName": "Text", "type": "TextArea", "maxLength": 500000}]}]}"#;

pub fn paragraphs() -> Vec<String> {
    (1..=400)
        .map(|i| {
            format!(
                "Stycke {i}: min situation har förändrats under året och jag behöver stöd för hyra och el."
            )
        })
        .collect()
}

pub fn answers_json() -> serde_json::Value {
    serde_json::json!({"flow": "tio", "answers": {
        "sokande": {"citizenId": "19920505-2385", "firstName": "Åsa", "lastName": "Öberg-Ławniczak",
                    "address": "Kungsgatan 12", "zipCode": "711 30", "postalAddress": "Lindesberg",
                    "email": "asa@exempel.se"},
        "val": {"selected": ["a", "b"]},
        "text": paragraphs().join("\n")
    }})
}

pub fn ten_page_form() -> (Flow, Answers) {
    let flow = etjanst::flow::from_json(std::path::Path::new("tio.json"), FLOW).unwrap();
    let answers = Answers::from_json(&flow, &answers_json()).unwrap();
    (flow, answers)
}

/// Evaluated, valid answers of the form, ready for `pdf::filled`.
pub fn checked(flow: &Flow, answers: &mut Answers) -> Report {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let report = fill::check(&Form::new(flow), answers, Mode::Complete, today);
    assert!(report.is_valid(), "{:?}", report.issues);
    report
}

/// The options every PDF benchmark uses: printed for post, with QR codes.
pub fn options() -> PdfOptions {
    PdfOptions {
        created: chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap(),
        publisher: "Lindesbergs kommun".into(),
        by_post: true,
        qr: true,
    }
}
