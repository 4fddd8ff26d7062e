//! Bad input of any shape gives an error value, never a panic.

mod common;

use etjanst::fill::Answers;
use etjanst::flow::oeflow;
use etjanst::ids::{self, Format, PnrRules};
use proptest::prelude::*;

const EXAMPLE: &[u8] = include_bytes!("fixtures/oep/example-written-from-source.oeflow");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn identity_numbers_never_panic(s in "\\PC{0,16}") {
        let _ = ids::parse_personnummer(&s, PnrRules::new(common::today()));
        let _ = ids::check_organisationsnummer(&s);
        for f in [Format::Phone, Format::PostalCode, Format::Email, Format::Date,
                  Format::SpacedPositiveInteger, Format::PersonOrOrganisationsnummer] {
            let _ = f.check(&s, common::today());
        }
    }

    #[test]
    fn damaged_oeflow_never_panics(cut in 0usize..EXAMPLE.len(), at in 0usize..EXAMPLE.len(), byte in any::<u8>()) {
        let mut bytes = EXAMPLE[..cut.max(1)].to_vec();
        let i = at % bytes.len();
        bytes[i] = byte;
        let _ = oeflow::import(&bytes);
    }

    #[test]
    fn arbitrary_answer_json_never_panics(json in arbitrary_json()) {
        let c = common::catalogue();
        for flow in c.flows() {
            let doc = serde_json::json!({"answers": {"sokande": json.clone(), "plats": json.clone(),
                "symtom": json.clone(), "insjuknade": json.clone(), "5503": json.clone()}});
            let _ = Answers::from_json(flow, &doc);
        }
    }
}

fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,8}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z]{1,6}|selected|other|namn", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn a_damaged_imported_flow_is_reported_and_the_rest_still_works() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("flows")).unwrap();
    std::fs::write(dir.path().join("flows/trasig.json"), "{\"id\": ").unwrap();
    let c = etjanst::catalogue::Catalogue::open(dir.path()).unwrap();
    assert_eq!(c.warnings.len(), 1);
    assert!(
        c.warnings[0].contains("trasig.json:1:"),
        "{}",
        c.warnings[0]
    );
    assert!(c.flow("matforgiftning").is_ok());
}
