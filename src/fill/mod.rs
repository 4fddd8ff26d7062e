//! Filling in a flow: answers, the evaluator engine and validation.
//!
//! ```text
//! Answers ──Form::evaluate──▶ States (+ hidden answers cleared) ──validate──▶ Issues
//! ```

mod answers;
mod engine;
mod person;
mod summary;
mod validate;

use chrono::NaiveDate;
use serde::Serialize;

pub use answers::{
    Answer, AnswerError, Answers, Choice, ContactAnswer, FileRef, OrganizationAnswer, parse_answer,
    wipe_json,
};
pub use engine::{Form, States};
pub use person::{PersonField, contact_fields, organization_fields};
pub use summary::{
    Signer, SummaryLine, SummaryRow, SummaryStep, attachments, file_line, signers, size_text,
    summary,
};
pub(crate) use validate::format_message;
pub use validate::{Issue, Lang, Mode, Problem, file_problems, validate};

use crate::flow::QueryState;

/// The outcome of evaluating and validating answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub states: States,
    pub issues: Vec<Issue>,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.issues.is_empty()
    }
}

/// Runs the evaluators (clearing hidden answers in `answers`) and validates in `mode`.
pub fn check(form: &Form, answers: &mut Answers, mode: Mode, today: NaiveDate) -> Report {
    let states = form.evaluate(answers);
    let mut issues = validate(form, &states, answers, mode, today);
    issues.extend(not_the_applicant(form, answers));
    Report { states, issues }
}

/// A multi-sign query that may not name the applicant (`preventPostersCitizenIdentifier`)
/// and does: the other signer would be the applicant again.
fn not_the_applicant(form: &Form, answers: &Answers) -> Vec<Issue> {
    let Some(applicant) = applicant(form, answers) else {
        return Vec::new();
    };
    form.queries()
        .iter()
        .filter(|q| {
            matches!(&q.kind, crate::flow::QueryKind::ContactDetail(c)
                if c.manual_multi_sign.as_ref().is_some_and(|m| m.prevent_posters_citizen_identifier))
        })
        .filter(|q| match answers.get(&q.id) {
            Some(Answer::Contact(a)) => {
                a.citizen_id.as_deref().and_then(crate::ids::twelve_digits)
                    == Some(applicant.clone())
            }
            _ => false,
        })
        .map(|q| Issue {
            query: q.id.clone(),
            field: Some("citizenId".into()),
            row: None,
            problem: Problem::SameAsApplicant,
        })
        .collect()
}

/// The contact query whose person is the applicant: the first that asks for a personnummer,
/// a multi-sign query (another signer) aside.
fn applicant_query<'f>(form: &'f Form) -> Option<&'f crate::flow::Query> {
    form.queries()
        .iter()
        .find(|q| {
            matches!(&q.kind, crate::flow::QueryKind::ContactDetail(c)
                if c.field_citizen_id != crate::flow::FieldMode::Hidden && c.manual_multi_sign.is_none())
        })
        .copied()
}

/// What still stands between a draft and a form that can be printed or sent: the issues a
/// full check finds beyond those of the draft check already made (`draft`): required
/// answers, minimum counts, stops.
pub fn remaining(form: &Form, answers: &Answers, draft: &Report, today: NaiveDate) -> Vec<Issue> {
    let mut full = answers.clone();
    check(form, &mut full, Mode::Complete, today)
        .issues
        .into_iter()
        .filter(|i| !draft.issues.contains(i))
        .collect()
}

/// The applicant's personnummer (12 digits): the citizen identifier of the first contact query
/// that asks for one, which Open ePlatform fills from the signed-in citizen; later contact
/// queries are a co-applicant or a second guardian. Only the applicant may sign the application. Call after
/// [`check`], which clears the answers of hidden queries. `None` when no contact query asks
/// for a personnummer.
pub fn applicant(form: &Form, answers: &Answers) -> Option<String> {
    // The first contact query that asks for a personnummer is the applicant's even when left
    // empty: a co-applicant further on must not take the applicant's place.
    let first = applicant_query(form)?;
    match answers.get(&first.id) {
        Some(Answer::Contact(a)) => a.citizen_id.as_deref().and_then(crate::ids::twelve_digits),
        _ => None,
    }
}

/// One who must sign the application with e-ID (Open ePlatform's `SigningParty`); the paper's
/// signature block is [`signers`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningParty {
    /// "Sökande" for the applicant, else the role the flow gives ("Vårdnadshavare 2").
    pub role: String,
    /// 12 digits: a BankID order for this role is restricted to it.
    pub personnummer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The contact query naming the signer.
    pub query: String,
}

/// Everyone who must sign, in order: the applicant ([`applicant`]), then each further person
/// a shown contact query names as one who signs (`"signs": "Vårdnadshavare 2"`) and whose
/// personnummer is given. Call after [`check`]: a query the answers hid (no second guardian,
/// no co-applicant) has no answer left and asks nobody to sign. Empty when the applicant's
/// personnummer is not given.
pub fn signing_parties(form: &Form, answers: &Answers, lang: Lang) -> Vec<SigningParty> {
    let Some(first) = applicant(form, answers) else {
        return Vec::new();
    };
    let contact = |q: &crate::flow::Query| match answers.get(&q.id) {
        Some(Answer::Contact(a)) => Some(a),
        _ => None,
    };
    let full_name = |a: &ContactAnswer| {
        let n = [a.first_name.as_deref(), a.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        (!n.is_empty()).then_some(n)
    };
    let applicant_query = applicant_query(form);
    let mut out = vec![SigningParty {
        role: crate::t!(lang, "signer-applicant"),
        personnummer: first,
        name: applicant_query.and_then(&contact).and_then(full_name),
        query: applicant_query.map(|q| q.id.clone()).unwrap_or_default(),
    }];
    for q in form.queries() {
        let crate::flow::QueryKind::ContactDetail(c) = &q.kind else {
            continue;
        };
        let (Some(role), Some(a)) = (c.signs.as_ref(), contact(q)) else {
            continue;
        };
        let Some(pnr) = a.citizen_id.as_deref().and_then(crate::ids::twelve_digits) else {
            continue;
        };
        out.push(SigningParty {
            role: role.clone(),
            personnummer: pnr,
            name: full_name(a),
            query: q.id.clone(),
        });
    }
    out
}

/// One visible query, for listings.
#[derive(Debug, Clone, Serialize)]
pub struct VisibleQuery {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub state: QueryState,
    pub step: String,
}

impl Report {
    /// The queries a citizen sees, in order, with their step names.
    pub fn visible(&self, form: &Form) -> Vec<VisibleQuery> {
        let mut out = Vec::new();
        let mut i = 0;
        for step in &form.flow.steps {
            for q in &step.queries {
                let state = self.states.get(i);
                i += 1;
                if state.is_visible() {
                    out.push(VisibleQuery {
                        id: q.id.clone(),
                        alias: q.alias.clone(),
                        name: q.name.clone(),
                        kind: q.kind.type_name().to_string(),
                        state,
                        step: step.name.clone(),
                    });
                }
            }
        }
        out
    }
}

/// Text of a small HTML fragment (descriptions), for messages and plain output. Tags are
/// dropped, block ends become line breaks and the common entities are decoded.
pub fn plain_text(html: &str) -> String {
    let mut out = String::new();
    let mut tag = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag
                    .trim_start_matches('/')
                    .split(|c: char| c.is_whitespace() || c == '/')
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if matches!(
                    name.as_str(),
                    "p" | "br" | "li" | "div" | "h1" | "h2" | "h3" | "tr"
                ) && !out.ends_with('\n')
                    && !out.is_empty()
                {
                    out.push('\n');
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    let decoded = decode_entities(&out);
    decoded
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Decodes HTML character references (all HTML5 named ones, `&aring;` included).
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e > 0 && e <= 32);
        let resolved = end.and_then(|e| {
            let name = &after[..e];
            let text = if let Some(num) = name.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse().ok(),
                };
                char::from_u32(code?).map(String::from)
            } else {
                quick_xml::escape::resolve_html5_entity(name).map(str::to_string)
            };
            text.map(|t| (t, e))
        });
        match resolved {
            Some((text, e)) => {
                out.push_str(&text);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace('\u{a0}', " ")
}
