//! The flow format requires Open ePlatform's integer ids, so that every case and every
//! `.oeflow` export is something OeP and its back-ends read; readable names live on as aliases.

use std::path::Path;

use etjanst::flow;

fn load(json: &str) -> Result<flow::Flow, String> {
    flow::from_json(Path::new("f.json"), json).map_err(|e| e.to_string())
}

const OK: &str = r#"{"id": 7, "familyId": 3, "name": "F", "steps": [{"id": 1, "name": "S", "queries": [
  {"id": 10, "alias": "val", "name": "Val", "exported": true, "xsdElementName": "Val",
   "type": "RadioButton", "alternatives": [{"id": 1, "alias": "ja", "name": "Ja"}]}]}]}"#;

#[test]
fn textual_ids_are_refused_with_a_message_that_says_what_to_do() {
    assert!(load(OK).is_ok());
    let err = load(&OK.replace(r#""id": 10"#, r#""id": "val""#)).unwrap_err();
    assert!(err.contains("f.json:"), "{err}");
    assert!(err.contains("positive integer id"), "{err}");
    let err = load(&OK.replace(r#""alias": "val""#, r#""alias": "12""#)).unwrap_err();
    assert!(err.contains("aliaset \"12\""), "{err}");
}

#[test]
fn element_names_open_eplatform_cannot_write_are_refused() {
    for bad in ["-tal", ".x", "Datum från", "2kolumn", "xmlNamn"] {
        let err = load(&OK.replace(
            r#""xsdElementName": "Val""#,
            &format!(r#""xsdElementName": "{bad}""#),
        ))
        .unwrap_err();
        assert!(err.contains("XML-elementnamnet"), "{bad}: {err}");
    }
    let err = load(&OK.replace(r#", "xsdElementName": "Val""#, "")).unwrap_err();
    assert!(err.contains("xsdElementName"), "{err}");
}

#[test]
fn a_group_needs_a_row_limit_and_row_ids_that_do_not_clash() {
    let group = |max: &str, other: u32| {
        format!(
            r#"{{"id": 7, "name": "F", "steps": [{{"id": 1, "name": "S", "queries": [
              {{"id": 20, "name": "Rader", "type": "RepeatingGroup" {max},
                "queries": [{{"id": 21, "name": "Namn", "type": "TextArea"}}]}},
              {{"id": {other}, "name": "Annan", "type": "TextArea"}}]}}]}}"#
        )
    };
    assert!(load(&group(r#", "maxRows": 5"#, 30)).is_ok());
    let err = load(&group("", 30)).unwrap_err();
    assert!(err.contains("maxRows"), "{err}");
    let err = load(&group(r#", "maxRows": 100"#, 30)).unwrap_err();
    assert!(err.contains("högst 99"), "{err}");
    // Row 2 of query 21 is query 2102.
    let err = load(&group(r#", "maxRows": 5"#, 2102)).unwrap_err();
    assert!(err.contains("2102"), "{err}");
}

#[test]
fn answers_may_name_queries_fields_and_alternatives_by_alias_or_id() {
    let flow = load(OK).unwrap();
    for doc in [
        r#"{"answers": {"val": {"selected": "ja"}}}"#,
        r#"{"answers": {"10": {"selected": "1"}}}"#,
    ] {
        let answers =
            etjanst::fill::Answers::from_json(&flow, &serde_json::from_str(doc).unwrap()).unwrap();
        // Kept under the ids, whatever the file used.
        assert_eq!(
            serde_json::to_value(&answers.values).unwrap(),
            serde_json::json!({"10": {"selected": ["1"]}})
        );
    }
}
