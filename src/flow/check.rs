//! Structural checks run when a flow is loaded, so that the evaluator engine and the
//! validators can trust every reference they follow.

use std::collections::HashSet;

use super::int_id::is_int_id;
use super::model::{EvaluatorRule, Flow, Query, QueryKind};
use super::numbered;
use crate::flowinstance::is_writable_element_name;

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
    #[error(
        "{what} har id \"{id}\"; Open ePlatform kräver ett positivt heltal (det läsbara namnet kan stå som alias)"
    )]
    NotAnInteger { what: &'static str, id: String },
    #[error(
        "fråga \"{query}\": aliaset \"{alias}\" används redan eller är ett tal (ett alias måste vara unikt och innehålla en bokstav)"
    )]
    BadAlias { query: String, alias: String },
    #[error(
        "fråga \"{query}\": XML-elementnamnet \"{name}\" går inte att skriva (bara A–Z, a–z, 0–9, punkt, bindestreck och understreck; inte först en siffra, punkt, bindestreck eller \"xml\")"
    )]
    BadElementName { query: String, name: String },
    #[error("fråga \"{0}\" ska med i ärendets XML men har inget XML-elementnamn (xsdElementName)")]
    ExportedWithoutName(String),
    #[error(
        "upprepningsgruppen \"{0}\" behöver ett högsta antal rader (maxRows, högst 99): Open ePlatform skriver raderna som numrerade frågor"
    )]
    GroupMaxRows(String),
    #[error(
        "upprepningsgruppen \"{group}\": rad-frågan med id {id} krockar med en annan fråga (raderna får id:n av formen fråga-id + radnummer med två siffror)"
    )]
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
