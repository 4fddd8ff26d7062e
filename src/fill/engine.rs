//! The evaluator engine: Open ePlatform's QueryStateEvaluator semantics, computed as a pure
//! function of the answers.
//!
//! OeP runs evaluators when their source query changes and cascades through the targets. Since
//! targets always come after their source (checked at load), one pass in document order reaches
//! the same fixed point: by the time a query is visited, every evaluator that can target it has
//! run. A query that ends up hidden loses its answer before its own evaluators run, so the
//! cascade (hidden → cleared → its targets revert) falls out of the order.

use std::collections::HashMap;

use super::answers::{Answer, Answers};
use crate::flow::{EvaluatorRule, Flow, Query, QueryKind, QueryState, SelectionMode};

/// A flow prepared for repeated evaluation: queries in document order, evaluators resolved to
/// target positions.
#[derive(Debug, Clone)]
pub struct Form<'f> {
    pub flow: &'f Flow,
    queries: Vec<&'f Query>,
    index: HashMap<&'f str, usize>,
    evaluators: Vec<Vec<Rule<'f>>>,
}

#[derive(Debug, Clone)]
struct Rule<'f> {
    id: &'f str,
    mode: SelectionMode,
    alternatives: &'f [String],
    free_text: bool,
    state: Option<QueryState>,
    do_not_reset: bool,
    targets: Vec<usize>,
}

/// The state of every query after evaluation, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct States(Vec<QueryState>);

impl<'f> Form<'f> {
    /// Prepares `flow`, which must have passed [`crate::flow::check`] (every loader does that).
    pub fn new(flow: &'f Flow) -> Self {
        let queries: Vec<&Query> = flow.queries().collect();
        // By id and by alias: aliases are never integers (checked at load), so never clash.
        let index: HashMap<&str, usize> = queries
            .iter()
            .enumerate()
            .flat_map(|(i, q)| {
                std::iter::once((q.id.as_str(), i)).chain(q.alias.as_deref().map(|a| (a, i)))
            })
            .collect();
        let evaluators = queries
            .iter()
            .map(|q| {
                q.evaluators
                    .iter()
                    .filter(|e| e.enabled)
                    .filter_map(|e| match &e.rule {
                        EvaluatorRule::QueryState {
                            selection_mode,
                            alternatives,
                            free_text,
                            state,
                            do_not_reset,
                        } => Some(Rule {
                            id: &e.id,
                            mode: *selection_mode,
                            alternatives,
                            free_text: *free_text,
                            state: *state,
                            do_not_reset: *do_not_reset,
                            targets: e
                                .targets
                                .iter()
                                .filter_map(|t| index.get(t.as_str()).copied())
                                .collect(),
                        }),
                        // Unknown evaluator types cannot be run offline; they change nothing.
                        EvaluatorRule::Unknown { .. } => None,
                    })
                    .collect()
            })
            .collect();
        Form {
            flow,
            queries,
            index,
            evaluators,
        }
    }

    /// Top-level queries in document order.
    pub fn queries(&self) -> &[&'f Query] {
        &self.queries
    }

    pub fn position(&self, query: &str) -> Option<usize> {
        self.index.get(query).copied()
    }

    /// Computes every query's state and clears the answers of hidden queries (and of hidden
    /// sub-queries in group rows). Latches `doNotResetQueryState` evaluators that fire.
    pub fn evaluate(&self, answers: &mut Answers) -> States {
        let mut states: Vec<QueryState> = self.queries.iter().map(|q| q.default_state).collect();
        for (i, query) in self.queries.iter().enumerate() {
            if states[i] == QueryState::Hidden {
                answers.values.remove(&query.id);
            } else if let QueryKind::RepeatingGroup(g) = &query.kind
                && let Some(Answer::Rows(rows)) = answers.values.get_mut(&query.id)
            {
                for sub in g.queries.iter().filter(|q| !q.default_state.is_visible()) {
                    for row in rows.iter_mut() {
                        row.remove(&sub.id);
                    }
                }
            }
            for rule in &self.evaluators[i] {
                let latched = answers.latched.contains(rule.id);
                let fires = latched || rule.fires(answers.values.get(&query.id));
                if !fires {
                    // Targets start from their defaults, so a rule that does not fire leaves
                    // them as earlier rules set them: "revert to default" unless another fired.
                    continue;
                }
                if rule.do_not_reset && !latched {
                    answers.latched.insert(rule.id.to_string());
                }
                if let Some(state) = rule.state {
                    for &t in &rule.targets {
                        states[t] = state;
                    }
                }
            }
        }
        States(states)
    }
}

impl Rule<'_> {
    fn fires(&self, answer: Option<&Answer>) -> bool {
        let Some(Answer::Choice(choice)) = answer else {
            return false;
        };
        let has_free = choice.other_text().is_some();
        let listed = |a: &String| choice.selected.contains(a);
        match self.mode {
            SelectionMode::Any => {
                self.alternatives.iter().any(listed) || (self.free_text && has_free)
            }
            SelectionMode::All => {
                choice.count() > 0
                    && self.alternatives.iter().all(listed)
                    && (!self.free_text || has_free)
            }
        }
    }
}

impl States {
    pub fn get(&self, position: usize) -> QueryState {
        self.0.get(position).copied().unwrap_or(QueryState::Hidden)
    }

    pub fn iter(&self) -> impl Iterator<Item = QueryState> + '_ {
        self.0.iter().copied()
    }
}

impl Form<'_> {
    /// The state of a query by id (hidden if there is no such query).
    pub fn state_of(&self, states: &States, query: &str) -> QueryState {
        self.position(query)
            .map_or(QueryState::Hidden, |p| states.get(p))
    }
}
