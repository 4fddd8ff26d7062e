//! Repeating groups as Open ePlatform flows express them: it has no repeating query, so
//! authors write numbered copies of a query (`…Row1`, `…Row2`) shown by a "how many?" question
//! (`spec/case-xml.md` §4.10). One mapping serves the case XML, its XSD and the `.oeflow`
//! export, so that all three agree on every element name and id:
//!
//! - the group itself becomes a drop-down "how many rows?" with the group's id, element name
//!   and question text; its alternatives are the row counts, written as `Value` 1, 2, …;
//! - sub-query `S` in row `r` becomes a copy with id `{S.id}{r:02}`, element name
//!   `{S.xsdElementName}Row{r}` and question text "`{S.name}` (rad r)", hidden until the count
//!   reaches `r`.

use super::model::{
    Alternative, DropDownQuery, Evaluator, EvaluatorRule, Flow, Query, QueryKind, QueryState,
    RepeatingGroup, SelectionMode,
};

/// The most rows a group may have: the row number takes two digits of a copy's id.
pub const MAX_ROWS: u32 = 99;

fn numbered(id: &str, n: u32) -> String {
    format!("{id}{n:02}")
}

/// The row counts a citizen can choose: from the group's minimum (at least 1) to its maximum.
fn counts(g: &RepeatingGroup) -> std::ops::RangeInclusive<u32> {
    g.min_rows.max(1)..=g.max_rows.unwrap_or(MAX_ROWS).min(MAX_ROWS)
}

/// The "how many rows?" drop-down that stands for `group`.
pub fn count_query(group: &Query, g: &RepeatingGroup) -> Query {
    let alternatives = counts(g)
        .map(|n| Alternative {
            id: numbered(&group.id, n),
            alias: None,
            name: n.to_string(),
            xml_value: None,
            price: None,
        })
        .collect();
    let default_state = if g.min_rows > 0 {
        QueryState::VisibleRequired
    } else {
        group.default_state
    };
    Query {
        alias: group.alias.clone(),
        default_state,
        evaluators: Vec::new(),
        kind: QueryKind::DropDown(DropDownQuery {
            alternatives,
            free_text_alternative: None,
            short_description: Some("Välj antal".into()),
        }),
        ..group.clone()
    }
}

/// The alternative id of the count query that says `rows` rows.
pub fn count_alternative(group: &Query, rows: usize) -> String {
    numbered(&group.id, rows as u32)
}

/// Sub-query `sub` as its copy for row `row` (1-based).
pub fn copy(sub: &Query, row: u32) -> Query {
    Query {
        id: numbered(&sub.id, row),
        alias: None,
        name: format!("{} (rad {row})", sub.name),
        xsd_element_name: sub
            .xsd_element_name
            .as_ref()
            .map(|n| format!("{n}Row{row}")),
        ..sub.clone()
    }
}

/// The ids of every copy a group's rows can produce (for the load-time clash check).
pub fn copy_ids(g: &RepeatingGroup) -> impl Iterator<Item = String> + '_ {
    counts(g).flat_map(move |r| g.queries.iter().map(move |s| numbered(&s.id, r)))
}

/// `flow` with every repeating group replaced by its count query and numbered copies, each
/// copy hidden until an evaluator on the count shows it.
pub fn expand(flow: &Flow) -> Flow {
    let mut out = flow.clone();
    for step in &mut out.steps {
        let mut queries = Vec::with_capacity(step.queries.len());
        for q in step.queries.drain(..) {
            let QueryKind::RepeatingGroup(g) = &q.kind else {
                queries.push(q);
                continue;
            };
            let mut count = count_query(&q, g);
            let mut copies = Vec::new();
            for r in counts(g) {
                // Rows r and up all show row r.
                let shown_by: Vec<String> = counts(g)
                    .filter(|n| *n >= r)
                    .map(|n| numbered(&q.id, n))
                    .collect();
                for (slot, state) in [QueryState::VisibleRequired, QueryState::Visible]
                    .into_iter()
                    .enumerate()
                {
                    let targets: Vec<String> = g
                        .queries
                        .iter()
                        .filter(|s| s.default_state == state)
                        .map(|s| numbered(&s.id, r))
                        .collect();
                    if targets.is_empty() {
                        continue;
                    }
                    count.evaluators.push(Evaluator {
                        id: format!("{}{slot}", numbered(&q.id, r)),
                        name: format!("Visa rad {r}"),
                        enabled: true,
                        targets,
                        rule: EvaluatorRule::QueryState {
                            selection_mode: SelectionMode::Any,
                            alternatives: shown_by.clone(),
                            free_text: false,
                            state: Some(state),
                            do_not_reset: false,
                        },
                    });
                }
                for sub in g.queries.iter().filter(|s| s.default_state.is_visible()) {
                    copies.push(Query {
                        default_state: QueryState::Hidden,
                        ..copy(sub, r)
                    });
                }
            }
            queries.push(count);
            queries.extend(copies);
        }
        step.queries = queries;
    }
    out
}
