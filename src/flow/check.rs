//! Structural checks run when a flow is loaded, so that the evaluator engine and the
//! validators can trust every reference they follow.

use std::collections::HashSet;

use super::int_id::is_int_id;
use super::model::{EvaluatorRule, Flow, Query, QueryKind};
use super::numbered;
use crate::text::is_writable_element_name;

/// A flow definition that cannot be used as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowDefinitionError {
    #[error("{}", crate::i18n::display("flowdef-duplicate-query", &[("v0", .0.to_string())]))]
    DuplicateQuery(String),
    #[error("{}", crate::i18n::display("flowdef-duplicate-field", &[("query", .query.to_string()), ("field", .field.to_string())]))]
    DuplicateField { query: String, field: String },
    #[error("{}", crate::i18n::display("flowdef-duplicate-alternative", &[("query", .query.to_string()), ("alternative", .alternative.to_string())]))]
    DuplicateAlternative { query: String, alternative: String },
    #[error("{}", crate::i18n::display("flowdef-unknown-target", &[("evaluator", .evaluator.to_string()), ("source_query", .source_query.to_string()), ("target", .target.to_string())]))]
    UnknownTarget {
        evaluator: String,
        source_query: String,
        target: String,
    },
    #[error("{}", crate::i18n::display("flowdef-backward-target", &[("evaluator", .evaluator.to_string()), ("source_query", .source_query.to_string()), ("target", .target.to_string())]))]
    BackwardTarget {
        evaluator: String,
        source_query: String,
        target: String,
    },
    #[error("{}", crate::i18n::display("flowdef-evaluator-on-non-choice", &[("evaluator", .evaluator.to_string()), ("source_query", .source_query.to_string()), ("kind", .kind.to_string())]))]
    EvaluatorOnNonChoice {
        evaluator: String,
        source_query: String,
        kind: String,
    },
    #[error("{}", crate::i18n::display("flowdef-unknown-alternative", &[("evaluator", .evaluator.to_string()), ("source_query", .source_query.to_string()), ("alternative", .alternative.to_string())]))]
    UnknownAlternative {
        evaluator: String,
        source_query: String,
        alternative: String,
    },
    #[error("{}", crate::i18n::display("flowdef-no-free-text", &[("evaluator", .evaluator.to_string()), ("source_query", .source_query.to_string())]))]
    NoFreeText {
        evaluator: String,
        source_query: String,
    },
    #[error("{}", crate::i18n::display("flowdef-group-nesting", &[("v0", .0.to_string())]))]
    GroupNesting(String),
    #[error("{}", crate::i18n::display("flowdef-group-bounds", &[("v0", .0.to_string())]))]
    GroupBounds(String),
    #[error("{}", crate::i18n::display("flowdef-no-fields", &[("v0", .0.to_string())]))]
    NoFields(String),
    #[error("{}", crate::i18n::display("flowdef-empty", &[("v0", .0.to_string())]))]
    Empty(String),
    #[error("{}", crate::i18n::display("flowdef-not-an-integer", &[("what", .what.to_string()), ("id", .id.to_string())]))]
    NotAnInteger { what: &'static str, id: String },
    #[error("{}", crate::i18n::display("flowdef-bad-alias", &[("query", .query.to_string()), ("alias", .alias.to_string())]))]
    BadAlias { query: String, alias: String },
    #[error("{}", crate::i18n::display("flowdef-bad-element-name", &[("query", .query.to_string()), ("name", .name.to_string())]))]
    BadElementName { query: String, name: String },
    #[error("{}", crate::i18n::display("flowdef-exported-without-name", &[("v0", .0.to_string())]))]
    ExportedWithoutName(String),
    #[error("{}", crate::i18n::display("flowdef-group-max-rows", &[("v0", .0.to_string())]))]
    GroupMaxRows(String),
    #[error("{}", crate::i18n::display("flowdef-group-id-clash", &[("group", .group.to_string()), ("id", .id.to_string())]))]
    GroupIdClash { group: String, id: String },
}

fn integer(what: &'static str, id: &str) -> Result<(), FlowDefinitionError> {
    if is_int_id(id) {
        Ok(())
    } else {
        Err(FlowDefinitionError::NotAnInteger {
            what,
            id: id.to_string(),
        })
    }
}

/// Open ePlatform's ids are integers everywhere; a back-end or importer reads nothing else.
fn check_ids(flow: &Flow) -> Result<(), FlowDefinitionError> {
    integer("flödet", &flow.id)?;
    if let Some(family) = &flow.family_id {
        integer("flödesfamiljen", family)?;
    }
    for step in &flow.steps {
        integer("ett steg", &step.id)?;
    }
    let mut aliases = HashSet::new();
    let all = flow.queries().flat_map(|q| {
        let subs: &[Query] = match &q.kind {
            QueryKind::RepeatingGroup(g) => &g.queries,
            _ => &[],
        };
        std::iter::once(q).chain(subs)
    });
    for q in all {
        integer("en fråga", &q.id)?;
        if let Some(alias) = &q.alias
            && (is_int_id(alias) || alias.is_empty() || !aliases.insert(alias.as_str()))
        {
            return Err(FlowDefinitionError::BadAlias {
                query: q.id.clone(),
                alias: alias.clone(),
            });
        }
        if let Some(name) = &q.xsd_element_name
            && !is_writable_element_name(name)
        {
            return Err(FlowDefinitionError::BadElementName {
                query: q.handle().to_string(),
                name: name.clone(),
            });
        }
        if q.exported && q.xsd_element_name.is_none() {
            return Err(FlowDefinitionError::ExportedWithoutName(
                q.handle().to_string(),
            ));
        }
        for ev in &q.evaluators {
            integer("ett villkor", &ev.id)?;
        }
        if let QueryKind::TextField(t) = &q.kind {
            let mut seen = HashSet::new();
            for f in &t.fields {
                integer("ett textfält", &f.id)?;
                check_local_alias(q, &mut seen, f.alias.as_deref())?;
                if let Some(name) = &f.xsd_element_name
                    && !is_writable_element_name(name)
                {
                    return Err(FlowDefinitionError::BadElementName {
                        query: q.handle().to_string(),
                        name: name.clone(),
                    });
                }
            }
        }
        if let Some((alts, _)) = q.kind.alternatives() {
            let mut seen = HashSet::new();
            for a in alts {
                integer("ett svarsalternativ", &a.id)?;
                check_local_alias(q, &mut seen, a.alias.as_deref())?;
            }
        }
    }
    Ok(())
}

fn check_local_alias<'a>(
    q: &Query,
    seen: &mut HashSet<&'a str>,
    alias: Option<&'a str>,
) -> Result<(), FlowDefinitionError> {
    match alias {
        Some(a) if is_int_id(a) || a.is_empty() || !seen.insert(a) => {
            Err(FlowDefinitionError::BadAlias {
                query: q.handle().to_string(),
                alias: a.to_string(),
            })
        }
        _ => Ok(()),
    }
}

/// Checks ids, names, references and the forward-only evaluator rule.
pub fn check(flow: &Flow) -> Result<(), FlowDefinitionError> {
    check_ids(flow)?;
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
            if g.max_rows.is_none_or(|max| max > numbered::MAX_ROWS) {
                return Err(FlowDefinitionError::GroupMaxRows(q.handle().to_string()));
            }
            let mut copies = HashSet::new();
            for id in numbered::copy_ids(g) {
                if position.contains_key(id.as_str()) || !copies.insert(id.clone()) {
                    return Err(FlowDefinitionError::GroupIdClash {
                        group: q.handle().to_string(),
                        id,
                    });
                }
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
