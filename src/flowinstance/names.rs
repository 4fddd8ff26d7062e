//! Element names: OeP's `XMLUtils.toValidElementName` and the numbering TextFieldQuery applies
//! to fields without a name of their own (`spec/case-xml.md` §3.4).

use crate::flow::TextField;
pub use crate::text::{is_writable_element_name, to_valid_element_name};

/// The element names of `fields` in order: a field's own `xsdElementName`, else its label made
/// valid and numbered `1`, `2`, … past the names already taken. The case XML numbers over the
/// filled fields only and the XSD over all of them, as OeP does.
pub fn field_names<'a>(fields: impl IntoIterator<Item = &'a TextField>) -> Vec<String> {
    let mut used: Vec<String> = Vec::new();
    for field in fields {
        let name = match &field.xsd_element_name {
            Some(own) => own.clone(),
            None => {
                let base = to_valid_element_name(&field.label);
                if used.contains(&base) {
                    let mut n = 1;
                    while used.contains(&format!("{base}{n}")) {
                        n += 1;
                    }
                    format!("{base}{n}")
                } else {
                    base
                }
            }
        };
        used.push(name);
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_examples_of_the_reference() {
        // spec/case-xml.md §3.4, rows 1–11.
        let rows = [
            ("E-post (privat)", "E-post__privat_"),
            (
                "Ange datornamnet som börjar med WB",
                "Ange_datornamnet_som_borjar_med_WB",
            ),
            ("1. Namn", "_._Namn"),
            ("Åtgärd/Ärende", "Atgard_Arende"),
            ("Övrigt", "Ovrigt"),
            ("Datum från", "Datum_fran"),
            ("XML-fil", "___-fil"),
            ("12 månader", "_2_manader"),
            ("Café (ü)", "Caf_____"),
            ("Namn 😀", "Namn__"),
            ("-tal", "-tal"),
        ];
        for (label, name) in rows {
            assert_eq!(to_valid_element_name(label), name, "{label}");
        }
        assert!(!is_writable_element_name("-tal"));
        assert!(!is_writable_element_name("Datum från"));
        assert!(is_writable_element_name("Datum_fran"));
        // A decomposed å is not normalised.
        assert_eq!(to_valid_element_name("a\u{30a}"), "a_");
    }

    fn field(label: &str, own: Option<&str>) -> TextField {
        serde_json::from_value(serde_json::json!({
            "id": 1, "label": label, "xsdElementName": own,
        }))
        .unwrap()
    }

    #[test]
    fn numbering_of_clashing_labels() {
        let names = |fields: &[TextField]| field_names(fields.iter());
        assert_eq!(
            names(&[
                field("Namn", None),
                field("Namn", None),
                field("Namn", None)
            ]),
            ["Namn", "Namn1", "Namn2"]
        );
        assert_eq!(
            names(&[
                field("Namn", None),
                field("Namn", None),
                field("Namn1", None)
            ]),
            ["Namn", "Namn1", "Namn11"]
        );
        assert_eq!(
            names(&[
                field("Förnamn", None),
                field("Fornamn", None),
                field("Förnamn", None)
            ]),
            ["Fornamn", "Fornamn1", "Fornamn2"]
        );
        assert_eq!(
            names(&[
                field("x", Some("Namn1")),
                field("Namn", None),
                field("Namn", None)
            ]),
            ["Namn1", "Namn", "Namn2"]
        );
    }
}
