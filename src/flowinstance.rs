//! The submitted-case XML that Open ePlatform hands to municipal back-ends
//! (namespace `http://www.oeplatform.org/version/2.0/schemas/flowinstance`).
//!
//! Only queries that are exported, visible after evaluation and answered appear, each as an
//! element named by its `xsdElementName` with `QueryID`, `Name` and the type's value elements,
//! shaped as in OeP (`spec/open-eplatform.md` §2.7, checked against a real Sundsvall case).

use chrono::NaiveDateTime;

use crate::fill::{Answer, Answers, Form, States};
use crate::flow::{Query, QueryKind};
use crate::ids::{self, PnrRules};
use crate::xml::Writer;

pub const NAMESPACE: &str = "http://www.oeplatform.org/version/2.0/schemas/flowinstance";

/// Case metadata known when the XML is made.
#[derive(Debug, Clone)]
pub struct Header {
    /// Case number, once the municipality has assigned one.
    pub flow_instance_id: Option<String>,
    /// Status id and name, once known.
    pub status: Option<(String, String)>,
    pub posted: NaiveDateTime,
}

/// Writes the flow-instance XML of evaluated answers.
pub fn to_xml(form: &Form, states: &States, answers: &Answers, header: &Header) -> String {
    let flow = form.flow;
    let mut w = Writer::new();
    w.start_with("FlowInstance", &[("xmlns", NAMESPACE)]);
    w.start("Header");
    w.start("Flow");
    w.opt_text("FamilyID", flow.family_id.as_deref());
    w.text("Version", &flow.version.to_string());
    w.text("FlowID", &flow.id);
    w.cdata("Name", &flow.name);
    w.end();
    w.opt_text("FlowInstanceID", header.flow_instance_id.as_deref());
    if let Some((id, name)) = &header.status {
        w.start("Status");
        w.text("ID", id);
        w.cdata("Name", name);
        w.end();
    }
    let posted = header.posted.format("%Y-%m-%dT%H:%M:%S").to_string();
    w.text("Posted", &posted);
    w.text("FirstSubmitted", &posted);
    w.text("LastSubmitted", &posted);
    w.end();
    w.start("Values");
    for (i, query) in form.queries().iter().enumerate() {
        if !states.get(i).is_visible() {
            continue;
        }
        if let Some(answer) = answers.get(&query.id) {
            value(&mut w, query, answer, header);
        }
    }
    w.end();
    w.finish()
}

fn value(w: &mut Writer, query: &Query, answer: &Answer, header: &Header) {
    let Some(element) = query.xsd_element_name.as_deref().filter(|_| query.exported) else {
        return;
    };
    if !populated(answer) {
        return;
    }
    w.start(element);
    w.text("QueryID", &query.id);
    w.cdata("Name", &query.name);
    content(w, query, answer, header);
    w.end();
}

/// OeP exports only populated queries; an empty text or choice is not populated.
fn populated(answer: &Answer) -> bool {
    match answer {
        Answer::Text(t) => !t.trim().is_empty(),
        Answer::Fields(f) => f.values().any(|v| !v.trim().is_empty()),
        Answer::Choice(c) => c.count() > 0,
        Answer::Files(f) => !f.is_empty(),
        Answer::Rows(r) => !r.is_empty(),
        Answer::Contact(_) | Answer::Organization(_) => true,
    }
}

fn content(w: &mut Writer, query: &Query, answer: &Answer, header: &Header) {
    match (&query.kind, answer) {
        (QueryKind::TextField(t), Answer::Fields(values)) => {
            for field in &t.fields {
                if let Some(v) = values.get(&field.id).filter(|v| !v.trim().is_empty()) {
                    let name = field
                        .xsd_element_name
                        .clone()
                        .unwrap_or_else(|| element_name(&field.label));
                    w.cdata(&name, v);
                }
            }
        }
        (QueryKind::TextArea(_), Answer::Text(t)) => w.cdata("Value", t),
        (kind, Answer::Choice(choice)) => {
            if let Some((alternatives, _)) = kind.alternatives() {
                for id in &choice.selected {
                    if let Some(a) = alternatives.iter().find(|a| &a.id == id) {
                        w.text("Value", a.export_value());
                    }
                }
            }
            if let Some(other) = choice.other_text() {
                w.cdata("TextAlternative", other);
            }
        }
        (_, Answer::Files(files)) => {
            for (i, f) in files.iter().enumerate() {
                w.start("File");
                w.text("ID", &(i + 1).to_string());
                w.cdata("Name", &f.name);
                w.text("Size", &f.size.to_string());
                w.end();
            }
        }
        (_, Answer::Contact(c)) => {
            // OeP stores citizen ids as 12 digits without separator.
            let citizen_id = c.citizen_id.as_deref().map(|id| {
                ids::parse_personnummer(id, PnrRules::new(header.posted.date()))
                    .map_or_else(|_| id.to_string(), |p| p.long())
            });
            let fields = [
                ("Firstname", &c.first_name),
                ("Lastname", &c.last_name),
                ("CareOf", &c.care_of),
                ("Address", &c.address),
                ("ZipCode", &c.zip_code),
                ("PostalAddress", &c.postal_address),
                ("Phone", &c.phone),
                ("Email", &c.email),
                ("MobilePhone", &c.mobile_phone),
                ("SocialSecurityNumber", &citizen_id),
            ];
            for (name, v) in fields {
                w.opt_cdata(name, v.as_deref());
            }
        }
        (_, Answer::Organization(o)) => {
            let fields = [
                ("Name", &o.name),
                ("OrganizationNumber", &o.organization_number),
                ("Address", &o.address),
                ("ZipCode", &o.zip_code),
                ("PostalAddress", &o.postal_address),
                ("ContactPerson", &o.contact_person),
                ("Phone", &o.phone),
                ("Email", &o.email),
                ("MobilePhone", &o.mobile_phone),
            ];
            for (name, v) in fields {
                // The organisation's own name would clash with the query's <Name>.
                let name = if name == "Name" {
                    "OrganizationName"
                } else {
                    name
                };
                w.opt_cdata(name, v.as_deref());
            }
        }
        (QueryKind::RepeatingGroup(g), Answer::Rows(rows)) => {
            // etjanst extension: one <Row> per row instead of OeP's numbered copies.
            for (i, row) in rows.iter().enumerate() {
                w.start("Row");
                w.text("Index", &(i + 1).to_string());
                for sub in &g.queries {
                    if let Some(a) = row.get(&sub.id) {
                        value(w, sub, a, header);
                    }
                }
                w.end();
            }
        }
        _ => {}
    }
}

/// An XML element name from a label, for text fields without an `xsdElementName`, following
/// OeP's rule of keeping `[åäöÅÄÖ0-9a-zA-Z-.]` and never starting with a digit.
pub fn element_name(label: &str) -> String {
    let mut name: String = label
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .filter(|c| c.is_ascii_alphanumeric() || "åäöÅÄÖ-._".contains(*c))
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
        name.insert(0, '_');
    }
    name
}
