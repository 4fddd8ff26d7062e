//! `.oeflow` import and export against the example written from Open ePlatform's source.

use std::path::Path;

use etjanst::flow::{self, EvaluatorRule, QueryKind, QueryState, oeflow};

fn example_bytes() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/oep/example-written-from-source.oeflow"
    ))
    .unwrap()
}

#[test]
fn example_imports_with_latin1_text_ids_and_evaluators() {
    let flow = oeflow::import(&example_bytes()).unwrap();
    flow::check(&flow).unwrap();
    assert_eq!(flow.id, "412");
    assert_eq!(flow.family_id.as_deref(), Some("187"));
    assert_eq!(flow.version, 3);
    assert_eq!(flow.name, "Ansökan om bygglov för skylt (exempel)");
    assert_eq!(flow.aliases, ["skyltlov"]);
    assert!(flow.requires_authentication && flow.requires_signing);
    assert_eq!(flow.steps.len(), 2);
    assert_eq!(flow.steps[1].name, "Ärendet");
    // Nested descriptor copies inside query beans must not be counted as queries.
    let ids: Vec<_> = flow.queries().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["5301", "5302", "5303", "5304", "5305", "5306"]);
    let text = flow.query("5301").unwrap();
    let QueryKind::TextField(t) = &text.kind else {
        panic!("5301 is a text field query")
    };
    assert_eq!(t.fields[1].label, "Personnummer");
    assert_eq!(
        t.fields[1].format_validator.as_deref(),
        Some("se.unlogic.standardutils.populators.SocialSecurityPopulator")
    );
    assert_eq!(
        text.description.as_deref(),
        Some("<p>Fyll i uppgifter om dig som söker.</p>")
    );
    let radio = flow.query("5303").unwrap();
    assert_eq!(radio.evaluators.len(), 1);
    let ev = &radio.evaluators[0];
    assert_eq!(ev.targets, ["5304"]);
    assert!(ev.enabled);
    assert!(matches!(
        &ev.rule,
        EvaluatorRule::QueryState { alternatives, state: Some(QueryState::VisibleRequired), .. }
            if alternatives == &["2202".to_string()]
    ));
    assert_eq!(
        flow.query("5304").unwrap().default_state,
        QueryState::Hidden
    );
    let QueryKind::FileUpload(f) = &flow.query("5306").unwrap().kind else {
        panic!("5306 is a file upload")
    };
    assert_eq!(f.max_file_size, Some(10_485_760));
    assert_eq!(f.allowed_extensions, ["pdf", "jpg", "png"]);
    // Base64 payloads are decoded.
    assert!(flow.forms[0].data.as_ref().unwrap().starts_with(b"%PDF"));
    assert!(flow.icon.as_ref().unwrap().data.starts_with(b"\x89PNG"));
}

#[test]
fn split_cdata_and_char_refs_are_joined() {
    let flow = oeflow::import(&example_bytes()).unwrap();
    let all: String = flow
        .queries()
        .filter_map(|q| q.description.clone())
        .collect();
    assert!(all.contains('–'), "the &#8211; en dash survives: {all}");
}

/// A flow with a query type etjanst does not know, written the way OeP writes it.
/// A flow with a question type etjanst does not model (a map), as UTF-8 text; its declaration
/// says ISO-8859-1, so tests write it out with `latin1`. The window's tests use it too.
const WITH_MAP: &str = include_str!("fixtures/gravtillstand.oeflow.txt");

fn latin1(s: &str) -> Vec<u8> {
    s.chars().map(|c| u8::try_from(c as u32).unwrap()).collect()
}

#[test]
fn round_trip_keeps_the_model_and_unknown_subtrees_byte_identical() {
    let first = oeflow::import(&latin1(WITH_MAP)).unwrap();
    let QueryKind::Unknown(unknown) = &first.query("10").unwrap().kind else {
        panic!("GeneralMapQuery is not modelled")
    };
    assert_eq!(unknown.element, "GeneralMapQuery");
    let start = WITH_MAP.find("<GeneralMapQuery>").unwrap();
    let end = WITH_MAP.find("</GeneralMapQuery>").unwrap() + "</GeneralMapQuery>".len();
    assert_eq!(unknown.xml, &WITH_MAP[start..end]);
    assert!(first.online_only_queries().count() == 1);

    let exported = oeflow::export(&first);
    assert!(
        exported.contains(&WITH_MAP[start..end]),
        "raw subtree written back verbatim"
    );
    let second = oeflow::import(exported.as_bytes()).unwrap();
    assert_eq!(first, second);

    // And the richer example: import → export → import gives the same model.
    let a = oeflow::import(&example_bytes()).unwrap();
    let b = oeflow::import(oeflow::export(&a).as_bytes()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn every_embedded_flow_survives_an_oeflow_round_trip() {
    let catalogue = etjanst::catalogue::Catalogue::embedded().unwrap();
    assert!(!catalogue.flows().is_empty());
    for f in catalogue.flows() {
        let back = oeflow::import(oeflow::export(f).as_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}", f.id));
        // Blankett files of JSON flows are referenced by path, and aliases of questions and
        // alternatives are etjanst's own, neither of which .oeflow can carry; repeating groups
        // go out as Open ePlatform's numbered copies. Co-signers (`signs`) are named by
        // Open ePlatform's multi-sign queries, which the export does not write yet.
        let mut expected = etjanst::flow::numbered::expand(f);
        expected.forms.iter_mut().for_each(|form| form.file = None);
        for step in &mut expected.steps {
            for q in &mut step.queries {
                q.alias = None;
                match &mut q.kind {
                    etjanst::flow::QueryKind::TextField(t) => {
                        t.fields.iter_mut().for_each(|f| f.alias = None)
                    }
                    etjanst::flow::QueryKind::RadioButton(c) => {
                        c.alternatives.iter_mut().for_each(|a| a.alias = None)
                    }
                    etjanst::flow::QueryKind::Checkbox(c) => {
                        c.alternatives.iter_mut().for_each(|a| a.alias = None)
                    }
                    etjanst::flow::QueryKind::DropDown(c) => {
                        c.alternatives.iter_mut().for_each(|a| a.alias = None)
                    }
                    etjanst::flow::QueryKind::ContactDetail(c) => c.signs = None,
                    _ => {}
                }
            }
        }
        assert_eq!(back, expected, "{}", f.id);
    }
}

#[test]
fn malformed_xml_reports_file_line_and_column() {
    let broken = WITH_MAP.replace("</TextAreaQuery>", "</TextArea>");
    let err = flow::from_bytes(Path::new("trasig.oeflow"), &latin1(&broken)).unwrap_err();
    let msg = err.to_string();
    let line = WITH_MAP
        .lines()
        .position(|l| l.contains("</TextAreaQuery>"))
        .unwrap()
        + 1;
    assert!(msg.starts_with(&format!("trasig.oeflow:{line}:")), "{msg}");
}

#[test]
fn missing_required_elements_are_named() {
    let no_state = WITH_MAP.replace("<defaultQueryState>VISIBLE</defaultQueryState>", "");
    let err = oeflow::import(&latin1(&no_state)).unwrap_err();
    assert!(err.message.contains("defaultQueryState"), "{err}");
    let wrong_root = oeflow::import(b"<QueryDescriptor/>").unwrap_err();
    assert!(wrong_root.message.contains("<Flow>"), "{wrong_root}");
}

#[test]
fn evaluator_targeting_an_earlier_query_is_rejected_at_load() {
    let bytes = example_bytes();
    let text: String = bytes.iter().map(|&b| b as char).collect();
    // Point evaluator 641 (on 5303) back at 5301.
    let backwards = text.replacen(
        "<TargetQueryIDs>\n                                <queryID>5304</queryID>",
        "<TargetQueryIDs>\n                                <queryID>5301</queryID>",
        1,
    );
    assert_ne!(backwards, text);
    let err = flow::from_bytes(Path::new("bakåt.oeflow"), &latin1(&backwards)).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("5301") && msg.contains("senare"), "{msg}");
}
