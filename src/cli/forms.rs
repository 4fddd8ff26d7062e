//! Filling in: checking answers, the case XML and its schema, PDFs and scanned codes.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::*;

pub(super) fn check(
    catalogue: &Catalogue,
    lang: Lang,
    flow: String,
    answers: PathBuf,
    json: bool,
    draft: bool,
) -> Result<u8, Failure> {
    let mut out = std::io::stdout().lock();
    let given = flow;
    let flow = fillable(catalogue, &given, lang)?;
    let mut answers = read_answers(flow, &given, &answers)?;
    let form = Form::new(flow);
    let mode = if draft { Mode::Draft } else { Mode::Complete };
    let report = fill::check(&form, &mut answers, mode, today());
    let remaining = if draft {
        fill::remaining(&form, &answers, &report, today())
    } else {
        Vec::new()
    };
    if json {
        let issues: Vec<_> = report
            .issues
            .iter()
            .map(|i| etjanst::app::issue_json(flow, i, lang))
            .collect();
        let mut doc = serde_json::json!({
            "flow": flow.id,
            "aliases": flow.aliases,
            "valid": report.is_valid(),
            "visible": report.visible(&form),
            "errors": issues,
        });
        if draft {
            let left: Vec<_> = remaining
                .iter()
                .map(|i| etjanst::app::issue_json(flow, i, lang))
                .collect();
            doc["remaining"] = left.into();
        }
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        for q in report.visible(&form) {
            let mark = match q.state {
                flow::QueryState::VisibleRequired => "*",
                _ => " ",
            };
            let handle = q.alias.as_deref().unwrap_or(&q.id);
            writeln!(out, "{mark} {handle:<24} {}", q.name)?;
        }
        if report.is_valid() && draft && !remaining.is_empty() {
            let heading = etjanst::t!(lang, "draft-remaining", count = remaining.len());
            writeln!(out, "\n{heading}")?;
            print_issues(&mut out, flow, &remaining, lang)?;
        } else if report.is_valid() {
            writeln!(out, "\n{}", etjanst::t!(lang, "form-complete"))?;
        } else {
            let heading = etjanst::t!(lang, "form-errors", count = report.issues.len());
            writeln!(out, "\n{heading}")?;
            print_issues(&mut out, flow, &report.issues, lang)?;
        }
    }
    Ok(if report.is_valid() { 0 } else { 1 })
}

pub(super) fn xml(catalogue: &Catalogue, lang: Lang, args: XmlArgs) -> Result<u8, Failure> {
    let XmlArgs {
        flow,
        answers: answers_path,
        attachments,
        no_file_content,
        utf8,
        tabs,
        output,
    } = args;
    let mut out = std::io::stdout().lock();
    let given = flow;
    let flow = fillable(catalogue, &given, lang)?;
    let form = Form::new(flow);
    let Some((answers, report)) = complete_answers(&form, &given, &answers_path, lang)? else {
        return Ok(1);
    };
    let files = FilesIn(attachments.unwrap_or_else(|| {
        answers_path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }));
    // A terminal shows UTF-8; ISO-8859-1 bytes would come out garbled there.
    let to_terminal = output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout());
    let options = flowinstance::Options {
        charset: if utf8 || to_terminal {
            flowinstance::Charset::Utf8
        } else {
            flowinstance::Charset::Latin1
        },
        indent: if tabs {
            flowinstance::Indent::Tabs
        } else {
            flowinstance::Indent::Spaces
        },
        embed_files: !no_file_content,
    };
    let header = flowinstance::Header::default();
    let bytes = flowinstance::write(&form, &report.states, &answers, &header, &files, options)
        .map_err(|e| match e {
            flowinstance::CaseXmlError::MissingAttachment(name) => Failure::from(etjanst::t!(
                lang,
                "attachment-missing",
                name = name,
                dir = files.0.display()
            )),
            e => Failure::from(e.to_string()),
        })?;
    eprintln!("{}", etjanst::t!(lang, "case-preview"));
    if to_terminal && !utf8 {
        eprintln!("{}", etjanst::t!(lang, "case-shown-utf8"));
    }
    match output {
        Some(path) => catalogue::write_atomic(&path, &bytes)?,
        None => out.write_all(&bytes)?,
    }
    Ok(0)
}

pub(super) fn xsd(
    catalogue: &Catalogue,
    lang: Lang,
    flow: String,
    output: Option<PathBuf>,
) -> Result<u8, Failure> {
    let given = flow;
    let flow = fillable(catalogue, &given, lang)?;
    let bytes = flowinstance::xsd(flow).map_err(|e| Failure::from(e.to_string()))?;
    let path = output.unwrap_or_else(|| PathBuf::from(format!("schema-{}.xsd", flow.id)));
    catalogue::write_atomic(&path, &bytes)?;
    eprintln!("{}", path.display());
    Ok(0)
}

pub(super) fn pdf(catalogue: &Catalogue, lang: Lang, args: PdfArgs) -> Result<u8, Failure> {
    let PdfArgs {
        flow,
        answers,
        blank,
        output,
        no_qr,
        created,
        ..
    } = args;
    let given = flow;
    let flow = fillable(catalogue, &given, lang)?;
    let options = etjanst::pdf::PdfOptions {
        created: time_arg(created.as_deref())?,
        publisher: publisher(&catalogue.site.name),
        by_post: true,
        qr: !no_qr,
    };
    let bytes = if blank {
        etjanst::pdf::blank(flow, &options)?
    } else {
        let path =
            answers.ok_or_else(|| Failure::input(etjanst::t!(lang, "give-answers-or-blank")))?;
        let form = Form::new(flow);
        let Some((answers, report)) = complete_answers(&form, &given, &path, lang)? else {
            return Ok(1);
        };
        etjanst::pdf::filled(&form, &report.states, &answers, &options)?
    };
    catalogue::write_atomic(&output, &bytes)?;
    Ok(0)
}

pub(super) fn scan(images: Vec<PathBuf>) -> Result<u8, Failure> {
    let mut out = std::io::stdout().lock();
    let mut pages = Vec::new();
    for path in &images {
        pages.push(
            std::fs::read(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?,
        );
    }
    let xml = etjanst::qr::scan(&pages)?;
    write!(out, "{xml}")?;
    Ok(0)
}

/// Attached files read from a folder by their names, for `xml` from an answers file.
struct FilesIn(PathBuf);

impl flowinstance::Attachments for FilesIn {
    fn content(&self, file: &fill::FileRef) -> Option<std::borrow::Cow<'_, [u8]>> {
        // Only the file's own name: an answers file cannot point outside the folder.
        let name = Path::new(&file.name).file_name()?;
        std::fs::read(self.0.join(name)).ok().map(Into::into)
    }
}

/// Answers ready to print or submit; when they are not, the errors are printed and `None`
/// returned (exit code 1).
fn complete_answers(
    form: &Form,
    given: &str,
    path: &Path,
    lang: Lang,
) -> Result<Option<(Answers, fill::Report)>, Failure> {
    let mut answers = read_answers(form.flow, given, path)?;
    let report = fill::check(form, &mut answers, Mode::Complete, today());
    if report.is_valid() {
        return Ok(Some((answers, report)));
    }
    let mut err = std::io::stderr().lock();
    writeln!(err, "{}", etjanst::t!(lang, "form-incomplete"))?;
    print_issues(&mut err, form.flow, &report.issues, lang)?;
    Ok(None)
}

pub(crate) fn read_answers(flow: &Flow, given: &str, path: &Path) -> Result<Answers, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::from(format!("{}: {e}", path.display())))?;
    let origin = path.display().to_string();
    let mut answers =
        etjanst::app::parse_answers(flow, given, &text, &origin, lang()).map_err(Failure::from)?;
    super::profile::fill(flow, &mut answers);
    Ok(answers)
}

pub(crate) fn print_issues(
    out: &mut impl Write,
    flow: &Flow,
    issues: &[fill::Issue],
    lang: Lang,
) -> std::io::Result<()> {
    for issue in issues {
        let name = flow.query(&issue.query).map_or("", |q| q.name.as_str());
        let place = etjanst::app::issue_place(flow, issue, lang);
        writeln!(
            out,
            "- {place} ({name}): {}",
            etjanst::app::issue_message(flow, issue, lang)
        )?;
    }
    Ok(())
}
