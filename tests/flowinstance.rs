//! The submitted-case XML has the shape of a real Open ePlatform case (Sundsvall's
//! "Anmälan om sjukfrånvaro") for the same query types.

mod common;

use etjanst::fill::{self, Answers, Form, Mode};
use etjanst::flow;
use etjanst::flowinstance::{self, Header};
use etjanst::xml::{self, Element};

const FLOW: &str = r#"{
  "id": "2411", "familyId": "832", "version": 4, "name": "Anmälan om sjukfrånvaro",
  "steps": [{"id": "1", "name": "Frånvaron", "queries": [
    {"id": "66867", "name": "Gäller det sjukfrånvaro för en", "defaultState": "VISIBLE_REQUIRED",
     "exported": true, "xsdElementName": "employmentType", "type": "RadioButton",
     "alternatives": [{"id": "1", "name": "Månadsavlönad"}, {"id": "2", "name": "Timavlönad"}],
     "evaluators": [{"id": "9", "targets": ["66897"],
       "rule": {"type": "QueryState", "alternatives": ["2"], "state": "VISIBLE"}}]},
    {"id": "66897", "name": "Antal timmar", "defaultState": "HIDDEN",
     "exported": true, "xsdElementName": "hours", "type": "TextArea"},
    {"id": "66901", "name": "Sjukskrivningsperioden from tom", "defaultState": "VISIBLE_REQUIRED",
     "exported": true, "xsdElementName": "sickNotePeriodRow1", "type": "TextField",
     "fields": [{"id": "a", "label": "Från", "xsdElementName": "Datum_fran"},
                {"id": "b", "label": "Till", "xsdElementName": "Datum_till"}]},
    {"id": "66950", "name": "Intern anteckning", "defaultState": "VISIBLE",
     "exported": false, "type": "TextArea"}
  ]}]
}"#;

const ANSWERS: &str = r#"{"answers": {
  "66867": {"selected": "1"},
  "66901": {"a": "2024-11-30", "b": "2024-12-08"},
  "66950": "inte med i XML"
}}"#;

fn names(e: &Element) -> Vec<&str> {
    e.elements().map(|c| c.name.as_str()).collect()
}

fn real() -> (String, Element) {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/oep/flowinstance-sundsvall-sjukfranvaro.xml"
    ))
    .unwrap();
    let src = xml::decode(&bytes).unwrap();
    let root = xml::parse(&src).unwrap();
    (src, root)
}

fn ours() -> (String, Element) {
    let flow = flow::from_json(std::path::Path::new("t.json"), FLOW).unwrap();
    let mut answers = Answers::from_json(&flow, &serde_json::from_str(ANSWERS).unwrap()).unwrap();
    let form = Form::new(&flow);
    let report = fill::check(&form, &mut answers, Mode::Complete, common::today());
    assert!(report.is_valid(), "{:?}", report.issues);
    let header = Header {
        flow_instance_id: Some("235212".into()),
        status: Some(("17453".into(), "Preliminär".into())),
        posted: chrono::NaiveDate::from_ymd_opt(2024, 12, 5)
            .unwrap()
            .and_hms_opt(21, 41, 45)
            .unwrap(),
    };
    let out = flowinstance::to_xml(&form, &report.states, &answers, &header);
    let root = xml::parse(&out).unwrap();
    (out, root)
}

#[test]
fn header_has_the_real_structure() {
    let (_, real) = real();
    let (text, ours) = ours();
    assert_eq!(ours.name, real.name);
    assert!(text.contains(&format!("xmlns=\"{}\"", flowinstance::NAMESPACE)));
    let rh = real.child("Header").unwrap();
    let oh = ours.child("Header").unwrap();
    assert_eq!(
        names(oh.child("Flow").unwrap()),
        names(rh.child("Flow").unwrap())
    );
    assert_eq!(
        names(oh.child("Status").unwrap()),
        names(rh.child("Status").unwrap())
    );
    for e in [
        "FlowInstanceID",
        "Posted",
        "FirstSubmitted",
        "LastSubmitted",
    ] {
        assert_eq!(
            oh.child_text(e),
            rh.child_text(e),
            "{e} is written in OeP's format"
        );
    }
    assert_eq!(
        oh.child("Flow").unwrap().child_text("Name"),
        rh.child("Flow").unwrap().child_text("Name")
    );
}

#[test]
fn values_have_the_real_element_shapes() {
    let (real_text, real) = real();
    let (text, ours) = ours();
    let rv = real.child("Values").unwrap();
    let ov = ours.child("Values").unwrap();
    for element in ["employmentType", "sickNotePeriodRow1"] {
        let r = rv.child(element).unwrap();
        let o = ov.child(element).unwrap();
        assert_eq!(names(o), names(r), "children of {element}");
        assert_eq!(o.child_text("QueryID"), r.child_text("QueryID"));
        assert_eq!(o.child_text("Name"), r.child_text("Name"));
    }
    assert_eq!(
        ov.child("employmentType")
            .unwrap()
            .child_text("Value")
            .as_deref(),
        Some("Månadsavlönad")
    );
    assert_eq!(
        ov.child("sickNotePeriodRow1")
            .unwrap()
            .child_text("Datum_till"),
        rv.child("sickNotePeriodRow1")
            .unwrap()
            .child_text("Datum_till")
    );
    // Names and text-field values are CDATA, radio values plain text, as in the real case.
    for t in [&real_text, &text] {
        assert!(t.contains("<Name><![CDATA[Sjukskrivningsperioden from tom]]></Name>"));
        assert!(t.contains("<Datum_fran><![CDATA[2024-11-30]]></Datum_fran>"));
        assert!(t.contains("<Value>Månadsavlönad</Value>"));
    }
}

#[test]
fn hidden_and_unexported_queries_are_left_out() {
    let (_, ours) = ours();
    let values = ours.child("Values").unwrap();
    assert_eq!(names(values), ["employmentType", "sickNotePeriodRow1"]);
}
