//! Every embedded example's case XML, with the server's part filled in as the gateway will,
//! validates against the flow's own generated XSD (`etjanst xsd`) under xmllint, allowing only
//! the mismatches Open ePlatform's own generator has (`spec/case-xml.md` §5.2).

mod common;

use std::borrow::Cow;

use chrono::NaiveDateTime;
use etjanst::fill::{self, FileRef, Form, Mode};
use etjanst::flowinstance::{self, Attachments, Header, Options, Status, User};

/// Any attached file: its declared size of bytes, and an id as the server would give it.
struct Filler;

impl Attachments for Filler {
    fn content(&self, file: &FileRef) -> Option<Cow<'_, [u8]>> {
        Some(Cow::Owned(vec![b'x'; file.size as usize]))
    }
    fn file_id(&self, _file: &FileRef) -> Option<String> {
        Some("9001".into())
    }
}

fn server_header() -> Header {
    let at = NaiveDateTime::parse_from_str("2026-11-27T10:00:00", "%Y-%m-%dT%H:%M:%S").unwrap();
    let user = User {
        first_name: Some("Karin".into()),
        last_name: Some("Lindqvist".into()),
        email: None,
        id: "4711".into(),
    };
    Header {
        flow_instance_id: Some("123".into()),
        status: Some(Status {
            id: "1".into(),
            name: "Inskickat".into(),
        }),
        poster: Some(user.clone()),
        owners: vec![user],
        posted: Some(at),
        first_submitted: Some(at),
        last_submitted: Some(at),
        ..Header::default()
    }
}

/// The case XML of a flow's example answers, with the server's part filled in.
fn example_case(flow: &etjanst::flow::Flow) -> Vec<u8> {
    let (_, mut answers) = common::example(flow);
    let form = Form::new(flow);
    let report = fill::check(&form, &mut answers, Mode::Complete, common::today());
    assert!(report.is_valid(), "{}: {:?}", flow.id, report.issues);
    flowinstance::write(
        &form,
        &report.states,
        &answers,
        &server_header(),
        &Filler,
        Options::default(),
    )
    .unwrap()
}

/// xmllint's complaint about a `Value` missing where only `TextAlternative` was written: OeP's
/// XSD requires a `Value` even then (§5.2).
fn is_allowed_mismatch(line: &str) -> bool {
    line.contains("Element '{http://www.oeplatform.org/version/2.0/schemas/flowinstance}TextAlternative': This element is not expected. Expected is ( {http://www.oeplatform.org/version/2.0/schemas/flowinstance}Value )")
}

#[test]
fn every_example_validates_against_its_own_xsd() {
    let catalogue = common::catalogue();
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for flow in catalogue.flows() {
        let xml = example_case(flow);
        let xsd = flowinstance::xsd(flow).unwrap();
        let xml_path = dir.path().join(format!("{}.xml", flow.id));
        let xsd_path = dir.path().join(format!("schema-{}.xsd", flow.id));
        std::fs::write(&xml_path, &xml).unwrap();
        std::fs::write(&xsd_path, &xsd).unwrap();
        let out = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd_path)
            .arg(&xml_path)
            .output()
            .expect("xmllint (libxml2-utils) is installed by scripts/test");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let problems: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("error") || l.contains("fails to validate"))
            .filter(|l| !l.contains("fails to validate") && !is_allowed_mismatch(l))
            .collect();
        assert!(
            problems.is_empty(),
            "{}:\n{}\n{}",
            flow.id,
            stderr,
            String::from_utf8_lossy(&xml)
        );
        assert!(
            !stderr.contains("failed to compile") && !stderr.contains("parser error"),
            "{}: {stderr}",
            flow.id
        );
        checked += 1;
    }
    assert!(checked >= 8, "every embedded fillable flow ({checked})");
}

#[test]
fn a_case_that_breaks_the_schema_is_caught() {
    // The check above can fail: a case whose fixed FlowID differs is rejected.
    let catalogue = common::catalogue();
    let flow = catalogue.flow("synpunkt").unwrap();
    let xml = example_case(flow);
    let text: String = xml.iter().map(|&b| b as char).collect();
    let broken = text.replace(
        &format!("<FlowID>{}</FlowID>", flow.id),
        "<FlowID>1</FlowID>",
    );
    let dir = tempfile::tempdir().unwrap();
    let xml_path = dir.path().join("case.xml");
    let xsd_path = dir.path().join("schema.xsd");
    std::fs::write(
        &xml_path,
        broken.chars().map(|c| c as u8).collect::<Vec<u8>>(),
    )
    .unwrap();
    std::fs::write(&xsd_path, flowinstance::xsd(flow).unwrap()).unwrap();
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd_path)
        .arg(&xml_path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("FlowID"));
}
