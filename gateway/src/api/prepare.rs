//! From the bytes a citizen uploaded to what is signed and filed: the answers checked against
//! the flow by the core, the PDF, the manifest and the BankID text, and on completion the case
//! XML written as Open ePlatform writes it. Everything is derived from the stored bytes again
//! when the case is filed, so nothing but those bytes needs trusting.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::http::StatusCode;
use base64::Engine;
use chrono::NaiveDateTime;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use etjanst::catalogue::Catalogue;
use etjanst::fill::{self, Answers, FileRef, Form, Lang, Mode};
use etjanst::flow::Flow;
use etjanst::flowinstance;

use super::Failure;
use super::statuses::{SUBMITTED, status_name};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The upload: an answers document (`forms/README.md`) and the attached files' content.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Upload {
    /// Kept as text until its size in values is known: a generic JSON tree costs tens of bytes
    /// a value, so a 24 MB `[0,0,…]` would cost hundreds of megabytes.
    document: Box<serde_json::value::RawValue>,
    #[serde(default)]
    attachments: Vec<UploadFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadFile {
    name: String,
    data: String,
}

impl Upload {
    pub(crate) fn attachment_names(&self) -> Vec<String> {
        self.attachments.iter().map(|f| f.name.clone()).collect()
    }
}

/// An upload read and checked.
pub(crate) struct Parsed<'c> {
    pub flow: &'c Flow,
    pub form: Form<'c>,
    pub answers: Answers,
    pub report: fill::Report,
    pub files: Files,
}

/// Attached files by name, and the file ids the gateway gave them.
#[derive(Default)]
pub(crate) struct Files {
    pub content: HashMap<String, Vec<u8>>,
    pub ids: HashMap<String, i64>,
}

impl flowinstance::Attachments for Files {
    fn content(&self, file: &FileRef) -> Option<Cow<'_, [u8]>> {
        self.content
            .get(&file.name)
            .map(|c| Cow::Borrowed(c.as_slice()))
    }
    fn file_id(&self, file: &FileRef) -> Option<String> {
        self.ids.get(&file.name).map(i64::to_string)
    }
}

fn unprocessable(code: &'static str, message: String) -> Failure {
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

/// The most JSON values an answers document may hold: a form with a few hundred questions has
/// a few thousand.
const MAX_VALUES: usize = 100_000;

/// The upload's bytes read, not yet checked against any flow.
pub(crate) fn read(body: &[u8]) -> Result<Upload, Failure> {
    let unreadable = |e: serde_json::Error| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            "badRequest",
            format!(
                "Ansökan gick inte att läsa: {}",
                etjanst::json_error::message(&e, true)
            ),
        )
    };
    let upload: Upload = serde_json::from_slice(body).map_err(unreadable)?;
    let mut count = ValueCount(0);
    let mut de = serde_json::Deserializer::from_str(upload.document.get());
    if serde::de::DeserializeSeed::deserialize(&mut count, &mut de).is_err() || count.0 > MAX_VALUES
    {
        return Err(unprocessable(
            "badAnswers",
            "Ansökan har fler värden än något formulär har.".into(),
        ));
    }
    Ok(upload)
}

impl Upload {
    /// The answers document as uploaded.
    pub(crate) fn document_text(&self) -> &str {
        self.document.get()
    }

    fn document(&self) -> Result<serde_json::Value, Failure> {
        serde_json::from_str(self.document.get())
            .map_err(|e| unprocessable("badAnswers", e.to_string()))
    }
}

/// Counts a document's JSON values without building them, and stops past `MAX_VALUES`.
struct ValueCount(usize);

impl<'de> serde::de::DeserializeSeed<'de> for &mut ValueCount {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for &mut ValueCount {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.0 += 1;
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.0 += 1;
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.0 += 1;
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.0 += 1;
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.0 += 1;
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.0 += 1;
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0 += 1;
        while seq.next_element_seed(&mut *self)?.is_some() {
            if self.0 > MAX_VALUES {
                return Err(serde::de::Error::custom("too many values"));
            }
        }
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0 += 1;
        while map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            map.next_value_seed(&mut *self)?;
            if self.0 > MAX_VALUES {
                return Err(serde::de::Error::custom("too many values"));
            }
        }
        Ok(())
    }
}

/// The catalogue's flow the upload answers.
pub(crate) fn flow_of<'c>(catalogue: &'c Catalogue, upload: &Upload) -> Result<&'c Flow, Failure> {
    #[derive(Deserialize)]
    struct Named<'a> {
        #[serde(borrow, default)]
        flow: Option<&'a serde_json::value::RawValue>,
    }
    let named: Option<Named> = serde_json::from_str(upload.document.get()).ok();
    let name = named
        .and_then(|n| n.flow)
        .map(|f| f.get().trim_matches('"').to_string())
        .unwrap_or_default();
    catalogue.flow(&name).map_err(|_| {
        unprocessable(
            "unknownService",
            format!("E-tjänsten {name:?} tas inte emot här."),
        )
    })
}

/// The day an upload is judged by: the one it arrived on, whenever it is filed, so that no
/// date rule (nor a personnummer's century) can turn a signed application away at New Year.
pub(crate) fn day_of(created_ms: i64) -> chrono::NaiveDate {
    chrono::DateTime::from_timestamp_millis(created_ms)
        .unwrap_or_default()
        .with_timezone(&chrono::Local)
        .date_naive()
}

/// Checks the upload against `flow` as of `day`, as the core checks a form.
pub(crate) fn check<'f>(
    flow: &'f Flow,
    upload: Upload,
    day: chrono::NaiveDate,
) -> Result<Parsed<'f>, Failure> {
    let mut answers = Answers::from_json(flow, &upload.document()?)
        .map_err(|e| unprocessable("badAnswers", e.to_string()))?;
    let form = Form::new(flow);
    let report = fill::check(&form, &mut answers, Mode::Complete, day);
    if !report.is_valid() {
        let issues: Vec<_> = report
            .issues
            .iter()
            .map(|i| {
                let mut v = etjanst::app::issue_json(flow, i, Lang::Sv);
                v["place"] = etjanst::app::issue_place(flow, i, Lang::Sv).into();
                v
            })
            .collect();
        return Err(unprocessable(
            "incomplete",
            format!(
                "Ansökan är inte komplett: {} fel. Rätta dem och skicka igen.",
                issues.len()
            ),
        )
        .with_details(issues.into()));
    }
    // Each file sent is one an answer names, once, with the size the answer declares (and the
    // query's limits checked on): nothing else is stored on the municipality's disk.
    let mut declared: HashMap<&str, u64> = HashMap::new();
    for file in answers.values.values().flat_map(|a| match a {
        fill::Answer::Files(f) => f.as_slice(),
        _ => &[],
    }) {
        if declared.insert(&file.name, file.size).is_some() {
            return Err(unprocessable(
                "badAttachments",
                format!("Bilagan {:?} finns två gånger i ansökan.", file.name),
            ));
        }
    }
    let mut files = Files::default();
    for f in upload.attachments {
        let Some(&size) = declared.get(f.name.as_str()) else {
            return Err(unprocessable(
                "badAttachments",
                format!("Bilagan {:?} hör inte till någon fråga i ansökan.", f.name),
            ));
        };
        // base64 is 4 characters per 3 bytes: a mismatch shows before anything is decoded.
        if (f.data.len() as u64).div_ceil(4) * 3 < size || (f.data.len() as u64) / 4 * 3 > size + 3
        {
            return Err(wrong_size(&f.name));
        }
        let data = B64.decode(f.data.as_bytes()).map_err(|_| {
            Failure::new(
                StatusCode::BAD_REQUEST,
                "badRequest",
                format!("Bilagan {:?} är inte base64.", f.name),
            )
        })?;
        if data.len() as u64 != size {
            return Err(wrong_size(&f.name));
        }
        if files.content.insert(f.name.clone(), data).is_some() {
            return Err(unprocessable(
                "badAttachments",
                format!("Bilagan {:?} skickades två gånger.", f.name),
            ));
        }
    }
    Ok(Parsed {
        flow,
        form,
        answers,
        report,
        files,
    })
}

fn wrong_size(name: &str) -> Failure {
    unprocessable(
        "badAttachments",
        format!("Bilagan {name:?} har inte den storlek ansökan anger."),
    )
}

/// The server's part of the case header, once everyone has signed.
pub(crate) struct Filing {
    pub flow_instance_id: i64,
    pub now: NaiveDateTime,
    /// Every signer in the order they signed, and when; the first is the applicant, who
    /// posted the case and owns it.
    pub signers: Vec<(flowinstance::User, NaiveDateTime)>,
    pub personal_number: String,
    pub pdf_sha256: String,
}

pub(crate) fn case_xml(p: &Parsed, filing: &Filing) -> Result<Vec<u8>, Failure> {
    let poster = filing.signers.first().map(|(u, _)| u.clone());
    let header = flowinstance::Header {
        flow_instance_id: Some(filing.flow_instance_id.to_string()),
        status: Some(flowinstance::Status {
            id: SUBMITTED.to_string(),
            name: status_name(SUBMITTED).to_string(),
        }),
        poster: poster.clone(),
        owners: poster.into_iter().collect(),
        posted: Some(filing.now),
        editor: None,
        updated: None,
        first_submitted: Some(filing.now),
        last_submitted: Some(filing.now),
        signing_events: filing
            .signers
            .iter()
            .map(|(signer, date)| flowinstance::SignEvent {
                checksum: filing.pdf_sha256.clone(),
                date: *date,
                signer: signer.clone(),
            })
            .collect(),
        poster_citizen_identifier: Some(filing.personal_number.clone()),
    };
    flowinstance::write(
        &p.form,
        &p.report.states,
        &p.answers,
        &header,
        &p.files,
        flowinstance::Options::default(),
    )
    .map_err(|e| unprocessable("badAnswers", e.to_string()))
}

/// Checks what only a full write finds (attachments named but not sent, characters XML
/// cannot carry) before anything is stored.
pub(crate) fn check_writable(p: &Parsed) -> Result<(), Failure> {
    flowinstance::write(
        &p.form,
        &p.report.states,
        &p.answers,
        &Default::default(),
        &p.files,
        flowinstance::Options::default(),
    )
    .map(|_| ())
    .map_err(|e| unprocessable("badAnswers", e.to_string()))
}

/// The case's PDF as of `created_ms`; the same input gives the same bytes.
pub(crate) fn pdf(p: &Parsed, organisation: &str, created_ms: i64) -> Result<Vec<u8>, Failure> {
    let created = chrono::DateTime::from_timestamp_millis(created_ms)
        .unwrap_or_default()
        .with_timezone(&chrono::Local)
        .naive_local();
    let options = etjanst::pdf::PdfOptions {
        created,
        publisher: etjanst::app::publisher(organisation),
        by_post: false,
        qr: false,
    };
    etjanst::pdf::filled(&p.form, &p.report.states, &p.answers, &options).map_err(|e| {
        tracing::error!("PDF: {e}");
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "pdf",
            "Ansökan kunde inte göras till PDF. Försök igen senare.",
        )
    })
}

/// What the citizen signs for an upload checked as `p`: the hash of the PDF as of `created_ms`
/// and the manifest that names it. Made at upload, and again before signing when the gateway
/// was upgraded meanwhile.
pub(crate) fn sealed(
    p: &Parsed,
    settings: &super::Settings,
    submission_id: &str,
    sha256: &str,
    created_ms: i64,
) -> Result<(String, Vec<u8>), Failure> {
    let pdf_sha256 = sha256_hex(&pdf(p, &settings.organisation, created_ms)?);
    let ts = chrono::DateTime::from_timestamp_millis(created_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let nonce = crate::random_bytes::<16>().map_err(super::no_random)?;
    let manifest = manifest(&ManifestInput {
        organisation_number: &settings.organisation_number,
        flow: p.flow,
        submission_id,
        sha256,
        pdf_sha256: &pdf_sha256,
        files: &p.files,
        ts: &ts,
        nonce: &nonce,
    });
    Ok((pdf_sha256, manifest))
}

/// The manifest BankID embeds in the signature (`spec/eid-signing.md` §2.3): what binds the
/// citizen's signature to these exact bytes.
struct ManifestInput<'a> {
    organisation_number: &'a str,
    flow: &'a Flow,
    submission_id: &'a str,
    sha256: &'a str,
    pdf_sha256: &'a str,
    files: &'a Files,
    ts: &'a str,
    nonce: &'a [u8],
}

fn manifest(m: &ManifestInput) -> Vec<u8> {
    let mut attachments: Vec<_> = m
        .files
        .content
        .iter()
        .map(|(name, data)| serde_json::json!({ "name": name, "sha256": sha256_hex(data) }))
        .collect();
    attachments.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let doc = serde_json::json!({
        "v": 1,
        "typ": "etjanst.submission",
        "org": m.organisation_number,
        "form": m.flow.id,
        "formVersion": m.flow.version,
        "submissionId": m.submission_id,
        "sha256": m.sha256,
        "attachments": attachments,
        "pdfSha256": m.pdf_sha256,
        "ts": m.ts,
        "nonce": B64.encode(m.nonce),
    });
    serde_json::to_vec(&doc).unwrap_or_default()
}

/// The text in the BankID app (simpleMarkdownV1): the e-service, the municipality, what the
/// citizen declares, and a checksum to compare with the one on screen. No answers: what is
/// in the signature stays there for ever.
pub(crate) fn visible_text(
    flow: &Flow,
    organisation: &str,
    submission_id: &str,
    sha256: &str,
) -> String {
    format!(
        "# {}\n\n{}\n\nJag intygar att uppgifterna är riktiga och skickar in ansökan.\n\n*Ärende-id:* {}\n\n*Kontrollsumma:* {}\n",
        flow.name.replace(['#', '*', '_', '\n'], " "),
        organisation.replace(['#', '*', '_', '\n'], " "),
        submission_id,
        &sha256[..16.min(sha256.len())]
    )
}
