//! The answers as the citizen checks them before printing or sending, and as the paper shows
//! them: one list of rows, so that the review on screen and the PDF cannot disagree.
//!
//! Every visible question of every step gets a row, unanswered ones too ("Inte angivet"), in
//! the flow's order. Texts that are information, not questions (file lists, stops), get none.

use serde::Serialize;

use super::{Answer, Answers, FileRef, Form, Lang, States};
use crate::flow::{Query, QueryKind};
use crate::i18n::text;

/// One step and the rows of its visible questions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryStep {
    /// The step's place in the flow (0-based), to go back to it.
    pub index: usize,
    pub name: String,
    pub rows: Vec<SummaryRow>,
}

/// One question and the citizen's answer to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryRow {
    /// The question's id, for "Ändra".
    pub query: String,
    pub question: String,
    /// The answer's lines in the order they are shown; one "Inte angivet" line when there is
    /// no answer.
    pub lines: Vec<SummaryLine>,
    pub answered: bool,
}

/// One line of an answer: a value, or a field's label and its value, or the start of a group
/// row ("Rad 2"). Sent to the window with its `text` as the paper prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", into = "LineView")]
pub struct SummaryLine {
    pub label: Option<String>,
    pub value: String,
    /// The field hides what was typed (`maskFieldContent`): `value` is dots, on screen as on
    /// paper.
    pub masked: bool,
    /// A heading inside the answer (a repeating group's row), not a value.
    pub heading: bool,
    /// Shown on screen but left off the paper: a co-signer's personnummer when their
    /// ManualMultiSignQuery says `hideCitizenIdetifierInPDF`.
    pub off_paper: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LineView {
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    value: String,
    text: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    masked: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    heading: bool,
}

impl From<SummaryLine> for LineView {
    fn from(l: SummaryLine) -> Self {
        LineView {
            text: l.text(),
            label: l.label,
            value: l.value,
            masked: l.masked,
            heading: l.heading,
        }
    }
}

impl SummaryLine {
    fn value(value: impl Into<String>) -> Self {
        SummaryLine {
            label: None,
            value: value.into(),
            masked: false,
            heading: false,
            off_paper: false,
        }
    }

    fn pair(label: impl Into<String>, value: impl Into<String>) -> Self {
        SummaryLine {
            label: Some(label.into()),
            ..SummaryLine::value(value)
        }
    }

    /// The line as one text, as the PDF prints it: "Etikett: värde", and "Sökt vård? Nej"
    /// where the label is a question already.
    pub fn text(&self) -> String {
        match &self.label {
            Some(l) if l.ends_with(['?', ':']) => format!("{l} {}", self.value),
            Some(l) => format!("{l}: {}", self.value),
            None => self.value.clone(),
        }
    }
}

const MASK: &str = "••••••";

/// The summary of evaluated answers (see [`super::check`]): every visible question with its
/// answer, step by step; steps with no visible question are left out.
pub fn summary(form: &Form, states: &States, answers: &Answers, lang: Lang) -> Vec<SummaryStep> {
    let mut out = Vec::new();
    let mut position = 0;
    for (index, step) in form.flow.steps.iter().enumerate() {
        let rows: Vec<SummaryRow> = step
            .queries
            .iter()
            .enumerate()
            .filter(|(k, _)| states.get(position + k).is_visible())
            .filter_map(|(_, q)| row(q, answers.values.get(&q.id), lang))
            .collect();
        position += step.queries.len();
        if !rows.is_empty() {
            out.push(SummaryStep {
                index,
                name: step.name.clone(),
                rows,
            });
        }
    }
    out
}

/// One who signs a printed form by hand: the heading of the contact details they gave
/// ("Sökande", "Vårdnadshavare 2") and their name, when given.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signer {
    pub role: String,
    pub name: Option<String>,
}

impl Signer {
    /// As the paper's signature block heads it: "Dina uppgifter: Åsa Lindström".
    pub fn text(&self) -> String {
        match &self.name {
            Some(n) => format!("{}: {n}", self.role),
            None => self.role.clone(),
        }
    }
}

/// Who signs a printed form: everyone whose contact details it took, in the form's order
/// ("Sökande" alone when it took none).
pub fn signers(form: &Form, states: &States, answers: &Answers) -> Vec<Signer> {
    let mut out = Vec::new();
    for (i, q) in form.queries().iter().enumerate() {
        if !states.get(i).is_visible() {
            continue;
        }
        if let (QueryKind::ContactDetail(_), Some(Answer::Contact(a))) =
            (&q.kind, answers.values.get(&q.id))
        {
            let name = [a.first_name.as_deref(), a.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            out.push(Signer {
                role: q.name.clone(),
                name: (!name.trim().is_empty()).then_some(name),
            });
        }
    }
    if out.is_empty() {
        out.push(Signer {
            role: "Sökande".into(),
            name: None,
        });
    }
    out
}

/// Every file the answers attach, in the order of the summary (group rows included).
pub fn attachments(form: &Form, states: &States, answers: &Answers) -> Vec<FileRef> {
    let mut out = Vec::new();
    for (i, q) in form.queries().iter().enumerate() {
        if !states.get(i).is_visible() {
            continue;
        }
        match answers.values.get(&q.id) {
            Some(Answer::Files(f)) => out.extend(f.iter().cloned()),
            Some(Answer::Rows(rows)) => {
                for row in rows {
                    for a in row.values() {
                        if let Answer::Files(f) = a {
                            out.extend(f.iter().cloned());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A file's size as people read it: "12 kB", "1,4 MB".
pub fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    } else {
        format!("{} kB", bytes.div_ceil(1024))
    }
}

/// An attached file as the review and the paper list it: "foto.jpg (120 kB)".
pub fn file_line(f: &FileRef) -> String {
    format!("{} ({})", f.name, size_text(f.size))
}

fn row(q: &Query, answer: Option<&Answer>, lang: Lang) -> Option<SummaryRow> {
    if matches!(q.kind, QueryKind::FileInfo(_) | QueryKind::Stop(_)) {
        return None;
    }
    let lines = if matches!(q.kind, QueryKind::Unknown(_)) {
        vec![SummaryLine::value(text(lang, "summary-web-only", &[]))]
    } else {
        answer_lines(&q.kind, answer, lang)
    };
    let answered = !lines.is_empty();
    Some(SummaryRow {
        query: q.id.clone(),
        question: q.name.clone(),
        lines: if answered {
            lines
        } else {
            vec![SummaryLine::value(text(lang, "summary-not-given", &[]))]
        },
        answered: answered && !matches!(q.kind, QueryKind::Unknown(_)),
    })
}

fn filled(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|v| !v.trim().is_empty())
}

fn answer_lines(kind: &QueryKind, answer: Option<&Answer>, lang: Lang) -> Vec<SummaryLine> {
    match (kind, answer) {
        (QueryKind::TextField(t), Some(Answer::Fields(values))) => {
            if !values.values().any(|v| !v.trim().is_empty()) {
                return Vec::new();
            }
            t.fields
                .iter()
                .map(|f| {
                    let v = values.get(&f.id).map(String::as_str).unwrap_or("").trim();
                    let mut line = if v.is_empty() {
                        SummaryLine::value(text(lang, "summary-not-given", &[]))
                    } else if f.mask_field_content {
                        SummaryLine {
                            masked: true,
                            ..SummaryLine::value(MASK)
                        }
                    } else {
                        SummaryLine::value(v)
                    };
                    if t.fields.len() > 1 {
                        line.label = Some(f.label.clone());
                    }
                    line
                })
                .collect()
        }
        (QueryKind::TextArea(_), Some(Answer::Text(t))) if !t.trim().is_empty() => {
            vec![SummaryLine::value(t.trim_end())]
        }
        (_, Some(Answer::Choice(ch))) => {
            let Some((alts, free)) = kind.alternatives() else {
                return Vec::new();
            };
            let mut lines: Vec<SummaryLine> = ch
                .selected
                .iter()
                .filter_map(|s| alts.iter().find(|a| &a.id == s))
                .map(|a| SummaryLine::value(a.name.clone()))
                .collect();
            if let Some(o) = ch.other_text() {
                let label = free
                    .map(str::to_string)
                    .unwrap_or_else(|| text(lang, "field-other", &[]));
                lines.push(SummaryLine::pair(label, o.trim()));
            }
            lines
        }
        (QueryKind::FileUpload(_), Some(Answer::Files(files))) => files
            .iter()
            .map(|f| SummaryLine::value(file_line(f)))
            .collect(),
        (QueryKind::ContactDetail(q), Some(Answer::Contact(a))) => {
            let hide_pnr = q
                .manual_multi_sign
                .as_ref()
                .is_some_and(|m| m.hide_citizen_identifier_in_pdf);
            person_lines(
                &super::contact_fields(q),
                |n| a.value(n),
                a.contact_by_sms,
                lang,
            )
            .into_iter()
            .map(|(field, mut line)| {
                line.off_paper = hide_pnr && field == "citizenId";
                line
            })
            .collect()
        }
        (QueryKind::OrganizationDetail(q), Some(Answer::Organization(a))) => person_lines(
            &super::organization_fields(q),
            |n| a.value(n),
            a.contact_by_sms,
            lang,
        )
        .into_iter()
        .map(|(_, line)| line)
        .collect(),
        (QueryKind::RepeatingGroup(g), Some(Answer::Rows(rows))) => {
            let mut lines = Vec::new();
            for (n, values) in rows.iter().enumerate() {
                lines.push(SummaryLine {
                    heading: true,
                    ..SummaryLine::value(text(lang, "summary-row", &[("n", (n + 1).to_string())]))
                });
                for sub in g.queries.iter().filter(|s| s.default_state.is_visible()) {
                    let sub_lines = answer_lines(&sub.kind, values.get(&sub.id), lang);
                    if sub_lines.is_empty() {
                        lines.push(SummaryLine::pair(
                            sub.name.clone(),
                            text(lang, "summary-not-given", &[]),
                        ));
                    }
                    for l in sub_lines {
                        lines.push(match l.label {
                            // A field of a sub-question: its own label says enough.
                            Some(_) => l,
                            None => SummaryLine {
                                label: Some(sub.name.clone()),
                                ..l
                            },
                        });
                    }
                }
            }
            lines
        }
        _ => Vec::new(),
    }
}

fn yes(lang: Lang) -> String {
    text(lang, "summary-yes", &[])
}

/// The filled fields of a contact or organisation answer, labelled as the form labels them.
/// A person's or organisation's filled fields as lines, each with its field's name.
fn person_lines<'a>(
    fields: &[super::PersonField],
    value: impl Fn(&str) -> Option<&'a Option<String>>,
    sms: Option<bool>,
    lang: Lang,
) -> Vec<(&'static str, SummaryLine)> {
    let mut lines: Vec<_> = fields
        .iter()
        .filter_map(|f| {
            let v = filled(value(f.name)?)?;
            Some((f.name, SummaryLine::pair(text(lang, f.label, &[]), v)))
        })
        .collect();
    if sms == Some(true) {
        lines.push((
            "contactBySMS",
            SummaryLine::pair(text(lang, "field-contactBySms", &[]), yes(lang)),
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fill::{Mode, check};

    /// The embedded food-poisoning report, its second "when" field masked as a secret would be.
    fn summary_of(answers: serde_json::Value) -> Vec<SummaryStep> {
        let catalogue = crate::catalogue::Catalogue::embedded().unwrap();
        let mut flow = catalogue.flow("matforgiftning").unwrap().clone();
        if let QueryKind::TextField(t) = &mut flow.steps[0].queries[1].kind {
            t.fields[1].mask_field_content = true;
        }
        let form = Form::new(&flow);
        let doc = serde_json::json!({ "flow": flow.id, "answers": answers });
        let mut a = Answers::from_json(&flow, &doc).expect("answers");
        let r = check(&form, &mut a, Mode::Draft, crate::app::today());
        summary(&form, &r.states, &a, Lang::Sv)
    }

    fn texts(row: &SummaryRow) -> Vec<String> {
        row.lines.iter().map(SummaryLine::text).collect()
    }

    #[test]
    fn every_visible_question_has_a_row_and_unanswered_ones_say_so() {
        let s = summary_of(serde_json::json!({}));
        let names: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Om händelsen", "Kontakt"]);
        assert_eq!(s[0].rows.len(), 5);
        assert_eq!(s[1].rows.len(), 1, "the hidden contact question has no row");
        let answered: Vec<&str> = s
            .iter()
            .flat_map(|s| &s.rows)
            .filter(|r| r.answered)
            .map(|r| r.query.as_str())
            .collect();
        assert!(answered.is_empty(), "answered: {answered:?}");
        for row in s.iter().flat_map(|s| &s.rows) {
            assert_eq!(texts(row), ["Inte angivet"]);
        }
    }

    #[test]
    fn answers_read_as_the_citizen_gave_them_with_masked_fields_hidden() {
        let s = summary_of(serde_json::json!({
            "5101": { "510101": "Kebabkungen" },
            "5102": { "510201": "2026-11-30", "510202": "19" },
            "5103": "Kebab\noch läsk",
            "5104": { "selected": ["510402"], "other": "Feber" },
            "5105": [ { "5106": { "510601": "Ada", "510602": "7" } }, {} ]
        }));
        let rows: Vec<&SummaryRow> = s[0].rows.iter().collect();
        assert_eq!(
            texts(rows[0]),
            [
                "Restaurang, butik eller annan verksamhet: Kebabkungen",
                "Adress eller ort: Inte angivet"
            ]
        );
        assert_eq!(
            texts(rows[1]),
            ["Datum: 2026-11-30", "Ungefärligt klockslag: ••••••"]
        );
        assert!(rows[1].lines[1].masked);
        assert_eq!(texts(rows[2]), ["Kebab\noch läsk"]);
        assert_eq!(texts(rows[3]), ["Kräkningar", "Annat symtom: Feber"]);
        assert_eq!(
            texts(rows[4]),
            [
                "Rad 1",
                "Namn eller initialer: Ada",
                "Ålder: 7",
                "Timmar efter måltiden: Inte angivet",
                "Har personen sökt vård? Inte angivet",
                "Rad 2",
                "Person: Inte angivet",
                "Har personen sökt vård? Inte angivet"
            ]
        );
        assert!(rows[4].lines[0].heading);
        assert!(rows.iter().all(|r| r.answered));
        assert!(!s[1].rows[0].answered);
    }
}
