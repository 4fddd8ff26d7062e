//! The 300-query benchmark flow ("stor", id 1), shared by the evaluation benchmark and the
//! desktop's in-window benchmark: the flow document and a complete answers document.

use serde_json::{Value, json};

/// 300 queries in 10 steps: every fifth a radio whose evaluator shows the next two, plus text
/// fields with personnummer and e-mail validators, check boxes, text areas and contact blocks.
pub fn documents() -> (Value, Value) {
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
    (doc, json!({ "flow": 1, "answers": answers }))
}
