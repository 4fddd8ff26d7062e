//! The evaluator engine against Open ePlatform's event-driven semantics, on random flows and
//! random answer sequences.

use std::collections::HashMap;

use etjanst::fill::{Answer, Answers, Choice, Form};
use etjanst::flow::{
    Alternative, ChoiceQuery, Columns, Evaluator, EvaluatorRule, Flow, Query, QueryKind,
    QueryState, SelectionMode, Step, TextAreaQuery,
};
use proptest::prelude::*;

const STATES: [QueryState; 3] = [
    QueryState::Visible,
    QueryState::VisibleRequired,
    QueryState::Hidden,
];

#[derive(Debug, Clone)]
struct EvalSpec {
    targets: Vec<usize>,
    alternatives: Vec<usize>,
    all: bool,
    free_text: bool,
    state: usize,
}

#[derive(Debug, Clone)]
struct QuerySpec {
    choice: bool,
    default: usize,
    evaluators: Vec<EvalSpec>,
}

fn build(specs: &[QuerySpec]) -> Flow {
    let n = specs.len();
    let queries = specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let kind = if s.choice {
                QueryKind::RadioButton(ChoiceQuery {
                    alternatives: (0..3)
                        .map(|a| Alternative {
                            id: (a + 1).to_string(),
                            alias: None,
                            name: format!("Alternativ {a}"),
                            xml_value: None,
                            price: None,
                        })
                        .collect(),
                    free_text_alternative: Some("Annat".into()),
                    columns: Columns::One,
                })
            } else {
                QueryKind::TextArea(TextAreaQuery::default())
            };
            let evaluators = if s.choice {
                s.evaluators
                    .iter()
                    .enumerate()
                    .filter_map(|(e, ev)| {
                        let mut targets: Vec<String> = ev
                            .targets
                            .iter()
                            .map(|t| i + 1 + t % (n - i).max(1))
                            .filter(|t| *t < n)
                            .map(|t| (t + 1).to_string())
                            .collect();
                        targets.dedup();
                        (!targets.is_empty()).then(|| Evaluator {
                            id: (1000 + i * 10 + e).to_string(),
                            name: String::new(),
                            enabled: true,
                            targets,
                            rule: EvaluatorRule::QueryState {
                                selection_mode: if ev.all {
                                    SelectionMode::All
                                } else {
                                    SelectionMode::Any
                                },
                                alternatives: ev
                                    .alternatives
                                    .iter()
                                    .map(|a| (a + 1).to_string())
                                    .collect(),
                                free_text: ev.free_text,
                                state: Some(STATES[ev.state]),
                                do_not_reset: false,
                            },
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Query {
                id: (i + 1).to_string(),
                alias: None,
                name: format!("Fråga {i}"),
                default_state: STATES[s.default],
                exported: false,
                xsd_element_name: None,
                merge_with_previous: false,
                description: None,
                help_text: None,
                comment: None,
                evaluators,
                kind,
            }
        })
        .collect();
    Flow {
        id: "9999".into(),
        family_id: None,
        version: 1,
        name: "Slumpat flöde".into(),
        aliases: vec![],
        category: None,
        short_description: String::new(),
        long_description: None,
        submitted_message: None,
        requires_authentication: false,
        requires_signing: false,
        tags: vec![],
        checks: vec![],
        external_link: None,
        contact: None,
        steps: vec![Step {
            id: "1".into(),
            name: "Steg".into(),
            queries,
        }],
        forms: vec![],
        icon: None,
    }
}

fn query_spec() -> impl Strategy<Value = QuerySpec> {
    let eval = (
        prop::collection::vec(0usize..20, 1..3),
        prop::collection::vec(0usize..3, 0..3),
        any::<bool>(),
        any::<bool>(),
        0usize..3,
    )
        .prop_map(|(targets, mut alternatives, all, free_text, state)| {
            alternatives.sort_unstable();
            alternatives.dedup();
            EvalSpec {
                targets,
                alternatives,
                all,
                free_text,
                state,
            }
        });
    (any::<bool>(), 0usize..3, prop::collection::vec(eval, 0..3)).prop_map(
        |(choice, default, evaluators)| QuerySpec {
            choice,
            default,
            evaluators,
        },
    )
}

/// One citizen action: set (or clear) the answer of query `index % n`.
fn action() -> impl Strategy<Value = (usize, Option<(Vec<usize>, bool, String)>)> {
    (
        0usize..50,
        prop::option::of((
            prop::collection::vec(0usize..3, 0..2),
            any::<bool>(),
            "[a-zåäö]{0,4}",
        )),
    )
}

fn answer_for(query: &Query, raw: &(Vec<usize>, bool, String)) -> Answer {
    match query.kind {
        QueryKind::RadioButton(_) => {
            let (sel, free, text) = raw;
            // A radio query takes one alternative or the free text.
            if *free {
                Answer::Choice(Choice {
                    selected: vec![],
                    other: Some(text.clone()),
                })
            } else {
                Answer::Choice(Choice {
                    selected: sel
                        .first()
                        .map(|a| (a + 1).to_string())
                        .into_iter()
                        .collect(),
                    other: None,
                })
            }
        }
        _ => Answer::Text(raw.2.clone()),
    }
}

/// Open ePlatform's way: when a query changes, run its evaluators; a target whose state
/// changes to HIDDEN is reset and its own evaluators run in cascade.
fn oep_change(
    flow: &Flow,
    states: &mut HashMap<String, QueryState>,
    answers: &mut Answers,
    changed: &str,
) {
    let query = flow.query(changed).unwrap();
    for ev in &query.evaluators {
        let EvaluatorRule::QueryState {
            selection_mode,
            alternatives,
            free_text,
            state,
            ..
        } = &ev.rule
        else {
            continue;
        };
        let fires = match answers.get(changed) {
            Some(Answer::Choice(c)) => {
                let free = c.other_text().is_some();
                match selection_mode {
                    SelectionMode::Any => {
                        alternatives.iter().any(|a| c.selected.contains(a)) || (*free_text && free)
                    }
                    SelectionMode::All => {
                        c.count() > 0
                            && alternatives.iter().all(|a| c.selected.contains(a))
                            && (!*free_text || free)
                    }
                }
            }
            _ => false,
        };
        for t in &ev.targets {
            let new = if fires {
                state.unwrap()
            } else {
                flow.query(t).unwrap().default_state
            };
            if states[t] != new {
                states.insert(t.clone(), new);
                if new == QueryState::Hidden {
                    answers.values.remove(t);
                    oep_change(flow, states, answers, t);
                }
            }
        }
    }
}

fn targeted_once(flow: &Flow) -> bool {
    let mut seen = HashMap::new();
    for q in flow.queries() {
        for ev in &q.evaluators {
            for t in &ev.targets {
                *seen.entry(t.clone()).or_insert(0) += 1;
            }
        }
    }
    seen.values().all(|&n| n == 1)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_hidden_query_keeps_an_answer_and_the_end_depends_only_on_the_answers(
        specs in prop::collection::vec(query_spec(), 2..20),
        actions in prop::collection::vec(action(), 1..40),
    ) {
        let flow = build(&specs);
        etjanst::flow::check(&flow).unwrap();
        let form = Form::new(&flow);
        let mut answers = Answers::default();
        let mut states = form.evaluate(&mut answers);
        for (index, raw) in &actions {
            let i = index % specs.len();
            let query = form.queries()[i];
            // A citizen can only answer what is shown.
            if !states.get(i).is_visible() {
                continue;
            }
            answers.set(&query.id, raw.as_ref().map(|r| answer_for(query, r)));
            states = form.evaluate(&mut answers);
            for (j, q) in form.queries().iter().enumerate() {
                prop_assert!(
                    states.get(j).is_visible() || answers.get(&q.id).is_none(),
                    "hidden {} keeps an answer", q.id
                );
            }
        }
        // The same final answers, evaluated from scratch, give the same states and answers.
        let mut fresh = Answers { values: answers.values.clone(), latched: Default::default() };
        let fresh_states = form.evaluate(&mut fresh);
        prop_assert_eq!(&fresh_states, &states);
        prop_assert_eq!(&fresh.values, &answers.values);
    }

    #[test]
    fn matches_open_eplatforms_event_driven_cascade(
        specs in prop::collection::vec(query_spec(), 2..16),
        actions in prop::collection::vec(action(), 1..30),
    ) {
        let flow = build(&specs);
        // With one evaluator per target the order of events cannot matter in OeP either.
        prop_assume!(targeted_once(&flow));
        let form = Form::new(&flow);
        let mut ours = Answers::default();
        let mut our_states = form.evaluate(&mut ours);
        let mut oep = Answers::default();
        let mut oep_states: HashMap<String, QueryState> =
            flow.queries().map(|q| (q.id.clone(), q.default_state)).collect();
        for (index, raw) in &actions {
            let i = index % specs.len();
            let query = form.queries()[i];
            if !our_states.get(i).is_visible() {
                continue;
            }
            let answer = raw.as_ref().map(|r| answer_for(query, r));
            ours.set(&query.id, answer.clone());
            our_states = form.evaluate(&mut ours);
            oep.set(&query.id, answer);
            oep_change(&flow, &mut oep_states, &mut oep, &query.id);
            for (j, q) in form.queries().iter().enumerate() {
                prop_assert_eq!(our_states.get(j), oep_states[&q.id], "state of {}", q.id);
            }
            prop_assert_eq!(&ours.values, &oep.values);
        }
    }
}

/// q0 (radio) shows the hidden q1 as required when alternative a1 is chosen.
fn one_rule_flow() -> Flow {
    build(&[
        QuerySpec {
            choice: true,
            default: 0,
            evaluators: vec![EvalSpec {
                targets: vec![0],
                alternatives: vec![1],
                all: false,
                free_text: false,
                state: 1,
            }],
        },
        QuerySpec {
            choice: false,
            default: 2,
            evaluators: vec![],
        },
    ])
}

fn pick(a: &str) -> Option<Answer> {
    Some(Answer::Choice(Choice {
        selected: vec![a.into()],
        other: None,
    }))
}

#[test]
fn do_not_reset_keeps_the_state_after_the_rule_stops_firing() {
    let mut flow = one_rule_flow();
    if let EvaluatorRule::QueryState { do_not_reset, .. } =
        &mut flow.steps[0].queries[0].evaluators[0].rule
    {
        *do_not_reset = true;
    }
    let form = Form::new(&flow);
    let mut answers = Answers::default();
    assert_eq!(
        form.state_of(&form.evaluate(&mut answers), "2"),
        QueryState::Hidden
    );
    answers.set("1", pick("2"));
    assert_eq!(
        form.state_of(&form.evaluate(&mut answers), "2"),
        QueryState::VisibleRequired
    );
    answers.set("1", pick("1"));
    assert_eq!(
        form.state_of(&form.evaluate(&mut answers), "2"),
        QueryState::VisibleRequired,
        "latched"
    );
    // The latch travels with the answers (drafts keep it).
    let json = answers.to_json(&flow);
    let back = Answers::from_json(&flow, &json).unwrap();
    assert!(back.latched.contains("1000"));
}

#[test]
fn without_do_not_reset_the_target_reverts_to_its_default() {
    let flow = one_rule_flow();
    let form = Form::new(&flow);
    let mut answers = Answers::default();
    answers.set("1", pick("2"));
    assert_eq!(
        form.state_of(&form.evaluate(&mut answers), "2"),
        QueryState::VisibleRequired
    );
    answers.set("2", Some(Answer::Text("svar".into())));
    answers.set("1", None);
    assert_eq!(
        form.state_of(&form.evaluate(&mut answers), "2"),
        QueryState::Hidden
    );
    assert!(answers.get("2").is_none(), "the hidden answer is cleared");
}
