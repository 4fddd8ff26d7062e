//! Element names: OeP's `XMLUtils.toValidElementName` and the numbering TextFieldQuery applies
//! to fields without a name of their own (`spec/case-xml.md` §3.4).

use crate::flow::TextField;

/// A label made into an element name the way Open ePlatform does it: `xml…` becomes `___…`, a
/// leading digit becomes `_`, å/ä/ö lose their marks, and any other character outside
/// `[0-9A-Za-z.-]` becomes `_`, one per code point.
pub fn to_valid_element_name(label: &str) -> String {
    let prefixed: String = if label.len() >= 3
        && label.is_char_boundary(3)
        && label[..3].eq_ignore_ascii_case("xml")
    {
        format!("___{}", &label[3..])
    } else if label.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{}", &label[1..])
    } else {
        label.to_string()
    };
    prefixed
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'Å' | 'Ä' => 'A',
            'ö' => 'o',
            'Ö' => 'O',
            '0'..='9' | 'a'..='z' | 'A'..='Z' | '-' | '.' => c,
            _ => '_',
        })
        .collect()
}

/// Whether Open ePlatform can write an element of this name: its admin form accepts only what
/// `toValidElementName` leaves unchanged, and the DOM refuses a leading `-` or `.`.
pub fn is_writable_element_name(name: &str) -> bool {
    !name.is_empty() && to_valid_element_name(name) == name && !name.starts_with(['-', '.'])
}

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
