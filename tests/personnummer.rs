//! The personnummer projects' cross-implementation vectors: every format of every number must
//! get the same verdict here as in the other implementations.

use chrono::NaiveDate;
use etjanst::ids::{self, Format, PnrKind, PnrRules};
use serde_json::Value;

fn load(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/fixtures/personnummer/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn rules() -> PnrRules {
    PnrRules::new(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap())
}

const FORMATS: [&str; 4] = [
    "long_format",
    "short_format",
    "separated_format",
    "separated_long",
];

#[test]
fn list_vectors_agree_in_every_format() {
    let vectors = load("list.json");
    assert!(vectors.len() >= 10);
    for v in &vectors {
        let valid = v["valid"].as_bool().unwrap();
        let coordination = v["type"] == "con";
        for format in FORMATS {
            let input = v[format].as_str().unwrap();
            let parsed = ids::parse_personnummer(input, rules());
            assert_eq!(parsed.is_ok(), valid, "{format} {input}: {parsed:?}");
            if let Ok(p) = parsed {
                let expected = if coordination {
                    PnrKind::Samordningsnummer
                } else {
                    PnrKind::Personnummer
                };
                assert_eq!(p.kind, expected, "{input}");
                assert_eq!(p.is_female(), v["isFemale"].as_bool().unwrap(), "{input}");
            }
        }
        // The integer form is the 12-digit form without separator.
        let int = v["integer"].as_u64().unwrap().to_string();
        assert_eq!(
            ids::parse_personnummer(&int, rules()).is_ok(),
            valid,
            "{int}"
        );
    }
}

#[test]
fn structured_vectors_agree() {
    let path = format!(
        "{}/tests/fixtures/personnummer/structured.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let s: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut checked = 0;
    for kind in ["ssn", "con"] {
        for (verdict, expected) in [("valid", true), ("invalid", false)] {
            for v in s[kind]["string"][verdict].as_array().unwrap() {
                let input = v.as_str().unwrap();
                assert_eq!(
                    ids::parse_personnummer(input, rules()).is_ok(),
                    expected,
                    "{kind} {input}"
                );
                checked += 1;
            }
            for v in s[kind]["integer"][verdict].as_array().unwrap() {
                let input = v.as_u64().unwrap().to_string();
                assert_eq!(
                    ids::parse_personnummer(&input, rules()).is_ok(),
                    expected,
                    "{kind} {input}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 40);
}

#[test]
fn interim_numbers_only_when_allowed() {
    for v in load("interim.json") {
        let valid = v["valid"].as_bool().unwrap();
        for format in FORMATS {
            let input = v[format].as_str().unwrap();
            // Interim numbers are never valid personnummer for an e-service field ...
            assert!(ids::parse_personnummer(input, rules()).is_err(), "{input}");
            // ... but are recognised where a caller allows them.
            let allowed = PnrRules {
                allow_interim: true,
                ..rules()
            };
            let parsed = ids::parse_personnummer(input, allowed);
            assert_eq!(parsed.is_ok(), valid, "{format} {input}: {parsed:?}");
            if let Ok(p) = parsed {
                assert_eq!(p.kind, PnrKind::Interim);
            }
        }
    }
}

#[test]
fn organisation_numbers_are_not_personnummer_but_are_organisations() {
    for v in load("orgnumber.json") {
        for format in ["short_format", "separated_format"] {
            let input = v[format].as_str().unwrap();
            assert!(ids::parse_personnummer(input, rules()).is_err(), "{input}");
            assert!(ids::check_organisationsnummer(input).is_ok(), "{input}");
            let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
            assert!(
                Format::PersonOrOrganisationsnummer
                    .check(input, today)
                    .is_ok()
            );
        }
    }
}
