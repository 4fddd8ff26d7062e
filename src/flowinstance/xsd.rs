//! `schema-{FlowID}.xsd`, the per-flow schema Open ePlatform's admin generates on demand
//! (`spec/case-xml.md` §5.2): the base schema's FlowInstance and Header, the flow's ids fixed,
//! and one element with its own complex type per exported query, in step and query order.
//! Repeating groups appear as their count query and numbered copies (`flow::numbered`).
//!
//! Like OeP's, it does not match every file exactly: a `Value` is required even when only
//! `TextAlternative` is written, and TextField names are numbered over all fields here but over
//! the filled ones in the case.

use super::names::field_names;
use super::serialize::{Charset, Indent, Out};
use super::{IllegalCharacter, NAMESPACE};
use crate::flow::{FieldMode, Flow, Query, QueryKind, numbered};

const XS: &str = "http://www.w3.org/2001/XMLSchema";

/// The XSD of `flow`, in OeP's system encoding (ISO-8859-1) and layout.
pub fn xsd(flow: &Flow) -> Result<Vec<u8>, IllegalCharacter> {
    let flow = numbered::expand(flow);
    let mut x = Out::new(Charset::Latin1, Indent::Spaces);
    x.start_with(
        "xs:schema",
        &[
            ("xmlns:xs", XS),
            ("xmlns", NAMESPACE),
            ("targetNamespace", NAMESPACE),
            ("elementFormDefault", "qualified"),
        ],
    );
    let queries: Vec<&Query> = flow
        .queries()
        .filter(|q| q.exported && q.xsd_element_name.is_some() && type_name(q).is_some())
        .collect();

    x.start_with("xs:element", &[("name", "FlowInstance")]);
    x.start("xs:complexType");
    x.start("xs:sequence");
    element(&mut x, "Header", "Header", None, None);
    x.start_with("xs:element", &[("name", "Values")]);
    x.start("xs:complexType");
    x.start("xs:sequence");
    for q in &queries {
        let name = q.xsd_element_name.as_deref().unwrap_or_default();
        let ty = type_name(q).unwrap_or_default();
        element(&mut x, name, &ty, Some("0"), Some("1"));
    }
    x.end();
    x.end();
    x.end();
    element(&mut x, "SigningEvents", "SigningEvents", Some("0"), None);
    x.end();
    x.end();
    x.end();

    header_types(&mut x, &flow);
    for q in &queries {
        query_type(&mut x, q)?;
    }
    Ok(x.finish())
}

fn element(x: &mut Out, name: &str, ty: &str, min: Option<&str>, max: Option<&str>) {
    let mut attrs = vec![("name", name), ("type", ty)];
    if let Some(min) = min {
        attrs.push(("minOccurs", min));
    }
    if let Some(max) = max {
        attrs.push(("maxOccurs", max));
    }
    x.start_with("xs:element", &attrs);
    x.end();
}

fn fixed(x: &mut Out, name: &str, ty: &str, value: &str) {
    x.start_with(
        "xs:element",
        &[("name", name), ("type", ty), ("fixed", value)],
    );
    x.end();
}

fn header_types(x: &mut Out, flow: &Flow) {
    x.start_with("xs:complexType", &[("name", "Header")]);
    x.start("xs:sequence");
    x.start_with("xs:element", &[("name", "Flow")]);
    x.start("xs:complexType");
    x.start("xs:sequence");
    fixed(
        x,
        "FamilyID",
        "xs:positiveInteger",
        flow.family_id.as_deref().unwrap_or_default(),
    );
    fixed(
        x,
        "Version",
        "xs:positiveInteger",
        &flow.version.to_string(),
    );
    fixed(x, "FlowID", "xs:positiveInteger", &flow.id);
    element(x, "Name", "xs:string", None, None);
    x.end();
    x.end();
    x.end();
    element(x, "FlowInstanceID", "xs:positiveInteger", None, None);
    element(x, "Status", "Status", None, None);
    element(x, "Poster", "User", Some("0"), None);
    element(x, "Owner", "User", Some("0"), Some("unbounded"));
    element(x, "Posted", "xs:dateTime", None, None);
    element(x, "Editor", "User", Some("0"), None);
    element(x, "Updated", "xs:dateTime", Some("0"), None);
    element(x, "FirstSubmitted", "xs:dateTime", None, None);
    element(x, "LastSubmitted", "xs:dateTime", None, None);
    x.end();
    x.end();

    x.start_with("xs:complexType", &[("name", "Status")]);
    x.start("xs:sequence");
    // etjanst's flows carry no status list, so any status id is allowed.
    element(x, "ID", "xs:positiveInteger", None, None);
    element(x, "Name", "xs:string", None, None);
    x.end();
    x.end();

    x.start_with("xs:complexType", &[("name", "User")]);
    x.start("xs:sequence");
    element(x, "Firstname", "xs:string", Some("0"), None);
    element(x, "Lastname", "xs:string", Some("0"), None);
    element(x, "Email", "xs:string", Some("0"), None);
    element(x, "ID", "xs:string", None, None);
    x.end();
    x.end();

    x.start_with("xs:complexType", &[("name", "SigningEvents")]);
    x.start("xs:sequence");
    x.start_with(
        "xs:element",
        &[("name", "SignEvent"), ("maxOccurs", "unbounded")],
    );
    x.start("xs:complexType");
    x.start("xs:sequence");
    element(x, "SignedChecksum", "xs:string", None, None);
    element(x, "Date", "xs:dateTime", None, None);
    element(x, "Signer", "User", None, None);
    x.end();
    x.end();
    x.end();
    x.end();
    x.end();
}

/// OeP's type name of a query (`…Query{id}`); `None` for types it never writes.
fn type_name(q: &Query) -> Option<String> {
    let base = match &q.kind {
        QueryKind::TextField(_) => "TextFieldQuery",
        QueryKind::TextArea(_) => "TextAreaQuery",
        QueryKind::RadioButton(_) => "RadioButtonQuery",
        QueryKind::Checkbox(_) => "CheckboxQuery",
        QueryKind::DropDown(_) => "DropDownQuery",
        QueryKind::FileUpload(_) => "FileUploadQuery",
        QueryKind::ContactDetail(c) if c.manual_multi_sign.is_some() => "ManualMultiSignQuery",
        QueryKind::ContactDetail(_) => "ContactChannelQuery",
        QueryKind::OrganizationDetail(_) => "OrganizationDetailQuery",
        _ => return None,
    };
    Some(format!("{base}{}", q.id))
}

fn string_max(x: &mut Out, name: &str, max: usize) {
    x.start_with("xs:element", &[("name", name)]);
    x.start("xs:simpleType");
    x.start_with("xs:restriction", &[("base", "xs:string")]);
    x.start_with("xs:maxLength", &[("value", &max.to_string())]);
    x.end();
    x.end();
    x.end();
    x.end();
}

fn query_type(x: &mut Out, q: &Query) -> Result<(), IllegalCharacter> {
    let Some(ty) = type_name(q) else {
        return Ok(());
    };
    super::serialize::illegal_char(&q.name).map_or(Ok(()), |c| {
        Err(IllegalCharacter {
            element: ty.clone(),
            code: c as u32,
        })
    })?;
    let mut enumeration: Option<Vec<String>> = None;
    x.start_with("xs:complexType", &[("name", &ty)]);
    x.start("xs:sequence");
    element(x, "QueryID", "xs:positiveInteger", None, None);
    fixed(x, "Name", "xs:string", &q.name);
    match &q.kind {
        QueryKind::TextField(t) => {
            for (field, name) in t.fields.iter().zip(field_names(&t.fields)) {
                x.comment(&field.label);
                let min = if field.required { "1" } else { "0" };
                element(x, &name, "xs:string", Some(min), None);
            }
        }
        QueryKind::TextArea(t) => {
            // OeP declares 65535 when no maximum is set, though it accepts 65536.
            string_max(x, "Value", t.max_length.map_or(65535, |m| m as usize));
        }
        kind @ (QueryKind::RadioButton(_) | QueryKind::Checkbox(_) | QueryKind::DropDown(_)) => {
            let (alternatives, free) = kind.alternatives().unwrap_or_default();
            let max = match kind {
                QueryKind::Checkbox(c) => c
                    .max_checked
                    .map_or(alternatives.len().max(1), |m| m as usize),
                _ => 1,
            };
            element(
                x,
                "Value",
                &format!("{ty}Alternative"),
                Some("1"),
                Some(&max.to_string()),
            );
            if free.is_some() {
                element(x, "TextAlternative", "xs:string", Some("0"), Some("1"));
            }
            let mut values: Vec<String> = alternatives
                .iter()
                .map(|a| a.export_value().to_string())
                .collect();
            values.extend(free.map(str::to_string));
            enumeration = Some(values);
        }
        QueryKind::FileUpload(f) => {
            let max = f
                .max_file_count
                .map_or("unbounded".to_string(), |m| m.to_string());
            element(
                x,
                "File",
                &format!("FileType{}", q.id),
                Some("0"),
                Some(&max),
            );
        }
        // §4.8: the five, Email and MobilePhone optional.
        QueryKind::ContactDetail(c) if c.manual_multi_sign.is_some() => {
            for (name, min) in [
                ("Firstname", None),
                ("Lastname", None),
                ("Email", Some("0")),
                ("MobilePhone", Some("0")),
                ("SocialSecurityNumber", None),
            ] {
                element(x, name, "xs:string", min, None);
            }
        }
        QueryKind::ContactDetail(c) => {
            let shown = |m: FieldMode| m != FieldMode::Hidden;
            let fields = [
                ("Firstname", c.field_name),
                ("Lastname", c.field_name),
                ("CareOf", c.field_care_of),
                ("Address", c.field_address),
                ("ZipCode", c.field_address),
                ("PostalAddress", c.field_address),
                ("AddressUUID", c.field_address),
                ("Phone", c.field_phone),
                ("Email", c.field_email),
                ("MobilePhone", c.field_mobile_phone),
                ("SocialSecurityNumber", c.field_citizen_id),
            ];
            for (name, mode) in fields {
                if shown(mode) {
                    element(x, name, "xs:string", Some("0"), None);
                }
            }
            if shown(c.field_mobile_phone) && c.allow_sms {
                element(x, "ContactBySMS", "xs:boolean", None, None);
            }
        }
        QueryKind::OrganizationDetail(o) => {
            element(x, "OrganizationName", "xs:string", None, None);
            element(x, "OrganizationNumber", "xs:string", None, None);
            element(x, "CitizenIdentifier", "xs:string", Some("0"), None);
            if o.field_address != FieldMode::Hidden {
                for name in ["Address", "ZipCode", "PostalAddress"] {
                    element(x, name, "xs:string", Some("0"), None);
                }
            }
            element(x, "Firstname", "xs:string", None, None);
            element(x, "Lastname", "xs:string", None, None);
            for (name, mode) in [
                ("Phone", o.field_phone),
                ("Email", o.field_email),
                ("MobilePhone", o.field_mobile_phone),
            ] {
                if mode != FieldMode::Hidden {
                    element(x, name, "xs:string", Some("0"), None);
                }
            }
            element(x, "ContactBySMS", "xs:boolean", None, None);
        }
        _ => {}
    }
    x.end();
    x.end();
    if let Some(values) = enumeration {
        x.start_with("xs:simpleType", &[("name", &format!("{ty}Alternative"))]);
        x.start_with("xs:restriction", &[("base", "xs:string")]);
        for v in values {
            x.start_with("xs:enumeration", &[("value", &v)]);
            x.end();
        }
        x.end();
        x.end();
    }
    if let QueryKind::FileUpload(f) = &q.kind {
        x.start_with("xs:complexType", &[("name", &format!("FileType{}", q.id))]);
        x.start("xs:sequence");
        element(x, "ID", "xs:string", None, None);
        element(x, "Name", "xs:string", None, None);
        element(x, "Size", "xs:long", None, None);
        if !f.exclude_file_content_from_xml {
            element(x, "EncodedData", "xs:string", None, None);
        }
        x.end();
        x.end();
    }
    Ok(())
}
