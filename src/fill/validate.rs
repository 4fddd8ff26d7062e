//! Validation of answers: partial for drafts (types and formats), full for print and submit
//! (also required answers, minimum counts and stop queries). Every issue names its query and,
//! where there is one, its field and group row, so the UI can tie the message to the input.

use chrono::NaiveDate;
use serde::Serialize;

use super::Answers;
use super::answers::{Answer, Choice, ContactAnswer, FileRef, OrganizationAnswer};
use super::engine::{Form, States};
use crate::flow::{
    ContactDetailQuery, FieldMode, FileUploadQuery, OrganizationDetailQuery, Query, QueryKind,
    QueryState,
};
use crate::ids::{Format, FormatProblem};

/// How strictly to validate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Saving a draft: only what is filled in is checked (types, lengths, formats).
    Draft,
    /// Print or submit: everything, including required answers and stop queries.
    Complete,
}

/// The messages' language, the bottom layer's (kept here too: every form function takes one).
pub use crate::i18n::Lang;

/// One problem with the answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// Top-level query id (the group for a problem inside a group row).
    pub query: String,
    /// Field id inside the query: a text field id, a contact field name, or a sub-query id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// 0-based row of a repeating group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    #[serde(flatten)]
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    Required,
    /// A multi-sign query names the applicant, who signs as applicant already.
    SameAsApplicant,
    TooLong {
        max: usize,
        length: usize,
    },
    TooShort {
        min: usize,
    },
    Format {
        format: Format,
        problem: FormatProblem,
        /// The flow author's own message, when the flow gives one.
        #[serde(skip_serializing_if = "Option::is_none")]
        custom: Option<String>,
    },
    OneChoiceOnly,
    TooFewChecked {
        min: u32,
    },
    TooManyChecked {
        max: u32,
    },
    TooManyFiles {
        max: u32,
    },
    FileTooLarge {
        name: String,
        max: u64,
    },
    FilesTooLarge {
        max: u64,
    },
    FileType {
        name: String,
        allowed: Vec<String>,
    },
    FileNameTooLong {
        name: String,
        max: u32,
    },
    TooFewRows {
        min: u32,
    },
    TooManyRows {
        max: u32,
    },
    ContactWayMissing,
    PhoneMissing,
    /// A stop query is visible: the citizen cannot use this e-service (its text says why).
    Stopped {
        message: String,
    },
    /// A required query of a type that can only be answered on the web.
    OnlineOnly,
    /// A character no XML document can carry (a control character pasted from elsewhere):
    /// the municipality's systems would reject the whole case.
    IllegalCharacter {
        code_point: u32,
    },
}

impl Issue {
    /// The message to show next to the field, in `lang`, from the message catalogues.
    pub fn message(&self, lang: Lang) -> String {
        use crate::t;
        match &self.problem {
            Problem::Required => t!(lang, "problem-required"),
            Problem::TooLong { max, length } => {
                t!(lang, "problem-too-long", max = max, length = length)
            }
            Problem::TooShort { min } => t!(lang, "problem-too-short", min = min),
            Problem::Format {
                format,
                problem,
                custom,
            } => {
                // The flow author's own message is in the flow's language, Swedish.
                if let Some(c) = custom.as_ref().filter(|_| lang == Lang::Sv) {
                    return c.clone();
                }
                format_message(*format, *problem, lang)
            }
            Problem::OneChoiceOnly => t!(lang, "problem-one-choice-only"),
            Problem::SameAsApplicant => t!(lang, "problem-same-as-applicant"),
            Problem::TooFewChecked { min } => t!(lang, "problem-too-few-checked", min = min),
            Problem::TooManyChecked { max } => t!(lang, "problem-too-many-checked", max = max),
            Problem::TooManyFiles { max } => t!(lang, "problem-too-many-files", max = max),
            Problem::FileTooLarge { name, max } => {
                t!(
                    lang,
                    "problem-file-too-large",
                    name = name,
                    max = size(*max)
                )
            }
            Problem::FilesTooLarge { max } => t!(lang, "problem-files-too-large", max = size(*max)),
            Problem::FileType { name, allowed } => {
                t!(
                    lang,
                    "problem-file-type",
                    name = name,
                    allowed = allowed.join(", ")
                )
            }
            Problem::FileNameTooLong { name, max } => {
                t!(lang, "problem-file-name-too-long", name = name, max = max)
            }
            Problem::TooFewRows { min } => t!(lang, "problem-too-few-rows", min = min),
            Problem::TooManyRows { max } => t!(lang, "problem-too-many-rows", max = max),
            Problem::ContactWayMissing => t!(lang, "problem-contact-way-missing"),
            Problem::PhoneMissing => t!(lang, "problem-phone-missing"),
            Problem::Stopped { message } if !message.is_empty() => message.clone(),
            Problem::Stopped { .. } => t!(lang, "problem-stopped"),
            Problem::IllegalCharacter { code_point } => {
                t!(
                    lang,
                    "problem-illegal-character",
                    code = format!("{code_point:04X}")
                )
            }
            Problem::OnlineOnly => t!(lang, "problem-online-only"),
        }
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} kB", bytes.div_ceil(1024))
    }
}

pub(crate) fn format_message(format: Format, problem: FormatProblem, lang: Lang) -> String {
    use crate::t;
    match problem {
        FormatProblem::Checksum => t!(lang, "format-checksum"),
        FormatProblem::Future => t!(lang, "format-future"),
        FormatProblem::Date if format != Format::Date => t!(lang, "format-number-date"),
        FormatProblem::Date => t!(lang, "format-date"),
        FormatProblem::Coordination => t!(lang, "format-coordination"),
        FormatProblem::Interim => t!(lang, "format-interim"),
        FormatProblem::Century => t!(lang, "format-century"),
        FormatProblem::NotOrganisation => t!(lang, "format-not-organisation"),
        FormatProblem::Shape => t!(lang, "format-enter", example = format.example(lang)),
    }
}

struct Ctx<'a> {
    mode: Mode,
    today: NaiveDate,
    issues: &'a mut Vec<Issue>,
    query: &'a str,
    row: Option<usize>,
    /// Prefix for field ids inside group rows (the sub-query id).
    sub: Option<&'a str>,
}

impl Ctx<'_> {
    fn push(&mut self, field: Option<&str>, problem: Problem) {
        let field = match (self.sub, field) {
            (Some(sub), Some(f)) => Some(format!("{sub}.{f}")),
            (Some(sub), None) => Some(sub.to_string()),
            (None, f) => f.map(str::to_string),
        };
        self.issues.push(Issue {
            query: self.query.to_string(),
            field,
            row: self.row,
            problem,
        });
    }

    fn complete(&self) -> bool {
        self.mode == Mode::Complete
    }

    /// Length and format checks shared by every free-text value.
    fn text(&mut self, field: Option<&str>, value: &str, max: usize, format: Option<Format>) {
        if let Some(c) = crate::text::illegal_char(value) {
            let code_point = c as u32;
            self.push(field, Problem::IllegalCharacter { code_point });
            return;
        }
        // OeP trims and then counts Java (UTF-16) characters.
        let length = crate::text::java_length(value);
        if length > max {
            self.push(field, Problem::TooLong { max, length });
            return;
        }
        if let Some(format) = format.filter(|_| !value.trim().is_empty())
            && let Err(problem) = format.check(value, self.today)
        {
            self.push(
                field,
                Problem::Format {
                    format,
                    problem,
                    custom: None,
                },
            );
        }
    }
}

/// Validates answers that the engine has evaluated (`states` from [`Form::evaluate`]).
pub fn validate(
    form: &Form,
    states: &States,
    answers: &Answers,
    mode: Mode,
    today: NaiveDate,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    for (i, query) in form.queries().iter().enumerate() {
        let state = states.get(i);
        if !state.is_visible() {
            continue;
        }
        let mut ctx = Ctx {
            mode,
            today,
            issues: &mut issues,
            query: &query.id,
            row: None,
            sub: None,
        };
        validate_query(&mut ctx, query, state, answers.get(&query.id));
    }
    issues
}

fn validate_query(ctx: &mut Ctx, query: &Query, state: QueryState, answer: Option<&Answer>) {
    let required = state == QueryState::VisibleRequired;
    match (&query.kind, answer) {
        (QueryKind::TextField(t), answer) => {
            let empty = std::collections::BTreeMap::new();
            let values = match answer {
                Some(Answer::Fields(f)) => f,
                _ => &empty,
            };
            let any_field_required = t.fields.iter().any(|f| f.required);
            for field in &t.fields {
                let value = values.get(&field.id).map(String::as_str).unwrap_or("");
                if value.trim().is_empty() {
                    if ctx.complete() && required && field.required {
                        ctx.push(Some(&field.id), Problem::Required);
                    }
                    continue;
                }
                let before = ctx.issues.len();
                let format = field
                    .format_validator
                    .as_deref()
                    .and_then(Format::from_validator);
                ctx.text(Some(&field.id), value, field.max_len(), format);
                if ctx.issues.len() > before {
                    if let (Some(message), Some(issue)) =
                        (&field.invalid_format_message, ctx.issues.last_mut())
                        && let Problem::Format { custom, .. } = &mut issue.problem
                    {
                        *custom = Some(message.clone());
                    }
                } else if let Some(min) = field.min_length
                    && value.chars().count() < min as usize
                {
                    ctx.push(Some(&field.id), Problem::TooShort { min: min as usize });
                }
            }
            let filled = values.values().any(|v| !v.trim().is_empty());
            if ctx.complete() && required && !any_field_required && !filled {
                ctx.push(None, Problem::Required);
            }
        }
        (QueryKind::TextArea(t), answer) => {
            let value = match answer {
                Some(Answer::Text(s)) => s.as_str(),
                _ => "",
            };
            if value.trim().is_empty() {
                if ctx.complete() && required {
                    ctx.push(None, Problem::Required);
                }
            } else {
                ctx.text(None, value, t.max_len(), None);
            }
        }
        (QueryKind::RadioButton(_) | QueryKind::DropDown(_), answer) => {
            let choice = choice_of(answer);
            if choice.count() > 1 {
                ctx.push(None, Problem::OneChoiceOnly);
            } else if choice.count() == 0 && ctx.complete() && required {
                ctx.push(None, Problem::Required);
            }
            if let Some(other) = choice.other_text() {
                ctx.text(Some("other"), other, crate::flow::TEXT_FIELD_HARD_CAP, None);
            }
        }
        (QueryKind::Checkbox(c), answer) => {
            let choice = choice_of(answer);
            let n = choice.count() as u32;
            if n == 0 {
                if ctx.complete() && required {
                    ctx.push(None, Problem::Required);
                }
            } else if let Some(max) = c.max_checked.filter(|m| n > *m) {
                ctx.push(None, Problem::TooManyChecked { max });
            } else if let Some(min) = c.min_checked.filter(|m| n < *m && ctx.complete()) {
                ctx.push(None, Problem::TooFewChecked { min });
            }
            if let Some(other) = choice.other_text() {
                ctx.text(Some("other"), other, crate::flow::TEXT_FIELD_HARD_CAP, None);
            }
        }
        (QueryKind::FileUpload(f), answer) => {
            let files = match answer {
                Some(Answer::Files(files)) => files.as_slice(),
                _ => &[],
            };
            if files.is_empty() && ctx.complete() && required {
                ctx.push(None, Problem::Required);
            }
            for (field, problem) in file_problems_at(f, files) {
                ctx.push(field.as_deref(), problem);
            }
        }
        (QueryKind::ContactDetail(c), answer) => {
            let empty = ContactAnswer::default();
            let a = match answer {
                Some(Answer::Contact(a)) => a,
                _ => &empty,
            };
            contact(ctx, c, a, required);
        }
        (QueryKind::OrganizationDetail(o), answer) => {
            let empty = OrganizationAnswer::default();
            let a = match answer {
                Some(Answer::Organization(a)) => a,
                _ => &empty,
            };
            organization(ctx, o, a, required);
        }
        (QueryKind::RepeatingGroup(g), answer) => {
            let rows = match answer {
                Some(Answer::Rows(rows)) => rows.as_slice(),
                _ => &[],
            };
            let min = g.min_rows.max(u32::from(required));
            if ctx.complete() && (rows.len() as u32) < min {
                ctx.push(None, Problem::TooFewRows { min });
            }
            if let Some(max) = g.max_rows.filter(|m| rows.len() as u32 > *m) {
                ctx.push(None, Problem::TooManyRows { max });
            }
            for (r, row) in rows.iter().enumerate() {
                for sub in g.queries.iter().filter(|q| q.default_state.is_visible()) {
                    let mut inner = Ctx {
                        mode: ctx.mode,
                        today: ctx.today,
                        issues: ctx.issues,
                        query: ctx.query,
                        row: Some(r),
                        sub: Some(&sub.id),
                    };
                    validate_query(&mut inner, sub, sub.default_state, row.get(&sub.id));
                }
            }
        }
        (QueryKind::Stop(_), _) => {
            if ctx.complete() {
                let message = query
                    .description
                    .as_deref()
                    .map(crate::fill::plain_text)
                    .unwrap_or_default();
                ctx.push(None, Problem::Stopped { message });
            }
        }
        (QueryKind::Unknown(_), _) => {
            if ctx.complete() && required {
                ctx.push(None, Problem::OnlineOnly);
            }
        }
        (QueryKind::FileInfo(_), _) => {}
    }
}

/// Problems with attached files against a FileUpload query's limits (count, sizes, types,
/// name length). The vault checks these before it stores a file.
pub fn file_problems(f: &FileUploadQuery, files: &[FileRef]) -> Vec<Problem> {
    file_problems_at(f, files)
        .into_iter()
        .map(|(_, p)| p)
        .collect()
}

fn file_problems_at(f: &FileUploadQuery, files: &[FileRef]) -> Vec<(Option<String>, Problem)> {
    let mut out = Vec::new();
    if let Some(max) = f.max_file_count.filter(|m| files.len() > *m as usize) {
        out.push((None, Problem::TooManyFiles { max }));
    }
    for file in files {
        let at = Some(file.name.clone());
        if let Some(c) = crate::text::illegal_char(&file.name) {
            let code_point = c as u32;
            out.push((at.clone(), Problem::IllegalCharacter { code_point }));
        }
        if let Some(max) = f.max_file_size.filter(|m| file.size > *m) {
            out.push((
                at.clone(),
                Problem::FileTooLarge {
                    name: file.name.clone(),
                    max,
                },
            ));
        }
        let ext = file
            .name
            .rsplit_once('.')
            .map(|(_, e)| e.to_lowercase())
            .unwrap_or_default();
        if !f.allowed_extensions.is_empty() && !f.allowed_extensions.contains(&ext) {
            out.push((
                at.clone(),
                Problem::FileType {
                    name: file.name.clone(),
                    allowed: f.allowed_extensions.clone(),
                },
            ));
        }
        let max_name = f.max_file_name_length.unwrap_or(255);
        if file.name.chars().count() > max_name as usize {
            out.push((
                at,
                Problem::FileNameTooLong {
                    name: file.name.clone(),
                    max: max_name,
                },
            ));
        }
    }
    let total: u64 = files.iter().map(|f| f.size).sum();
    if let Some(max) = f.max_query_size.filter(|m| total > *m) {
        out.push((None, Problem::FilesTooLarge { max }));
    }
    out
}

fn choice_of(answer: Option<&Answer>) -> Choice {
    match answer {
        Some(Answer::Choice(c)) => c.clone(),
        _ => Choice::default(),
    }
}

/// A field of a contact block: its id in messages, value, mode and format.
type ContactField<'a> = (&'a str, &'a Option<String>, FieldMode, Option<Format>);

fn contact_fields<'a>(ctx: &mut Ctx, fields: &[ContactField<'a>], required: bool) {
    let any_filled = fields
        .iter()
        .any(|(_, v, _, _)| v.as_deref().is_some_and(|s| !s.trim().is_empty()));
    // Required sub-fields apply when the query is required, or once the citizen has started
    // filling in an optional block (half an address is worse than none).
    let enforce = ctx.complete() && (required || any_filled);
    for (name, value, mode, format) in fields {
        if *mode == FieldMode::Hidden {
            continue;
        }
        match value.as_deref().filter(|s| !s.trim().is_empty()) {
            None if enforce && *mode == FieldMode::Required => {
                ctx.push(Some(name), Problem::Required);
            }
            None => {}
            Some(v) => ctx.text(Some(name), v, crate::flow::TEXT_FIELD_HARD_CAP, *format),
        }
    }
}

fn filled(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

fn contact(ctx: &mut Ctx, q: &ContactDetailQuery, a: &ContactAnswer, required: bool) {
    let fields: Vec<ContactField> = super::contact_fields(q)
        .iter()
        .filter_map(|f| Some((f.name, a.value(f.name)?, f.mode, f.format)))
        .collect();
    contact_fields(ctx, &fields, required);
    if ctx.complete() && required {
        if q.require_at_least_one_contact_way
            && !filled(&a.phone)
            && !filled(&a.mobile_phone)
            && !filled(&a.email)
        {
            ctx.push(None, Problem::ContactWayMissing);
        }
        if q.require_mobile_phone_or_phone && !filled(&a.phone) && !filled(&a.mobile_phone) {
            ctx.push(Some("phone"), Problem::PhoneMissing);
        }
    }
}

fn organization(
    ctx: &mut Ctx,
    q: &OrganizationDetailQuery,
    a: &OrganizationAnswer,
    required: bool,
) {
    let fields: Vec<ContactField> = super::organization_fields(q)
        .iter()
        .filter_map(|f| Some((f.name, a.value(f.name)?, f.mode, f.format)))
        .collect();
    contact_fields(ctx, &fields, required);
    if ctx.complete()
        && required
        && q.require_email_or_mobile
        && !filled(&a.email)
        && !filled(&a.mobile_phone)
    {
        ctx.push(None, Problem::ContactWayMissing);
    }
}
