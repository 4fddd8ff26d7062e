//! A full evaluate + validate of a 300-query flow: what runs on every keystroke in the UI.
//! Goal: well under 1 ms.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use etjanst::fill::{self, Answer, Answers, Choice, Form, Mode};
use etjanst::flow::{self, Flow};
use serde_json::json;

/// 300 queries in 10 steps: every fifth a radio whose evaluator shows the next two, plus text
/// fields with personnummer and e-mail validators, check boxes, text areas and contact blocks.
fn big_flow() -> (Flow, Answers) {
    let mut steps = Vec::new();
    let mut answers = serde_json::Map::new();
    for s in 0..10 {
        let mut queries = Vec::new();
        for k in 0..30 {
            let i = s * 30 + k;
            let id = format!("q{i}");
            let num = i + 1;
            let q = match i % 5 {
                0 => {
                    answers.insert(id.clone(), json!({"selected": "ja"}));
                    json!({"id": num, "alias": id, "name": format!("Fråga {i}"), "defaultState": "VISIBLE_REQUIRED",
                        "exported": true, "xsdElementName": format!("Q{i}"), "type": "RadioButton",
                        "alternatives": [{"id": 1, "alias": "ja", "name": "Ja"}, {"id": 2, "alias": "nej", "name": "Nej"}],
                        "evaluators": [{"id": num, "targets": [num + 1, num + 2],
                            "rule": {"type": "QueryState", "alternatives": [1], "state": "VISIBLE_REQUIRED"}}]})
                }
                1 => {
                    answers.insert(id.clone(), json!({"pnr": "19920505-2385", "epost": "asa@exempel.se", "namn": "Åsa Öberg"}));
                    json!({"id": num, "alias": id, "name": format!("Fråga {i}"), "defaultState": "HIDDEN", "type": "TextField",
                        "fields": [
                            {"id": 1, "alias": "namn", "label": "Namn", "required": true},
                            {"id": 2, "alias": "pnr", "label": "Personnummer", "required": true,
                             "formatValidator": "se.unlogic.standardutils.populators.SocialSecurityPopulator"},
                            {"id": 3, "alias": "epost", "label": "E-post", "formatValidator": "se.unlogic.emailutils.validation.StringEmailValidator"}]})
                }
                2 => {
                    answers.insert(
                        id.clone(),
                        json!("Lite längre fritext om ärendet, som en medborgare skriver."),
                    );
                    json!({"id": num, "alias": id, "name": format!("Fråga {i}"), "defaultState": "HIDDEN", "type": "TextArea", "maxLength": 4000})
                }
                3 => {
                    answers.insert(
                        id.clone(),
                        json!({"selected": ["a", "c"], "other": "annat"}),
                    );
                    json!({"id": num, "alias": id, "name": format!("Fråga {i}"), "defaultState": "VISIBLE", "type": "Checkbox",
                        "freeTextAlternative": "Annat", "maxChecked": 4,
                        "alternatives": [{"id": 1, "alias": "a", "name": "A"}, {"id": 2, "alias": "b", "name": "B"}, {"id": 3, "alias": "c", "name": "C"}]})
                }
                _ => {
                    answers.insert(id.clone(), json!({"firstName": "Zoë", "lastName": "Núñez", "address": "Storgatan 1",
                        "zipCode": "711 30", "postalAddress": "Lindesberg", "phone": "0581-810 00", "email": "zoe@exempel.se"}));
                    json!({"id": num, "alias": id, "name": format!("Fråga {i}"), "defaultState": "VISIBLE_REQUIRED", "type": "ContactDetail",
                        "fieldAddress": "REQUIRED", "fieldEmail": "REQUIRED"})
                }
            };
            queries.push(q);
        }
        steps.push(json!({"id": s + 1, "name": format!("Steg {s}"), "queries": queries}));
    }
    let doc = json!({"id": 1, "aliases": ["stor"], "name": "Stort formulär", "steps": steps});
    let flow = flow::from_json(std::path::Path::new("stor.json"), &doc.to_string()).unwrap();
    let answers = Answers::from_json(&flow, &json!({"answers": answers})).unwrap();
    (flow, answers)
}

fn bench(c: &mut Criterion) {
    let (flow, answers) = big_flow();
    assert_eq!(flow.queries().count(), 300);
    let form = Form::new(&flow);
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    // The benchmark must measure a valid, fully shown form, not an early exit.
    let mut check = answers.clone();
    let report = fill::check(&form, &mut check, Mode::Complete, today);
    assert!(report.is_valid(), "{:?}", report.issues);
    assert_eq!(check, answers);

    c.bench_function("evaluate+validate 300 queries", |b| {
        b.iter(|| {
            let mut a = answers.clone();
            black_box(fill::check(&form, &mut a, Mode::Complete, today))
        })
    });

    // One keystroke in the middle of the form: the answer changes, then everything re-runs.
    c.bench_function("keystroke: set one answer + evaluate+validate", |b| {
        let mut a = answers.clone();
        let mut n = 0u32;
        b.iter(|| {
            n += 1;
            a.set(
                "q153",
                Some(Answer::Choice(Choice {
                    selected: vec!["a".into()],
                    other: Some(format!("annat {n}")),
                })),
            );
            black_box(fill::check(&form, &mut a, Mode::Complete, today))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
