//! Structural checks run when a flow is loaded, so that the evaluator engine and the
//! validators can trust every reference they follow.

use std::collections::HashSet;

use super::model::{EvaluatorRule, Flow, Query, QueryKind};

/// A flow definition that cannot be used as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowDefinitionError {
    #[error("frågan \"{0}\" finns flera gånger i flödet")]
    DuplicateQuery(String),
    #[error("fråga \"{query}\": fältet \"{field}\" finns flera gånger")]
    DuplicateField { query: String, field: String },
    #[error("fråga \"{query}\": svarsalternativet \"{alternative}\" finns flera gånger")]
    DuplicateAlternative { query: String, alternative: String },
    #[error(
        "villkoret \"{evaluator}\" på fråga \"{source_query}\" styr fråga \"{target}\", som inte finns i flödet"
    )]
    UnknownTarget {
        evaluator: String,
        source_query: String,
        target: String,
    },
    #[error(
        "villkoret \"{evaluator}\" på fråga \"{source_query}\" styr fråga \"{target}\", som står före eller är samma fråga (villkor får bara styra senare frågor, som i Open ePlatform)"
    )]
    BackwardTarget {
        evaluator: String,
        source_query: String,
        target: String,
    },
    #[error(
        "villkoret \"{evaluator}\" sitter på fråga \"{source_query}\" av typen {kind}; villkor kan bara sitta på frågor med fasta svarsalternativ"
    )]
    EvaluatorOnNonChoice {
        evaluator: String,
        source_query: String,
        kind: String,
    },
    #[error(
        "villkoret \"{evaluator}\" på fråga \"{source_query}\" hänvisar till svarsalternativet \"{alternative}\", som inte finns"
    )]
    UnknownAlternative {
        evaluator: String,
        source_query: String,
        alternative: String,
    },
    #[error(
        "villkoret \"{evaluator}\" på fråga \"{source_query}\" gäller fritextalternativet, men frågan har inget"
    )]
    NoFreeText {
        evaluator: String,
        source_query: String,
    },
    #[error(
        "upprepningsgruppen \"{0}\": frågor inuti en grupp kan inte ha villkor eller egna grupper"
    )]
    GroupNesting(String),
    #[error("upprepningsgruppen \"{0}\": minsta antalet rader är större än största")]
    GroupBounds(String),
    #[error("fråga \"{0}\": en textfältsfråga behöver minst ett fält")]
    NoFields(String),
    #[error("flödet \"{0}\" har ingen fråga och ingen extern länk")]
    Empty(String),
}

/// Checks references and the forward-only evaluator rule.
pub fn check(flow: &Flow) -> Result<(), FlowDefinitionError> {
    // Position of each query in document order; evaluators may only target later positions.
    let order: Vec<&Query> = flow.queries().collect();
    let mut position = std::collections::HashMap::new();
    for (i, q) in order.iter().enumerate() {
        if position.insert(q.id.as_str(), i).is_some() {
            return Err(FlowDefinitionError::DuplicateQuery(q.id.clone()));
        }
    }
    if order.is_empty() && flow.external_link.is_none() && flow.forms.is_empty() {
        return Err(FlowDefinitionError::Empty(flow.id.clone()));
    }
    for (i, q) in order.iter().enumerate() {
        check_query_shape(q)?;
        if let QueryKind::RepeatingGroup(g) = &q.kind {
            let mut seen = HashSet::new();
            for sub in &g.queries {
                if !sub.evaluators.is_empty() || matches!(sub.kind, QueryKind::RepeatingGroup(_)) {
                    return Err(FlowDefinitionError::GroupNesting(q.id.clone()));
                }
                if !seen.insert(sub.id.as_str()) || position.contains_key(sub.id.as_str()) {
                    return Err(FlowDefinitionError::DuplicateQuery(sub.id.clone()));
                }
                check_query_shape(sub)?;
            }
            if g.max_rows.is_some_and(|max| max < g.min_rows) {
                return Err(FlowDefinitionError::GroupBounds(q.id.clone()));
            }
        }
        for ev in &q.evaluators {
            for t in &ev.targets {
                match position.get(t.as_str()) {
                    None => {
                        return Err(FlowDefinitionError::UnknownTarget {
                            evaluator: ev.id.clone(),
                            source_query: q.id.clone(),
                            target: t.clone(),
                        });
                    }
                    Some(&p) if p <= i => {
                        return Err(FlowDefinitionError::BackwardTarget {
                            evaluator: ev.id.clone(),
                            source_query: q.id.clone(),
                            target: t.clone(),
                        });
                    }
                    Some(_) => {}
                }
            }
            if let EvaluatorRule::QueryState {
                alternatives,
                free_text,
                ..
            } = &ev.rule
            {
                let Some((alts, free)) = q.kind.alternatives() else {
                    return Err(FlowDefinitionError::EvaluatorOnNonChoice {
                        evaluator: ev.id.clone(),
                        source_query: q.id.clone(),
                        kind: q.kind.type_name().to_string(),
                    });
                };
                for a in alternatives {
                    if !alts.iter().any(|x| &x.id == a) {
                        return Err(FlowDefinitionError::UnknownAlternative {
                            evaluator: ev.id.clone(),
                            source_query: q.id.clone(),
                            alternative: a.clone(),
                        });
                    }
                }
                if *free_text && free.is_none() {
                    return Err(FlowDefinitionError::NoFreeText {
                        evaluator: ev.id.clone(),
                        source_query: q.id.clone(),
                    });
                }
            }
        }
    }
    Ok(())
}

fn check_query_shape(q: &Query) -> Result<(), FlowDefinitionError> {
    if let QueryKind::TextField(t) = &q.kind {
        if t.fields.is_empty() {
            return Err(FlowDefinitionError::NoFields(q.id.clone()));
        }
        let mut seen = HashSet::new();
        for f in &t.fields {
            if !seen.insert(f.id.as_str()) {
                return Err(FlowDefinitionError::DuplicateField {
                    query: q.id.clone(),
                    field: f.id.clone(),
                });
            }
        }
    }
    if let Some((alts, _)) = q.kind.alternatives() {
        let mut seen = HashSet::new();
        for a in alts {
            if !seen.insert(a.id.as_str()) {
                return Err(FlowDefinitionError::DuplicateAlternative {
                    query: q.id.clone(),
                    alternative: a.id.clone(),
                });
            }
        }
    }
    Ok(())
}
