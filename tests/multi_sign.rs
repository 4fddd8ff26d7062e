//! Open ePlatform's ManualMultiSignQuery ("Flerpartssigneringsfråga"): the applicant names
//! another person who must sign. Read from `.oeflow` and written back, filled as contact
//! details, that person asked to sign in the role the query's name gives, and written into the
//! case XML in the query's own five children (`spec/case-xml.md` §4.8).

mod common;

use etjanst::fill::{self, Answers, Form, Mode, Problem};
use etjanst::flow::{FieldMode, QueryKind, oeflow};
use etjanst::flowinstance::{self, Options};

const FLOW: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" standalone="no"?>
<Flow>
    <flowID>88</flowID>
    <name>Ansökan om bostadsanpassningsbidrag</name>
    <Steps><Step><stepID>1</stepID><name>Sökande</name><sortIndex>0</sortIndex>
        <QueryDescriptors>
            <QueryDescriptor>
                <queryID>20</queryID><name>Dina uppgifter</name><sortIndex>0</sortIndex>
                <defaultQueryState>VISIBLE_REQUIRED</defaultQueryState>
                <queryTypeID>com.nordicpeak.flowengine.queries.contactdetailquery.ContactDetailQueryProviderModule</queryTypeID>
                <exported>true</exported><xsdElementName>sokande</xsdElementName>
                <mergeWithPreviousQuery>false</mergeWithPreviousQuery>
                <ContactDetailQuery><queryID>20</queryID><fieldCitizenID>REQUIRED</fieldCitizenID>
                    <fieldName>REQUIRED</fieldName><fieldAddress>HIDDEN</fieldAddress><fieldPhone>HIDDEN</fieldPhone>
                    <fieldMobilePhone>HIDDEN</fieldMobilePhone><fieldEmail>HIDDEN</fieldEmail></ContactDetailQuery>
            </QueryDescriptor>
            <QueryDescriptor>
                <queryID>21</queryID><name>Fastighetsägare</name><sortIndex>1</sortIndex>
                <defaultQueryState>VISIBLE_REQUIRED</defaultQueryState>
                <queryTypeID>com.nordicpeak.flowengine.queries.manualmultisignquery.ManualMultiSignQueryProviderModule</queryTypeID>
                <exported>true</exported><xsdElementName>agare</xsdElementName>
                <mergeWithPreviousQuery>false</mergeWithPreviousQuery>
                <ManualMultiSignQuery><queryID>21</queryID>
                    <hideCitizenIdetifierInPDF>false</hideCitizenIdetifierInPDF>
                    <setMultipartsAsOwners>true</setMultipartsAsOwners>
                    <preventPostersCitizenIdentifier>true</preventPostersCitizenIdentifier>
                    <requireContactInfoVerification>false</requireContactInfoVerification>
                </ManualMultiSignQuery>
            </QueryDescriptor>
        </QueryDescriptors>
    </Step></Steps>
</Flow>"#;

/// The file as Open ePlatform writes it: ISO-8859-1, as it declares.
fn latin1(s: &str) -> Vec<u8> {
    s.chars().map(|c| u8::try_from(c as u32).unwrap()).collect()
}

fn answers(owner_pnr: &str) -> serde_json::Value {
    serde_json::json!({ "answers": {
        "20": { "citizenId": "199908072391", "firstName": "Tolvan", "lastName": "Tolvansson" },
        "21": { "citizenId": owner_pnr, "firstName": "Åsa", "lastName": "Öberg",
                "email": "asa.oberg@exempel.se" }
    }})
}

#[test]
fn a_multi_sign_query_is_read_written_back_and_names_a_signer_in_its_role() {
    let flow = oeflow::import(&latin1(FLOW)).unwrap();
    let QueryKind::ContactDetail(c) = &flow.query("21").unwrap().kind else {
        panic!("the multi-sign query is not filled as contact details")
    };
    let m = c.manual_multi_sign.as_ref().expect("its settings are kept");
    assert!(m.set_multiparts_as_owners && m.prevent_posters_citizen_identifier);
    assert!(!m.hide_citizen_identifier_in_pdf);
    assert_eq!(c.signs.as_deref(), Some("Fastighetsägare"));
    assert_eq!(c.field_citizen_id, FieldMode::Required);
    assert_eq!(c.field_address, FieldMode::Hidden);

    let exported = oeflow::export(&flow);
    assert!(exported.contains("<ManualMultiSignQuery>"), "{exported}");
    assert!(exported.contains("manualmultisignquery.ManualMultiSignQueryProviderModule"));
    assert!(
        exported
            .contains("<preventPostersCitizenIdentifier>true</preventPostersCitizenIdentifier>")
    );
    assert_eq!(oeflow::import(exported.as_bytes()).unwrap(), flow);

    let form = Form::new(&flow);
    let mut a = Answers::from_json(&flow, &answers("19920505-2385")).unwrap();
    let report = fill::check(&form, &mut a, Mode::Complete, common::today());
    assert!(report.is_valid(), "{:?}", report.issues);
    // The applicant is the contact query's person, never the multi-sign query's.
    assert_eq!(fill::applicant(&form, &a).as_deref(), Some("199908072391"));
    let parties = fill::signing_parties(&form, &a, fill::Lang::Sv);
    let roles: Vec<(&str, &str)> = parties
        .iter()
        .map(|p| (p.role.as_str(), p.personnummer.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            ("Sökande", "199908072391"),
            ("Fastighetsägare", "199205052385")
        ]
    );

    // The case: the query's five children, in its own element name.
    let xml = flowinstance::write(
        &form,
        &report.states,
        &a,
        &Default::default(),
        &flowinstance::NoAttachments,
        Options::default(),
    )
    .unwrap();
    let text: String = xml.iter().map(|&b| b as char).collect();
    let start = text.find("<agare>").expect("the query is written");
    let end = text.find("</agare>").unwrap();
    let part = &text[start..end];
    let children: Vec<&str> = [
        "Firstname",
        "Lastname",
        "Email",
        "MobilePhone",
        "SocialSecurityNumber",
    ]
    .into_iter()
    .filter(|c| part.contains(&format!("<{c}>")))
    .collect();
    assert_eq!(
        children,
        ["Firstname", "Lastname", "Email", "SocialSecurityNumber"],
        "no mobile phone given: {part}"
    );
    assert!(
        part.contains("<SocialSecurityNumber><![CDATA[199205052385]]>"),
        "{part}"
    );
    assert!(
        !part.contains("CareOf") && !part.contains("ContactBySMS"),
        "{part}"
    );
    let xsd: String = flowinstance::xsd(&flow)
        .unwrap()
        .iter()
        .map(|&b| b as char)
        .collect();
    assert!(xsd.contains("ManualMultiSignQuery21"), "{xsd}");
}

#[test]
fn the_other_signer_may_not_be_the_applicant() {
    let flow = oeflow::import(&latin1(FLOW)).unwrap();
    let form = Form::new(&flow);
    let mut a = Answers::from_json(&flow, &answers("19990807-2391")).unwrap();
    let report = fill::check(&form, &mut a, Mode::Complete, common::today());
    let issue = report
        .issues
        .iter()
        .find(|i| i.query == "21")
        .expect("the applicant named as the other signer");
    assert_eq!(issue.problem, Problem::SameAsApplicant);
    assert_eq!(issue.field.as_deref(), Some("citizenId"));
    assert!(
        issue
            .message(fill::Lang::Sv)
            .contains("sökandens eget personnummer")
    );
}

/// `hideCitizenIdetifierInPDF`: the other signer's personnummer is shown on screen (the review
/// reads it) but left off the paper; their name stays, and so does the applicant's number.
#[test]
fn the_other_signers_personnummer_is_left_off_the_paper_when_the_query_says_so() {
    let text_of = |hide: bool| {
        let flow = oeflow::import(&latin1(&FLOW.replace(
            "<hideCitizenIdetifierInPDF>false",
            &format!("<hideCitizenIdetifierInPDF>{hide}"),
        )))
        .unwrap();
        let form = Form::new(&flow);
        let mut a = Answers::from_json(&flow, &answers("19121212-1212")).unwrap();
        let report = fill::check(&form, &mut a, Mode::Complete, common::today());
        assert!(report.is_valid(), "{:?}", report.issues);
        let review: Vec<String> = fill::summary(&form, &report.states, &a, fill::Lang::Sv)
            .iter()
            .flat_map(|s| &s.rows)
            .flat_map(|r| r.lines.iter().map(|l| l.text()))
            .collect();
        assert!(
            review.iter().any(|l| l.contains("19121212")),
            "the review does not show it: {review:?}"
        );
        let options = etjanst::pdf::PdfOptions {
            created: chrono::NaiveDate::from_ymd_opt(2026, 12, 4)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
            publisher: "Lindesbergs kommun".into(),
            by_post: true,
            qr: false,
        };
        let pdf = etjanst::pdf::filled(&form, &report.states, &a, &options).unwrap();
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(file.path())
            .arg("-")
            .output()
            .expect("pdftotext is needed (apt-get install poppler-utils)");
        String::from_utf8(out.stdout).unwrap()
    };
    let shown = text_of(false);
    assert!(shown.contains("19121212"), "{shown}");
    let hidden = text_of(true);
    assert!(!hidden.contains("19121212"), "{hidden}");
    assert!(hidden.contains("Öberg"), "{hidden}");
    assert!(hidden.contains("199908072391"), "{hidden}");
}
