//! What goes on the paper: the form's questions and answers in reading order.

use std::collections::HashMap;

use super::PdfOptions;
use super::fonts::Fonts;
use super::layout::{Composer, Draw, Kind, LEFT, RIGHT, WIDTH};
use super::render::Frame;
use crate::fill::{Answers, Form, Lang, Signer, States, SummaryRow};
use crate::flow::{EvaluatorRule, FieldMode, Flow, Query, QueryKind, QueryState};

const BODY: f32 = 10.5;
const SMALL: f32 = 9.0;

pub(crate) fn frame(flow: &Flow, o: &PdfOptions) -> Frame {
    Frame {
        title: flow.name.clone(),
        header: format!("{} · {}", o.publisher, flow.name),
        footer: format!(
            "E-tjänst {}, version {} · utskriven {}",
            flow.id,
            flow.version,
            o.created.format("%Y-%m-%d %H:%M")
        ),
        created: o.created,
    }
}

fn p(c: &mut Composer, text: &str, size: f32, bold: bool) {
    c.open(Kind::P);
    c.paragraph(text, LEFT, WIDTH, size, bold);
    c.close();
}

fn heading(c: &mut Composer, level: u16, text: &str) {
    let size = match level {
        1 => 18.0,
        2 => 13.5,
        _ => BODY,
    };
    c.ensure(size * 4.0);
    if level == 2 {
        c.gap(10.0);
        let page = c.page();
        c.outline.push((text.to_string(), page, c.y));
    }
    c.open(Kind::H(level, text.to_string()));
    c.paragraph(text, LEFT, WIDTH, size, true);
    c.close();
    c.gap(if level == 3 { 1.0 } else { 4.0 });
}

fn title(c: &mut Composer, flow: &Flow, o: &PdfOptions, blank: bool) {
    heading(c, 1, &flow.name);
    let when = o.created.format("%Y-%m-%d");
    let line = if blank {
        format!(
            "E-tjänst {}, version {}. Blankett utskriven {when}.",
            flow.id, flow.version
        )
    } else {
        format!(
            "E-tjänst {}, version {}. Ifylld {when}.",
            flow.id, flow.version
        )
    };
    p(c, &line, SMALL, false);
    let intro = match (blank, o.by_post) {
        (true, _) => "Fyll i blanketten för hand. Frågor märkta med * måste besvaras.",
        (false, true) => {
            "Det här är dina svar. Kontrollera dem, skriv under på sista sidan och skicka blanketten till adressen där."
        }
        (false, false) => "Det här är en utskrift av dina svar.",
    };
    p(c, intro, SMALL, false);
}

fn mark(c: &mut Composer, text: &str, round: bool, marked: bool) {
    let lines = c.wrap(text, WIDTH - 22.0, BODY, false);
    c.ensure(BODY * 1.4 * lines.len() as f32);
    c.open(Kind::LI);
    c.open(Kind::Lbl);
    let top = c.y + 4.0;
    c.content(Draw::Mark {
        x: LEFT + 2.0,
        y: top,
        size: 9.0,
        round,
        marked,
    });
    c.close();
    c.open(Kind::LBody);
    c.open(Kind::P);
    c.paragraph(text, LEFT + 18.0, WIDTH - 18.0, BODY, false);
    c.close();
    c.close();
    c.close();
}

/// A label and a line to write on.
fn write_line(c: &mut Composer, label: &str, x: f32, width: f32) {
    c.ensure(34.0);
    c.open(Kind::P);
    c.paragraph(label, x, width, SMALL, false);
    c.close();
    c.gap(18.0);
    let y = c.y;
    c.rule(x, x + width, y);
    c.gap(4.0);
}

/// The writing lines of a contact or organisation block: each shown field's label (the
/// form's own, in the paper's Swedish) and mode.
fn person_rows(fields: &[crate::fill::PersonField]) -> Vec<(String, FieldMode)> {
    fields
        .iter()
        .filter(|f| f.mode != FieldMode::Hidden)
        .map(|f| (crate::i18n::text(Lang::Sv, f.label, &[]), f.mode))
        .collect()
}

/// A repeating group's column headers: each sub-question, or each field of a text-field one.
fn group_headers(sub: &[Query]) -> Vec<String> {
    sub.iter()
        .filter(|q| q.default_state.is_visible())
        .flat_map(|q| match &q.kind {
            QueryKind::TextField(t) => t.fields.iter().map(|f| f.label.clone()).collect(),
            _ => vec![q.name.clone()],
        })
        .collect()
}

fn table(c: &mut Composer, headers: &[String], rows: &[Vec<String>], empty_rows: usize) {
    let n = headers.len().max(1);
    let col_w = WIDTH / n as f32;
    let pad = 3.0;
    let draw_row = |c: &mut Composer, cells: &[String], header: bool, blank: bool| {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .map(|t| c.wrap(t, col_w - 2.0 * pad, SMALL, header))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let h = if blank {
            22.0
        } else {
            lines as f32 * SMALL * 1.35 + 2.0 * pad
        };
        c.ensure(h + 2.0);
        let top = c.y;
        c.open(Kind::TR);
        for (i, cell) in wrapped.iter().enumerate() {
            c.open(if header { Kind::TH } else { Kind::TD });
            let x = LEFT + i as f32 * col_w + pad;
            for (k, line) in cell.iter().enumerate() {
                if !line.is_empty() {
                    c.content(Draw::Text {
                        x,
                        y: top + pad + (k as f32 + 1.0) * SMALL * 1.35 - SMALL * 0.3,
                        size: SMALL,
                        bold: header,
                        text: line.clone(),
                    });
                }
            }
            c.close();
        }
        c.close();
        c.y = top + h;
        let y = c.y;
        c.rule(LEFT, RIGHT, y);
    };
    c.open(Kind::Table);
    let y = c.y;
    c.rule(LEFT, RIGHT, y);
    draw_row(c, headers, true, false);
    for row in rows {
        draw_row(c, row, false, false);
    }
    for _ in 0..empty_rows {
        let blank: Vec<String> = vec![String::new(); n];
        draw_row(c, &blank, false, true);
    }
    c.close();
    c.gap(4.0);
}

/// One question of the summary: its heading, then each line of the answer ("Rad 2" bold).
fn filled_row(c: &mut Composer, row: &SummaryRow) {
    c.ensure(40.0);
    c.open(Kind::Div);
    heading(c, 3, &row.question);
    for line in row.lines.iter().filter(|l| !l.off_paper) {
        p(c, &line.text(), BODY, line.heading);
    }
    c.close();
    c.gap(6.0);
}

fn signature(c: &mut Composer, flow: &Flow, signers: &[Signer]) {
    // Keep the heading with the first signer's lines.
    c.ensure(190.0);
    heading(c, 2, "Underskrift");
    for signer in signers {
        c.ensure(150.0);
        c.open(Kind::Div);
        let head = signer.text();
        p(c, &head, BODY, true);
        let half = WIDTH / 2.0 - 8.0;
        write_line(c, "Ort och datum", LEFT, half);
        write_line(c, "Namnteckning", LEFT, half);
        write_line(c, "Namnförtydligande", LEFT, half);
        c.close();
        c.gap(6.0);
    }
    if let Some(contact) = flow
        .contact
        .as_ref()
        .filter(|k| !k.postal_address.is_empty())
    {
        c.ensure(80.0);
        heading(c, 2, "Skicka blanketten till");
        c.open(Kind::P);
        for line in &contact.postal_address {
            c.paragraph(line, LEFT, WIDTH, BODY, false);
        }
        c.close();
        if let Some(phone) = &contact.phone {
            p(c, &format!("Frågor: {phone}"), SMALL, false);
        }
    }
}

/// Room for `count` QR codes, two to a row, each under its own figure.
pub(crate) fn qr_codes(c: &mut Composer, count: usize) {
    if count == 0 {
        return;
    }
    // Keep the heading with the first row of codes.
    c.ensure(280.0);
    heading(c, 2, "Kod för inskanning");
    p(
        c,
        "Koderna innehåller dina svar så att kommunen kan läsa in blanketten. Vik eller skriv inte över dem.",
        SMALL,
        false,
    );
    let size = 220.0;
    let mut x = LEFT;
    for i in 0..count {
        if x == LEFT {
            c.ensure(size + 24.0);
        }
        let top = c.y + 8.0;
        c.open(Kind::Figure(format!(
            "QR-kod {} av {count} med blankettens svar i maskinläsbar form",
            i + 1
        )));
        c.content(Draw::Qr {
            x,
            y: top,
            size,
            code: i,
        });
        c.close();
        x += size + 24.0;
        if x + size > RIGHT || i + 1 == count {
            x = LEFT;
            c.y = top + size;
        }
    }
}

pub(crate) fn filled<'f>(
    fonts: &'f Fonts,
    form: &Form,
    states: &States,
    answers: &Answers,
    o: &PdfOptions,
) -> Composer<'f> {
    let mut c = Composer::new(fonts);
    let flow = form.flow;
    title(&mut c, flow, o, false);
    // The rows the review shows on screen: the paper says the same, in Swedish as the
    // document's language is.
    for step in crate::fill::summary(form, states, answers, Lang::Sv) {
        heading(&mut c, 2, &step.name);
        for row in &step.rows {
            filled_row(&mut c, row);
        }
    }
    let attachments = crate::fill::attachments(form, states, answers);
    if !attachments.is_empty() {
        heading(
            &mut c,
            2,
            if o.by_post {
                "Bifoga följande"
            } else {
                "Bifogade filer"
            },
        );
        if o.by_post {
            p(
                &mut c,
                "Lägg en utskrift av varje fil i kuvertet.",
                SMALL,
                false,
            );
        }
        c.open(Kind::L);
        for f in &attachments {
            c.open(Kind::LI);
            c.open(Kind::LBody);
            p(&mut c, &crate::fill::file_line(f), BODY, false);
            c.close();
            c.close();
        }
        c.close();
    }
    if o.by_post {
        signature(&mut c, flow, &crate::fill::signers(form, states, answers));
    }
    c
}

/// Why a conditional question is shown: "du svarat ”Ja” på ”Har barnet …?”".
fn conditions(flow: &Flow) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for q in flow.queries() {
        let Some((alts, free)) = q.kind.alternatives() else {
            continue;
        };
        for ev in q.evaluators.iter().filter(|e| e.enabled) {
            if let EvaluatorRule::QueryState {
                alternatives,
                free_text,
                state: Some(s),
                ..
            } = &ev.rule
            {
                if !s.is_visible() {
                    continue;
                }
                let mut names: Vec<String> = alternatives
                    .iter()
                    .filter_map(|a| alts.iter().find(|x| &x.id == a))
                    .map(|a| format!("”{}”", a.name))
                    .collect();
                if *free_text && let Some(f) = free {
                    names.push(format!("”{f}”"));
                }
                let why = format!("du svarat {} på frågan ”{}”", names.join(" eller "), q.name);
                for t in &ev.targets {
                    out.entry(t.clone()).or_default().push(why.clone());
                }
            }
        }
    }
    out
}

/// Writing lines for a contact block's shown fields, required ones starred.
fn blank_fields(c: &mut Composer, rows: Vec<(String, FieldMode)>) {
    for (label, mode) in rows {
        match mode {
            FieldMode::Hidden => {}
            FieldMode::Required => write_line(c, &format!("{label} *"), LEFT, WIDTH),
            FieldMode::Visible => write_line(c, &label, LEFT, WIDTH),
        }
    }
}

fn blank_query(c: &mut Composer, q: &Query, required: bool, why: Option<&Vec<String>>) {
    c.ensure(60.0);
    c.open(Kind::Div);
    let name = if required && !matches!(q.kind, QueryKind::FileInfo(_) | QueryKind::Stop(_)) {
        format!("{} *", q.name)
    } else {
        q.name.clone()
    };
    heading(c, 3, &name);
    if let Some(why) = why {
        p(
            c,
            &format!("Fyll bara i om {}.", why.join(", eller om ")),
            SMALL,
            false,
        );
    }
    match &q.kind {
        QueryKind::TextField(t) => {
            for f in &t.fields {
                let label = if f.required && required {
                    format!("{} *", f.label)
                } else {
                    f.label.clone()
                };
                let label = match &f.placeholder {
                    Some(ph) => format!("{label} ({ph})"),
                    None => label,
                };
                write_line(c, &label, LEFT, WIDTH);
            }
        }
        QueryKind::TextArea(t) => {
            let rows = t.rows.unwrap_or(4).clamp(3, 12);
            for _ in 0..rows {
                c.ensure(22.0);
                c.gap(20.0);
                let y = c.y;
                c.rule(LEFT, RIGHT, y);
            }
            c.gap(4.0);
        }
        QueryKind::RadioButton(_) | QueryKind::Checkbox(_) | QueryKind::DropDown(_) => {
            let round = !matches!(q.kind, QueryKind::Checkbox(_));
            let hint = if round {
                "Välj ett alternativ."
            } else {
                "Kryssa i det som stämmer."
            };
            p(c, hint, SMALL, false);
            if let Some((alts, free)) = q.kind.alternatives() {
                c.open(Kind::L);
                for a in alts {
                    mark(c, &a.name, round, false);
                }
                if let Some(f) = free {
                    mark(
                        c,
                        &format!("{f}: ______________________________"),
                        round,
                        false,
                    );
                }
                c.close();
            }
        }
        QueryKind::FileUpload(f) => {
            let mut text = String::from("Bifoga som papperskopia");
            if let Some(n) = f.max_file_count {
                text.push_str(&format!(", högst {n} st"));
            }
            if !f.allowed_extensions.is_empty() {
                text.push_str(&format!(
                    " (på webben: {})",
                    f.allowed_extensions.join(", ")
                ));
            }
            text.push('.');
            p(c, &text, SMALL, false);
        }
        QueryKind::ContactDetail(cq) => {
            blank_fields(c, person_rows(&crate::fill::contact_fields(cq)))
        }
        QueryKind::OrganizationDetail(oq) => {
            blank_fields(c, person_rows(&crate::fill::organization_fields(oq)))
        }
        QueryKind::RepeatingGroup(g) => {
            let headers = group_headers(&g.queries);
            let rows = (g.min_rows as usize)
                .max(3)
                .min(g.max_rows.map_or(8, |m| m as usize).max(1));
            p(
                c,
                "En rad per post. Fortsätt på ett eget papper om raderna inte räcker.",
                SMALL,
                false,
            );
            table(c, &headers, &[], rows);
        }
        QueryKind::FileInfo(f) => {
            if let Some(d) = &q.description {
                p(c, &crate::fill::plain_text(d), SMALL, false);
            }
            for file in &f.files {
                p(c, &format!("Fil: {}", file.name), SMALL, false);
            }
        }
        QueryKind::Stop(_) => {
            let text = q
                .description
                .as_deref()
                .map(crate::fill::plain_text)
                .unwrap_or_default();
            p(c, &format!("Observera: {text}"), BODY, false);
        }
        QueryKind::Unknown(_) => {
            p(
                c,
                "Den här frågan kan bara besvaras i e-tjänsten på webben.",
                BODY,
                false,
            );
        }
    }
    c.close();
    c.gap(6.0);
}

pub(crate) fn blank<'f>(fonts: &'f Fonts, flow: &Flow, o: &PdfOptions) -> Composer<'f> {
    let mut c = Composer::new(fonts);
    title(&mut c, flow, o, true);
    let why = conditions(flow);
    let mut signers = Vec::new();
    for step in &flow.steps {
        // A hidden question no rule can show never appears; leave it off paper too.
        let shown: Vec<&Query> = step
            .queries
            .iter()
            .filter(|q| q.default_state.is_visible() || why.contains_key(&q.id))
            .collect();
        if shown.is_empty() {
            continue;
        }
        heading(&mut c, 2, &step.name);
        for q in shown {
            let required = q.default_state == QueryState::VisibleRequired
                || flow.queries().any(|s| {
                    s.evaluators.iter().any(|e| {
                        e.targets.contains(&q.id)
                            && matches!(
                                e.rule,
                                EvaluatorRule::QueryState {
                                    state: Some(QueryState::VisibleRequired),
                                    ..
                                }
                            )
                    })
                });
            blank_query(&mut c, q, required, why.get(&q.id));
            // Everyone whose contact details the form asks for signs it.
            if matches!(q.kind, QueryKind::ContactDetail(_)) {
                let who = match why.get(&q.id) {
                    Some(_) => format!("{} (om frågan gäller dig)", q.name),
                    None => q.name.clone(),
                };
                signers.push(Signer {
                    role: who,
                    name: None,
                });
            }
        }
    }
    if signers.is_empty() {
        signers.push(Signer {
            role: "Sökande".into(),
            name: None,
        });
    }
    if o.by_post {
        signature(&mut c, flow, &signers);
    }
    c
}
