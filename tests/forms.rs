//! The embedded default catalogue: what a first start with no network offers.

mod common;

use std::collections::BTreeSet;

use etjanst::fill::{self, Answer, Choice, Form, Mode, Problem};
use etjanst::flow::{Flow, QueryKind, QueryState};

#[test]
fn catalogue_is_a_realistic_municipality() {
    let c = common::catalogue();
    assert!(c.services.len() >= 15, "{} services", c.services.len());
    assert!(c.flows().len() >= 8);
    // Embedded flows are parsed when asked for: every one of them must parse.
    for s in c.services.iter().filter(|s| s.flow.is_some()) {
        let flow = c.flow(&s.id).unwrap_or_else(|e| panic!("{}: {e}", s.id));
        assert!(flow.answers_to(&s.id), "{} is {}", s.id, flow.id);
        assert!(
            etjanst::flow::int_id::is_int_id(&flow.id),
            "{}: integer ids",
            s.id
        );
    }
    let oeflow = c
        .services
        .iter()
        .filter(|s| s.flow.as_deref().is_some_and(|f| f.ends_with(".oeflow")))
        .count();
    assert!(oeflow >= 2, "at least two flows ship as .oeflow");
    let used: BTreeSet<_> = c.services.iter().map(|s| s.category.as_str()).collect();
    for category in &used {
        assert!(c.categories.iter().any(|x| x == category), "{category}");
    }
    assert!(
        used.len() >= 7,
        "services span the OeP categories: {used:?}"
    );
    let caps: Vec<_> = c.services.iter().map(|s| c.capabilities(s)).collect();
    assert!(
        caps.iter().any(|k| k.blankett && !k.fill_offline),
        "print-only services"
    );
    assert!(caps.iter().any(|k| k.web_only), "external links");
    assert!(caps.iter().any(|k| k.fill_offline && !k.needs_eid));
    assert!(caps.iter().any(|k| k.fill_offline && k.needs_eid));
    for s in &c.services {
        for b in &s.blanketter {
            assert!(c.blankett(b).unwrap().starts_with(b"%PDF"), "{}", b.file);
        }
        if s.flow.is_some() {
            let flow = c.flow(&s.id).unwrap();
            assert_eq!(flow.name, s.name, "catalogue and flow agree on {}", s.id);
            assert_eq!(flow.requires_signing, s.requires_signing, "{}", s.id);
            assert_eq!(
                flow.requires_authentication, s.requires_authentication,
                "{}",
                s.id
            );
        }
    }
}

#[test]
fn fillable_flows_use_every_supported_query_type_and_construct() {
    let c = common::catalogue();
    let mut types = BTreeSet::new();
    let mut cascade = false;
    let mut stop_by_evaluator = false;
    let mut group = false;
    for flow in c.flows() {
        for q in flow.queries() {
            types.insert(q.kind.type_name().to_string());
            if let QueryKind::RepeatingGroup(g) = &q.kind {
                group = true;
                for sub in &g.queries {
                    types.insert(sub.kind.type_name().to_string());
                }
            }
            for ev in &q.evaluators {
                for t in &ev.targets {
                    let target = flow.query(t).unwrap();
                    cascade |= !target.evaluators.is_empty();
                    stop_by_evaluator |= matches!(target.kind, QueryKind::Stop(_));
                }
            }
        }
    }
    for t in [
        "TextField",
        "TextArea",
        "RadioButton",
        "Checkbox",
        "DropDown",
        "FileUpload",
        "ContactDetail",
        "OrganizationDetail",
        "FileInfo",
        "Stop",
        "RepeatingGroup",
    ] {
        assert!(types.contains(t), "no flow uses {t}: {types:?}");
    }
    assert!(
        cascade,
        "an evaluator targets a query that has evaluators itself"
    );
    assert!(stop_by_evaluator, "a StopQuery is shown by an evaluator");
    assert!(group);
}

#[test]
fn every_example_is_complete_and_valid_and_untouched_by_evaluation() {
    let c = common::catalogue();
    for flow in c.flows() {
        let (name, mut answers) = common::example(flow);
        let before = answers.clone();
        let form = Form::new(flow);
        let report = fill::check(&form, &mut answers, Mode::Complete, common::today());
        let messages: Vec<_> = report
            .issues
            .iter()
            .map(|i| format!("{} {:?}: {}", i.query, i.field, i.message(fill::Lang::Sv)))
            .collect();
        assert!(report.is_valid(), "{name}: {messages:#?}");
        assert_eq!(
            answers, before,
            "{name}: the example answers a hidden query"
        );
        // Every answered query is visible, and every visible required query is answered.
        for (i, q) in form.queries().iter().enumerate() {
            let state = report.states.get(i);
            if state == QueryState::VisibleRequired && q.kind.type_name() != "Stop" {
                assert!(answers.get(&q.id).is_some(), "{name}: {} unanswered", q.id);
            }
        }
    }
}

#[test]
fn examples_and_flows_round_trip_through_json() {
    let c = common::catalogue();
    for flow in c.flows() {
        let json = serde_json::to_string(flow).unwrap();
        let back = etjanst::flow::from_json(std::path::Path::new("x.json"), &json).unwrap();
        assert_eq!(&back, flow);
        let (_, answers) = common::example(flow);
        let doc = answers.to_json(flow);
        assert_eq!(
            etjanst::fill::Answers::from_json(flow, &doc).unwrap(),
            answers
        );
    }
}

#[test]
fn published_json_schema_is_current() {
    let path = common::forms_dir().join("flow.schema.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        committed,
        etjanst::flow::json_schema(),
        "regenerate with: cargo run -- schema > forms/flow.schema.json"
    );
}

/// Chooses alternative `alternative` of `query` (both by id or alias).
fn choose(answers: &mut etjanst::fill::Answers, flow: &Flow, query: &str, alternative: &str) {
    let q = flow.query(query).expect("query");
    let (alts, _) = q.kind.alternatives().expect("a choice query");
    let a = alts
        .iter()
        .find(|a| a.answers_to(alternative))
        .expect("alternative");
    answers.set(
        &q.id,
        Some(Answer::Choice(Choice {
            selected: vec![a.id.clone()],
            other: None,
        })),
    );
}

/// The id of a query known by its alias.
fn id<'f>(flow: &'f Flow, alias: &str) -> &'f str {
    &flow.query(alias).expect("query").id
}

#[test]
fn choosing_anonymity_hides_and_clears_contact_details() {
    let c = common::catalogue();
    let flow = c.flow("matforgiftning").unwrap();
    let (_, mut answers) = common::example(flow);
    let form = Form::new(flow);
    choose(&mut answers, flow, "kontakt-onskas", "nej");
    let report = fill::check(&form, &mut answers, Mode::Complete, common::today());
    assert!(report.is_valid(), "{:?}", report.issues);
    assert_eq!(
        form.state_of(&report.states, "kontaktuppgifter"),
        QueryState::Hidden
    );
    assert!(
        answers.get(id(flow, "kontaktuppgifter")).is_none(),
        "hidden answer cleared"
    );
}

#[test]
fn hiding_a_source_cascades_to_its_targets() {
    let c = common::catalogue();
    let flow = c.flow("ekonomiskt-bistand").unwrap();
    let (_, mut answers) = common::example(flow);
    let form = Form::new(flow);
    let states = form.evaluate(&mut answers);
    assert_eq!(
        form.state_of(&states, "medsokande-belopp"),
        QueryState::VisibleRequired
    );
    choose(&mut answers, flow, "civilstand", "ensam");
    let report = fill::check(&form, &mut answers, Mode::Complete, common::today());
    for alias in ["medsokande", "medsokande-inkomst", "medsokande-belopp"] {
        assert_eq!(
            form.state_of(&report.states, alias),
            QueryState::Hidden,
            "{alias}"
        );
        assert!(answers.get(id(flow, alias)).is_none(), "{alias} cleared");
    }
    assert!(report.is_valid(), "{:?}", report.issues);
}

#[test]
fn stop_query_blocks_print_but_not_a_draft() {
    let c = common::catalogue();
    let flow = c.flow("parkeringstillstand").unwrap();
    let (_, mut answers) = common::example(flow);
    let form = Form::new(flow);
    choose(&mut answers, flow, "5401", "2401");
    let report = fill::check(&form, &mut answers, Mode::Complete, common::today());
    let stop = report
        .issues
        .iter()
        .find(|i| matches!(i.problem, Problem::Stopped { .. }))
        .expect("the stop query is an error");
    assert_eq!(stop.query, "5402");
    assert!(stop.message(fill::Lang::Sv).contains("folkbokförd"));
    // Not folkbokförd also hides the rest of step 1 and clears it.
    assert!(answers.get("5403").is_none());
    let draft = fill::check(&form, &mut answers, Mode::Draft, common::today());
    assert!(draft.is_valid(), "a draft may be saved: {:?}", draft.issues);
}

#[test]
fn the_applicant_is_the_first_contact_not_a_co_applicant() {
    let c = common::catalogue();
    let applicant = |id: &str| {
        let flow = c.flow(id).unwrap();
        let (_, mut answers) = common::example(flow);
        let form = Form::new(flow);
        fill::check(&form, &mut answers, Mode::Complete, common::today());
        fill::applicant(&form, &answers)
    };
    // Written with a hyphen in the answers, as 12 digits for BankID.
    assert_eq!(
        applicant("ekonomiskt-bistand").as_deref(),
        Some("199908072391")
    );
    assert_eq!(
        applicant("forskoleplats").as_deref(),
        Some("199205052385"),
        "the first guardian, not the second nor the child"
    );
    assert_eq!(applicant("synpunkt"), None, "an anonymous suggestion");

    // An application whose contact query leaves the personnummer out names nobody, not the
    // co-applicant.
    let flow = c.flow("ekonomiskt-bistand").unwrap();
    let (_, mut answers) = common::example(flow);
    let Some(Answer::Contact(mut contact)) = answers.get(&flow.steps[0].queries[0].id).cloned()
    else {
        panic!("the first query is the applicant's contact details");
    };
    contact.citizen_id = None;
    answers.set(&flow.steps[0].queries[0].id, Some(Answer::Contact(contact)));
    assert_eq!(fill::applicant(&Form::new(flow), &answers), None);
}

#[test]
fn every_one_who_must_sign_is_named_in_order_with_a_role() {
    let c = common::catalogue();
    let signers = |id: &str, change: &dyn Fn(&mut fill::Answers)| {
        let flow = c.flow(id).unwrap();
        let (_, mut answers) = common::example(flow);
        change(&mut answers);
        let form = Form::new(flow);
        fill::check(&form, &mut answers, Mode::Complete, common::today());
        fill::signing_parties(&form, &answers, fill::Lang::Sv)
            .into_iter()
            .map(|s| (s.role, s.personnummer, s.name.unwrap_or_default()))
            .collect::<Vec<_>>()
    };
    let unchanged = |_: &mut fill::Answers| {};
    let own = |s: &str| s.to_string();
    assert_eq!(
        signers("forskoleplats", &unchanged),
        [
            (own("Sökande"), own("199205052385"), own("Åsa Öberg")),
            (
                own("Vårdnadshavare 2"),
                own("199306102394"),
                own("Jonas Öberg")
            ),
        ],
        "both guardians sign"
    );
    assert_eq!(
        signers("ekonomiskt-bistand", &unchanged),
        [
            (own("Sökande"), own("199908072391"), own("Áile Ŋuolja")),
            (
                own("Medsökande"),
                own("199511242381"),
                own("Åsa Öberg-Ławniczak")
            ),
        ],
        "the co-applicant signs"
    );
    // No second guardian, or living alone: the applicant only (the hidden query's answer is
    // cleared by the check, so its person is not asked).
    let choose = |flow: &'static str, query: &'static str, alias: &'static str| {
        let c = &c;
        move |a: &mut fill::Answers| {
            let q = c
                .flow(flow)
                .unwrap()
                .queries()
                .find(|q| q.alias.as_deref() == Some(query))
                .unwrap();
            let answer = fill::parse_answer(q, &serde_json::json!({ "selected": alias })).unwrap();
            a.set(&q.id, answer);
        }
    };
    let alone = choose("forskoleplats", "annan-vardnadshavare", "nej");
    assert_eq!(signers("forskoleplats", &alone).len(), 1);
    let alone = choose("ekonomiskt-bistand", "civilstand", "ensam");
    assert_eq!(signers("ekonomiskt-bistand", &alone).len(), 1);
    // Anonymous: nobody signs.
    assert!(signers("synpunkt", &unchanged).is_empty());
}
