//! The submitted-case XML as Open ePlatform writes it: byte for byte against the JDK-written
//! golden file (`spec/case-xml.md` §6), and with the structure of a real Sundsvall case.

mod common;

use std::borrow::Cow;

use chrono::NaiveDateTime;
use etjanst::fill::{self, Answers, FileRef, Form, Mode};
use etjanst::flow::{self, Flow};
use etjanst::flowinstance::{
    self, Attachments, Charset, Header, Indent, Options, SignEvent, Status, User,
};
use etjanst::xml::{self, Element};

fn time(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
}

/// Files held in memory, with the ids a server gave them.
pub struct Held(Vec<(&'static str, &'static [u8], &'static str)>);

impl Attachments for Held {
    fn content(&self, file: &FileRef) -> Option<Cow<'_, [u8]>> {
        self.0
            .iter()
            .find(|(n, _, _)| *n == file.name)
            .map(|(_, c, _)| Cow::Borrowed(*c))
    }
    fn file_id(&self, file: &FileRef) -> Option<String> {
        self.0
            .iter()
            .find(|(n, _, _)| *n == file.name)
            .map(|(_, _, id)| id.to_string())
    }
}

fn load(json: &str) -> Flow {
    flow::from_json(std::path::Path::new("t.json"), json).unwrap()
}

fn case(
    flow: &Flow,
    answers: &str,
    header: &Header,
    files: &dyn Attachments,
    o: Options,
) -> Vec<u8> {
    let mut answers = Answers::from_json(flow, &serde_json::from_str(answers).unwrap()).unwrap();
    let form = Form::new(flow);
    let report = fill::check(&form, &mut answers, Mode::Complete, common::today());
    assert!(report.is_valid(), "{:?}", report.issues);
    flowinstance::write(&form, &report.states, &answers, header, files, o).unwrap()
}

const GOLDEN_FLOW: &str = r#"{
  "id": 1234, "familyId": 77, "version": 2, "name": "Anmälan – test",
  "steps": [{"id": 1, "name": "Ärendet", "queries": [
    {"id": 100, "alias": "sokande", "name": "Dina kontaktuppgifter", "defaultState": "VISIBLE_REQUIRED",
     "exported": true, "xsdElementName": "sokande", "type": "ContactDetail",
     "fieldCitizenId": "VISIBLE", "fieldName": "REQUIRED", "fieldAddress": "VISIBLE",
     "fieldCareOf": "HIDDEN", "fieldPhone": "VISIBLE", "fieldMobilePhone": "VISIBLE",
     "fieldEmail": "VISIBLE", "allowSms": true},
    {"id": 101, "name": "Datorer", "defaultState": "VISIBLE", "exported": true,
     "xsdElementName": "datorer", "type": "TextField", "fields": [
       {"id": 1, "label": "Namn"}, {"id": 2, "label": "Namn"},
       {"id": 3, "label": "E-post (privat)"},
       {"id": 4, "label": "Ange datornamnet som börjar med WB"}]},
    {"id": 102, "name": "Vad gäller ärendet?", "defaultState": "VISIBLE", "exported": true,
     "xsdElementName": "arende", "type": "RadioButton",
     "alternatives": [{"id": 1, "name": "Nybyggnad"}, {"id": 2, "name": "Tillbyggnad"}]},
    {"id": 103, "name": "Bilagor", "defaultState": "VISIBLE", "exported": true,
     "xsdElementName": "bilagor", "type": "Checkbox", "freeTextAlternative": "Annat",
     "alternatives": [{"id": 1, "name": "Ritning"}, {"id": 2, "name": "Karta & foto"}]},
    {"id": 104, "name": "Beskrivning", "defaultState": "VISIBLE", "exported": true,
     "xsdElementName": "beskrivning", "type": "TextArea"},
    {"id": 105, "name": "Filer", "defaultState": "VISIBLE", "exported": true,
     "xsdElementName": "filer", "type": "FileUpload"},
    {"id": 106, "name": "Vilken kommun?", "defaultState": "VISIBLE", "exported": true,
     "xsdElementName": "kommun", "type": "DropDown", "freeTextAlternative": "Annan kommun",
     "alternatives": [{"id": 1, "name": "Sundsvall"}]}
  ]}]
}"#;

// Checkbox alternatives in the order ticked, a text area with LF only: the writer orders and
// normalises as OeP does.
const GOLDEN_ANSWERS: &str = r#"{"answers": {
  "sokande": {"firstName": "Åsa", "lastName": "Öberg", "address": "Storgatan 1",
    "zipCode": "852 30", "postalAddress": "Sundsvall", "phone": "060-123456",
    "email": "asa@example.se", "mobilePhone": "070-1234567", "citizenId": "19121212-1212",
    "contactBySms": false},
  "101": {"1": "WB-001", "2": "WB-002", "3": "a@b.se", "4": "WB123"},
  "102": {"selected": "1"},
  "103": {"selected": ["2", "1"], "other": "Annat ”A”"},
  "104": "Rad 1\nRad 2 ]]> slut\n",
  "105": [{"name": "ritning.pdf", "size": 5}],
  "106": {"other": "Timrå"}
}}"#;

fn asa() -> User {
    User {
        first_name: Some("Åsa".into()),
        last_name: Some("Öberg".into()),
        email: Some("asa@example.se".into()),
        id: "17".into(),
    }
}

fn golden_header() -> Header {
    Header {
        flow_instance_id: Some("5001".into()),
        status: Some(Status {
            id: "42".into(),
            name: "Inskickat".into(),
        }),
        poster: Some(asa()),
        owners: vec![asa()],
        posted: Some(time("2025-01-14T19:02:11")),
        editor: Some(asa()),
        updated: Some(time("2025-01-15T09:07:44")),
        first_submitted: Some(time("2025-01-15T09:07:44")),
        last_submitted: Some(time("2025-01-15T09:07:44")),
        signing_events: vec![SignEvent {
            checksum: "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed".into(),
            date: time("2025-01-15T09:07:40"),
            signer: asa(),
        }],
        poster_citizen_identifier: None,
    }
}

fn golden_files() -> Held {
    Held(vec![("ritning.pdf", b"hello", "9001")])
}

#[test]
fn golden_file_is_reproduced_byte_for_byte() {
    let golden = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/oep/flowinstance-written-from-source.xml"
    ))
    .unwrap();
    let flow = load(GOLDEN_FLOW);
    let ours = case(
        &flow,
        GOLDEN_ANSWERS,
        &golden_header(),
        &golden_files(),
        Options::default(),
    );
    if ours != golden {
        let (a, b) = (
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&golden),
        );
        let line = a
            .lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        panic!(
            "differs at line {}:\n ours:   {:?}\n golden: {:?}",
            line + 1,
            a.lines().nth(line),
            b.lines().nth(line)
        );
    }
}

#[test]
fn utf8_variant_and_tab_indentation() {
    let flow = load(GOLDEN_FLOW);
    let options = Options {
        charset: Charset::Utf8,
        indent: Indent::Tabs,
        embed_files: true,
    };
    let ours = case(
        &flow,
        GOLDEN_ANSWERS,
        &golden_header(),
        &golden_files(),
        options,
    );
    let text = String::from_utf8(ours).expect("UTF-8 bytes");
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"));
    assert!(
        text.contains("\n\t\t<Flow>\n\t\t\t<FamilyID>77</FamilyID>\n"),
        "{text}"
    );
    // Raw UTF-8 in CDATA; the sections are no longer split for – and ”.
    assert!(
        text.contains("<Name><![CDATA[Anmälan – test]]></Name>"),
        "{text}"
    );
    assert!(text.contains("<TextAlternative><![CDATA[Annat ”A”]]></TextAlternative>"));
}

#[test]
fn preview_leaves_the_servers_part_out() {
    let flow = load(GOLDEN_FLOW);
    let header = Header::default();
    assert!(header.is_preview());
    let bytes = case(
        &flow,
        GOLDEN_ANSWERS,
        &header,
        &golden_files(),
        Options::default(),
    );
    let root = xml::parse(&xml::decode(&bytes).unwrap()).unwrap();
    let h = root.child("Header").unwrap();
    assert_eq!(names(h), ["Flow"], "nothing the server assigns is invented");
    let file = root.path("Values/filer/File")[0];
    assert_eq!(
        names(file),
        ["ID", "Name", "Size", "EncodedData"],
        "the server's file id, given"
    );
    let unstored = Held(vec![("ritning.pdf", b"hello", "")]);
    let bytes = case(
        &flow,
        GOLDEN_ANSWERS,
        &header,
        &unstored,
        Options::default(),
    );
    let root = xml::parse(&xml::decode(&bytes).unwrap()).unwrap();
    let file = root.path("Values/filer/File")[0];
    assert_eq!(
        names(file),
        ["Name", "Size", "EncodedData"],
        "no file id is invented"
    );
    assert!(root.child("SigningEvents").is_none());
}

#[test]
fn a_file_without_content_is_an_error_not_a_silent_gap() {
    let flow = load(GOLDEN_FLOW);
    let mut answers =
        Answers::from_json(&flow, &serde_json::from_str(GOLDEN_ANSWERS).unwrap()).unwrap();
    let form = Form::new(&flow);
    let report = fill::check(&form, &mut answers, Mode::Complete, common::today());
    let err = flowinstance::write(
        &form,
        &report.states,
        &answers,
        &Header::default(),
        &flowinstance::NoAttachments,
        Options::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("ritning.pdf"), "{err}");
}

// The real Sundsvall case's flow, as far as its public query types go.
const SUNDSVALL_FLOW: &str = r#"{
  "id": 2411, "familyId": 832, "version": 4, "name": "Anmälan om sjukfrånvaro",
  "steps": [{"id": 1, "name": "Frånvaron", "queries": [
    {"id": 66867, "name": "Gäller det sjukfrånvaro för en", "defaultState": "VISIBLE_REQUIRED",
     "exported": true, "xsdElementName": "employmentType", "type": "RadioButton",
     "alternatives": [{"id": 1, "name": "Månadsavlönad"}, {"id": 2, "name": "Timavlönad"}],
     "evaluators": [{"id": 9, "targets": [66897],
       "rule": {"type": "QueryState", "alternatives": [2], "state": "VISIBLE"}}]},
    {"id": 66897, "name": "Antal timmar", "defaultState": "HIDDEN",
     "exported": true, "xsdElementName": "hours", "type": "TextArea"},
    {"id": 66901, "name": "Sjukskrivningsperioden from tom", "defaultState": "VISIBLE_REQUIRED",
     "exported": true, "xsdElementName": "sickNotePeriodRow1", "type": "TextField",
     "fields": [{"id": 1, "alias": "fran", "label": "Datum från"},
                {"id": 2, "alias": "till", "label": "Till", "xsdElementName": "Datum_till"}]},
    {"id": 66950, "name": "Intern anteckning", "defaultState": "VISIBLE",
     "exported": false, "type": "TextArea"}
  ]}]
}"#;

const SUNDSVALL_ANSWERS: &str = r#"{"answers": {
  "66867": {"selected": "1"},
  "66901": {"fran": "2024-11-30", "till": "2024-12-08"},
  "66950": "inte med i XML"
}}"#;

fn names(e: &Element) -> Vec<&str> {
    e.elements().map(|c| c.name.as_str()).collect()
}

fn real() -> (String, Element) {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/oep/flowinstance-sundsvall-sjukfranvaro.xml"
    ))
    .unwrap();
    let src = xml::decode(&bytes).unwrap();
    let root = xml::parse(&src).unwrap();
    (src, root)
}

fn ours_bytes() -> Vec<u8> {
    let flow = load(SUNDSVALL_FLOW);
    let user = User {
        first_name: Some("Namn".into()),
        last_name: Some("Efternamn".into()),
        email: Some("namn.efternamn@sundsvall.se".into()),
        id: "17811".into(),
    };
    let header = Header {
        poster: Some(user.clone()),
        owners: vec![user],
        flow_instance_id: Some("235212".into()),
        status: Some(Status {
            id: "17453".into(),
            name: "Preliminär".into(),
        }),
        posted: Some(time("2024-12-05T21:41:45")),
        first_submitted: Some(time("2024-12-05T21:41:45")),
        last_submitted: Some(time("2024-12-05T21:41:45")),
        ..Header::default()
    };
    // The real file is indented with TABs.
    let options = Options {
        indent: Indent::Tabs,
        ..Options::default()
    };
    case(
        &flow,
        SUNDSVALL_ANSWERS,
        &header,
        &flowinstance::NoAttachments,
        options,
    )
}

fn ours() -> (String, Element) {
    let bytes = ours_bytes();
    assert!(
        bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\" standalone=\"no\"?>\n")
    );
    let src = xml::decode(&bytes).unwrap();
    let root = xml::parse(&src).unwrap();
    (src, root)
}

#[test]
fn header_has_the_real_structure() {
    let (_, real) = real();
    let (text, ours) = ours();
    assert_eq!(ours.name, real.name);
    assert!(text.contains(&format!("xmlns=\"{}\"", flowinstance::NAMESPACE)));
    assert!(text.contains("xsi:schemaLocation=\"http://www.oeplatform.org/version/2.0/schemas/flowinstance schema-2411.xsd\""));
    let rh = real.child("Header").unwrap();
    let oh = ours.child("Header").unwrap();
    assert_eq!(names(oh), names(rh));
    for part in ["Flow", "Status"] {
        assert_eq!(
            names(oh.child(part).unwrap()),
            names(rh.child(part).unwrap())
        );
    }
    for e in [
        "FlowInstanceID",
        "Posted",
        "FirstSubmitted",
        "LastSubmitted",
    ] {
        assert_eq!(
            oh.child_text(e),
            rh.child_text(e),
            "{e} is written in OeP's format"
        );
    }
    assert_eq!(
        oh.child("Flow").unwrap().child_text("Name"),
        rh.child("Flow").unwrap().child_text("Name")
    );
}

/// The bytes from `<Header>` to `</Header>`.
fn header_bytes(doc: &[u8]) -> &[u8] {
    let find = |needle: &[u8]| doc.windows(needle.len()).position(|w| w == needle).unwrap();
    &doc[find(b"\t<Header>")..find(b"</Header>\n") + 10]
}

#[test]
fn header_bytes_equal_the_real_case() {
    let real = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/oep/flowinstance-sundsvall-sjukfranvaro.xml"
    ))
    .unwrap();
    let ours = ours_bytes();
    assert_eq!(
        String::from_utf8_lossy(header_bytes(&ours)),
        String::from_utf8_lossy(header_bytes(&real))
    );
    assert_eq!(header_bytes(&ours), header_bytes(&real));
}

#[test]
fn values_have_the_real_element_shapes() {
    let (real_text, real) = real();
    let (text, ours) = ours();
    let rv = real.child("Values").unwrap();
    let ov = ours.child("Values").unwrap();
    for element in ["employmentType", "sickNotePeriodRow1"] {
        let r = rv.child(element).unwrap();
        let o = ov.child(element).unwrap();
        assert_eq!(names(o), names(r), "children of {element}");
        assert_eq!(o.child_text("QueryID"), r.child_text("QueryID"));
        assert_eq!(o.child_text("Name"), r.child_text("Name"));
    }
    // "Datum från" gets its generated name, as in the real case.
    assert_eq!(
        ov.child("sickNotePeriodRow1")
            .unwrap()
            .child_text("Datum_fran"),
        Some("2024-11-30".into())
    );
    for t in [&real_text, &text] {
        assert!(t.contains("<Name><![CDATA[Sjukskrivningsperioden from tom]]></Name>"));
        assert!(t.contains("<Datum_fran><![CDATA[2024-11-30]]></Datum_fran>"));
        assert!(t.contains("<Value>Månadsavlönad</Value>"));
    }
}

#[test]
fn hidden_and_unexported_queries_are_left_out() {
    let (_, ours) = ours();
    let values = ours.child("Values").unwrap();
    assert_eq!(names(values), ["employmentType", "sickNotePeriodRow1"]);
}

/// Any attached file: its declared size of bytes.
struct Filler;

impl Attachments for Filler {
    fn content(&self, file: &FileRef) -> Option<Cow<'_, [u8]>> {
        Some(Cow::Owned(vec![b'x'; file.size as usize]))
    }
}

#[test]
fn repeating_groups_are_the_numbered_copies_an_exported_flow_has() {
    use etjanst::fill::Answer;
    use etjanst::flow::{QueryKind, numbered, oeflow};
    let catalogue = common::catalogue();
    let mut groups_seen = 0;
    for flow in catalogue.flows() {
        let Some((group, g)) = flow.queries().find_map(|q| match &q.kind {
            QueryKind::RepeatingGroup(g) => Some((q, g)),
            _ => None,
        }) else {
            continue;
        };
        let (_, mut answers) = common::example(flow);
        let form = Form::new(flow);
        let report = fill::check(&form, &mut answers, Mode::Complete, common::today());
        let ours = flowinstance::write(
            &form,
            &report.states,
            &answers,
            &Header::default(),
            &Filler,
            Options::default(),
        )
        .unwrap();

        // The same case filled in the flow as Open ePlatform imports it from our export.
        let exported = oeflow::import(oeflow::export(flow).as_bytes()).unwrap();
        flow::check(&exported).unwrap();
        let mut plain = Answers::default();
        for (id, answer) in &answers.values {
            match answer {
                Answer::Rows(rows) if *id == group.id => {
                    let count = numbered::count_alternative(group, rows.len());
                    plain.set(
                        id,
                        Some(Answer::Choice(fill::Choice {
                            selected: vec![count],
                            other: None,
                        })),
                    );
                    for (r, row) in rows.iter().enumerate() {
                        for sub in &g.queries {
                            if let Some(a) = row.get(&sub.id) {
                                let copy = numbered::copy(sub, r as u32 + 1);
                                plain.set(&copy.id, Some(a.clone()));
                            }
                        }
                    }
                }
                _ => plain.set(id, Some(answer.clone())),
            }
        }
        let form = Form::new(&exported);
        let report = fill::check(&form, &mut plain, Mode::Complete, common::today());
        assert!(report.is_valid(), "{}: {:?}", flow.id, report.issues);
        let theirs = flowinstance::write(
            &form,
            &report.states,
            &plain,
            &Header::default(),
            &Filler,
            Options::default(),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs),
            "{}",
            flow.id
        );
        let text = String::from_utf8_lossy(&ours);
        let sub = g.queries[0].xsd_element_name.as_deref().unwrap();
        assert!(text.contains(&format!("<{sub}Row1>")), "{text}");
        groups_seen += 1;
    }
    assert!(groups_seen >= 3, "{groups_seen} flows with groups");
}

#[test]
fn personnummer_and_contact_values_are_written_as_open_eplatform_stores_them() {
    let flow = load(
        r#"{"id": 77, "name": "Personer", "steps": [{"id": 1, "name": "S", "queries": [
          {"id": 1, "name": "Barnet", "defaultState": "VISIBLE_REQUIRED", "exported": true,
           "xsdElementName": "barn", "type": "TextField", "fields": [
             {"id": 1, "label": "Personnummer", "required": true,
              "formatValidator": "se.unlogic.standardutils.populators.SocialSecurityPopulator"}]},
          {"id": 2, "name": "Kontakt", "defaultState": "VISIBLE_REQUIRED", "exported": true,
           "xsdElementName": "kontakt", "type": "ContactDetail", "fieldCitizenId": "REQUIRED",
           "fieldMobilePhone": "REQUIRED", "fieldEmail": "HIDDEN", "fieldAddress": "HIDDEN",
           "fieldPhone": "HIDDEN", "allowSms": true},
          {"id": 3, "name": "Föreningen", "defaultState": "VISIBLE_REQUIRED", "exported": true,
           "xsdElementName": "forening", "type": "OrganizationDetail", "fieldAddress": "HIDDEN",
           "allowSms": true}
        ]}]}"#,
    );
    let answers = r#"{"answers": {
      "1": {"1": " 201212121212 "},
      "2": {"firstName": "  Kim ", "lastName": "Ek", "citizenId": "121212-1212",
            "mobilePhone": "070-123 45 67"},
      "3": {"name": "Lindesbergs schackklubb", "organizationNumber": "802412-3450",
            "firstName": "Maria", "lastName": "Ek", "email": "maria@exempel.se",
            "contactBySms": true}
    }}"#;
    let header = Header {
        poster_citizen_identifier: Some("191212121212".into()),
        ..Header::default()
    };
    let bytes = case(
        &flow,
        answers,
        &header,
        &flowinstance::NoAttachments,
        Options::default(),
    );
    let text = xml::decode(&bytes).unwrap();
    // The separator OeP's SocialSecurityPopulator needs is inserted; the contact's number is
    // 12 digits without one; values are trimmed.
    assert!(
        text.contains("<Personnummer><![CDATA[20121212-1212]]></Personnummer>"),
        "{text}"
    );
    assert!(text.contains("<SocialSecurityNumber><![CDATA[201212121212]]></SocialSecurityNumber>"));
    assert!(text.contains("<Firstname><![CDATA[Kim]]></Firstname>"));
    // Mobile required and e-mail hidden: OeP forces ContactBySMS to true.
    assert!(text.contains("<ContactBySMS><![CDATA[true]]></ContactBySMS>\n        </kontakt>"));
    let root = xml::parse(&text).unwrap();
    let org = root.path("Values/forening")[0];
    assert_eq!(
        names(org),
        [
            "QueryID",
            "Name",
            "OrganizationName",
            "OrganizationNumber",
            "CitizenIdentifier",
            "Firstname",
            "Lastname",
            "Email",
            "ContactBySMS"
        ]
    );
    assert_eq!(
        org.child_text("CitizenIdentifier").as_deref(),
        Some("191212121212")
    );
}

/// A case several people signed (both guardians, a co-applicant): one SignEvent each, in the
/// order they signed, each with the same signed checksum and its own signer.
#[test]
fn a_case_signed_by_two_lists_both_sign_events_in_order() {
    let flow = load(GOLDEN_FLOW);
    let jonas = User {
        first_name: Some("Jonas".into()),
        last_name: Some("Öberg".into()),
        email: None,
        id: "199306102394".into(),
    };
    let mut header = golden_header();
    header.signing_events.push(SignEvent {
        checksum: header.signing_events[0].checksum.clone(),
        date: time("2025-01-15T10:30:02"),
        signer: jonas,
    });
    let xml = case(
        &flow,
        GOLDEN_ANSWERS,
        &header,
        &golden_files(),
        Options::default(),
    );
    let text = encoding_rs::WINDOWS_1252.decode(&xml).0.into_owned();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let events: Vec<(String, String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("SignEvent"))
        .map(|e| {
            let child = |name: &str| {
                e.descendants()
                    .find(|n| n.has_tag_name(name))
                    .and_then(|n| n.text())
                    .unwrap_or_default()
                    .to_string()
            };
            (child("Date"), child("Firstname"), child("SignedChecksum"))
        })
        .collect();
    assert_eq!(events.len(), 2, "{text}");
    assert_eq!(events[0].1, "Åsa");
    assert_eq!(events[1].1, "Jonas");
    assert!(events[0].0 < events[1].0, "in the order they signed");
    assert_eq!(events[0].2, events[1].2, "both signed the same checksum");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("SigningEvents"))
            .count(),
        1
    );
}
