//! "Mina uppgifter": the citizen's own details fill the applicant's questions — the first
//! contact details, organisation details, and single text fields that ask for the applicant's
//! own personnummer, e-mail or phone — never another person's, never over what was typed; kept
//! encrypted, and erased without a trace.

mod common;

use etjanst::fill::{Answer, Answers, Form, Mode};
use etjanst::profile::{self, Profile};

fn me() -> Profile {
    Profile {
        first_name: Some("Tolvan".into()),
        last_name: Some("Tolvansson".into()),
        personnummer: Some("199908072391".into()),
        address: Some("Storgatan 1".into()),
        zip_code: Some("711 30".into()),
        postal_address: Some("Lindesberg".into()),
        mobile_phone: Some("070-123 45 67".into()),
        email: Some("tolvan@exempel.se".into()),
        organization_name: Some("Lindesbergs schackklubb".into()),
        organization_number: Some("802400-1235".into()),
        ..Default::default()
    }
}

fn contact<'a>(answers: &'a Answers, query: &str) -> Option<&'a etjanst::fill::ContactAnswer> {
    match answers.get(query) {
        Some(Answer::Contact(c)) => Some(c),
        _ => None,
    }
}

#[test]
fn only_the_applicants_contact_details_are_filled_not_the_other_guardians_nor_the_childs() {
    let catalogue = common::catalogue();
    let flow = catalogue.flow("forskoleplats").unwrap();
    let form = Form::new(flow);
    let mut answers = Answers::default();
    let filled = profile::prefill(&form, &mut answers, &me());
    let applicant = contact(&answers, "4101").expect("the applicant's details");
    assert_eq!(applicant.first_name.as_deref(), Some("Tolvan"));
    assert_eq!(applicant.citizen_id.as_deref(), Some("19990807-2391"));
    assert_eq!(applicant.email.as_deref(), Some("tolvan@exempel.se"));
    assert!(
        contact(&answers, "4103").is_none(),
        "the second guardian is someone else"
    );
    assert!(
        answers.get("4104").is_none(),
        "the child's personnummer is not mine"
    );
    assert!(filled.iter().all(|f| f.query == "4101"), "{filled:?}");
    assert!(filled.iter().any(|f| f.field == "citizenId"));
    // What the form shows is marked, until the citizen changes it.
    assert_eq!(profile::marks(&form, &answers, &me()), filled);
    if let Some(Answer::Contact(c)) = answers.values.get_mut("4101") {
        c.email = Some("annan@exempel.se".into());
    }
    let marked = profile::marks(&form, &answers, &me());
    assert!(!marked.iter().any(|f| f.field == "email"), "{marked:?}");
    assert!(marked.iter().any(|f| f.field == "firstName"));
    // Filled again, nothing typed is overwritten.
    profile::prefill(&form, &mut answers, &me());
    assert_eq!(
        contact(&answers, "4101").unwrap().email.as_deref(),
        Some("annan@exempel.se")
    );
    let report = etjanst::fill::check(&form, &mut answers, Mode::Draft, common::today());
    assert!(report.is_valid(), "{:?}", report.issues);
}

#[test]
fn an_organisation_query_gets_the_organisation_and_its_contact_person() {
    let catalogue = common::catalogue();
    let flow = catalogue.flow("foreningsbidrag").unwrap();
    let form = Form::new(flow);
    let mut answers = Answers::default();
    profile::prefill(&form, &mut answers, &me());
    let Some(Answer::Organization(o)) = answers.get("3101") else {
        panic!("the organisation is not filled")
    };
    assert_eq!(o.name.as_deref(), Some("Lindesbergs schackklubb"));
    assert_eq!(o.organization_number.as_deref(), Some("802400-1235"));
    assert_eq!(o.first_name.as_deref(), Some("Tolvan"));
    // Without an organisation in the profile, the query is left alone.
    let mut answers = Answers::default();
    let mut private = me();
    private.organization_name = None;
    profile::prefill(&form, &mut answers, &private);
    assert!(answers.get("3101").is_none());
}

#[test]
fn a_text_field_asking_for_my_own_personnummer_is_filled_and_one_about_someone_else_is_not() {
    let flow = etjanst::flow::from_json(
        std::path::Path::new("t.json"),
        r#"{ "id": 9001, "name": "Anmälan", "steps": [{ "id": 1, "name": "Uppgifter", "queries": [
          { "id": 11, "name": "Om dig", "type": "TextField", "defaultState": "VISIBLE", "fields": [
            { "id": 111, "label": "Ditt personnummer", "formatValidator": "personnummer" },
            { "id": 112, "label": "E-post", "formatValidator": "epost" },
            { "id": 113, "label": "Yrke" },
            { "id": 114, "label": "Telefon dagtid", "formatValidator": "telefon" },
            { "id": 115, "label": "Postnummer", "formatValidator": "postnummer" } ] },
          { "id": 12, "name": "Om din make eller maka", "type": "TextField", "defaultState": "VISIBLE", "fields": [
            { "id": 121, "label": "Personnummer", "formatValidator": "personnummer" } ] }
        ]}]}"#,
    )
    .unwrap();
    let form = Form::new(&flow);
    let mut answers = Answers::default();
    profile::prefill(&form, &mut answers, &me());
    let Some(Answer::Fields(f)) = answers.get("11") else {
        panic!("nothing filled")
    };
    assert_eq!(f.get("111").map(String::as_str), Some("19990807-2391"));
    assert_eq!(f.get("112").map(String::as_str), Some("tolvan@exempel.se"));
    assert!(!f.contains_key("113"));
    // The mobile phone where both are kept (the one that answers when out).
    assert_eq!(f.get("114").map(String::as_str), Some("070-123 45 67"));
    assert_eq!(f.get("115").map(String::as_str), Some("711 30"));
    assert!(
        answers.get("12").is_none(),
        "the partner's personnummer is not mine"
    );
}

#[test]
fn a_profile_is_checked_as_forms_check_and_normalised() {
    let mut p = me();
    p.personnummer = Some("990807-2391".into());
    let checked = p.checked(common::today()).unwrap();
    assert_eq!(checked.personnummer.as_deref(), Some("199908072391"));
    p.personnummer = Some("19990807-2392".into());
    p.email = Some("inte en adress".into());
    let invalid = p.checked(common::today()).unwrap_err();
    let fields: Vec<&str> = invalid.iter().map(|i| i.field).collect();
    assert_eq!(fields, ["personnummer", "email"]);
    assert!(invalid.iter().all(|i| !i.message.is_empty()));
}

#[test]
fn the_profile_is_kept_encrypted_and_erasing_it_leaves_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::etjanst_with(
        dir.path(),
        "korrekt häst batteri häftklammer",
        &[("ETJANST_SCRYPT_LOG_N", "10")],
        &[
            "profile",
            "set",
            "--first-name",
            "Ingeborg",
            "--last-name",
            "Qvarnström",
            "--personnummer",
            "19990807-2391",
            "--email",
            "ingeborg@exempel.se",
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let marker = "Qvarnström";
    let holding = || -> Vec<std::path::PathBuf> {
        common::walk(dir.path())
            .into_iter()
            .filter(|p| {
                let b = std::fs::read(p).unwrap_or_default();
                b.windows(marker.len()).any(|w| w == marker.as_bytes())
            })
            .collect()
    };
    assert!(holding().is_empty(), "in clear: {:?}", holding());
    let out = common::etjanst_with(
        dir.path(),
        "korrekt häst batteri häftklammer",
        &[("ETJANST_SCRYPT_LOG_N", "10")],
        &["profile", "show"],
    );
    let shown = common::stdout(&out);
    assert!(
        shown.contains("Qvarnström") && shown.contains("199908072391"),
        "{shown}"
    );

    // `check --profile`: the applicant's questions come from the profile.
    let answers = dir.path().join("svar.json");
    std::fs::write(&answers, r#"{"answers": {}}"#).unwrap();
    let out = common::etjanst_with(
        dir.path(),
        "korrekt häst batteri häftklammer",
        &[("ETJANST_SCRYPT_LOG_N", "10")],
        &[
            "check",
            "forskoleplats",
            "--answers",
            answers.to_str().unwrap(),
            "--json",
            "--draft",
            "--profile",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&out)).unwrap();
    assert_eq!(v["valid"], true, "{v}");

    let out = common::etjanst_with(
        dir.path(),
        "korrekt häst batteri häftklammer",
        &[("ETJANST_SCRYPT_LOG_N", "10")],
        &["profile", "erase"],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let out = common::etjanst_with(
        dir.path(),
        "korrekt häst batteri häftklammer",
        &[("ETJANST_SCRYPT_LOG_N", "10")],
        &["profile", "show", "--json"],
    );
    assert_eq!(common::stdout(&out).trim(), "{}");
    assert!(holding().is_empty());
}

#[test]
fn what_the_applicant_typed_is_offered_for_the_profile_and_taken_only_when_asked() {
    let catalogue = common::catalogue();
    let flow = catalogue.flow("forskoleplats").unwrap();
    let form = Form::new(flow);
    let (_, answers) = common::example(flow);
    let today = common::today();
    // An empty profile: the applicant's details are offered, the second guardian's never.
    assert_eq!(
        profile::offer_to_keep(&form, &answers, &Profile::default(), today).as_deref(),
        Some("4101")
    );
    let taken = profile::take(&form, &answers, &Profile::default());
    assert_eq!(taken.first_name.as_deref(), Some("Åsa"));
    assert_eq!(taken.email.as_deref(), Some("asa.oberg@exempel.se"));
    let kept = taken.checked(today).unwrap();
    assert_eq!(kept.personnummer.as_deref(), Some("199205052385"));
    // Once kept, nothing more to offer.
    assert_eq!(profile::offer_to_keep(&form, &answers, &kept, today), None);
    // The organisation in the profile stays when the form asks no organisation.
    let with_org = Profile {
        organization_name: Some("Schackklubben".into()),
        ..kept.clone()
    };
    assert_eq!(
        profile::take(&form, &answers, &with_org)
            .organization_name
            .as_deref(),
        Some("Schackklubben")
    );
}
