//! The submitted-case XML that Open ePlatform hands to municipal back-ends (namespace
//! `http://www.oeplatform.org/version/2.0/schemas/flowinstance`), written byte for byte as OeP's
//! `XMLProviderModule` writes it (`spec/case-xml.md`): the Header of §2, the values of §3–§4
//! and the bytes of §1.
//!
//! What only the receiving server can know (case number, status, accounts, times, file ids,
//! signing events: §7) comes in through [`Header`] and [`Attachments`] and is written only when
//! the caller supplies it, never invented. Without it the file is a preview of the values.

mod names;
mod serialize;
mod xsd;

use std::borrow::Cow;

use base64::Engine;
use chrono::NaiveDateTime;

pub use names::{field_names, is_writable_element_name, to_valid_element_name};
pub use serialize::{Charset, IllegalCharacter, Indent, illegal_char, java_trim};
pub use xsd::xsd;

use crate::fill::{
    Answer, Answers, Choice, ContactAnswer, FileRef, Form, OrganizationAnswer, States,
};
use crate::flow::{
    ContactDetailQuery, FieldMode, FileUploadQuery, OrganizationDetailQuery, Query, QueryKind,
    numbered,
};
use crate::ids;
use serialize::Out;

pub const NAMESPACE: &str = "http://www.oeplatform.org/version/2.0/schemas/flowinstance";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// OeP's date format: local time, no offset, no fraction.
const DATE: &str = "%Y-%m-%dT%H:%M:%S";

/// An Open ePlatform account as the Header names it (`ID` is OeP's internal user id).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct User {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub id: String,
    pub name: String,
}

/// One signature of the case (`SigningEvents/SignEvent`). A signer without an account has no
/// email and their personnummer as `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignEvent {
    pub checksum: String,
    pub date: NaiveDateTime,
    pub signer: User,
}

/// The Header of §2, every element in OeP's order. Everything but the flow (which comes from
/// the form) is the receiving server's to assign; `None` writes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header {
    pub flow_instance_id: Option<String>,
    pub status: Option<Status>,
    pub poster: Option<User>,
    pub owners: Vec<User>,
    pub posted: Option<NaiveDateTime>,
    pub editor: Option<User>,
    pub updated: Option<NaiveDateTime>,
    pub first_submitted: Option<NaiveDateTime>,
    pub last_submitted: Option<NaiveDateTime>,
    pub signing_events: Vec<SignEvent>,
    /// The signed-in poster's personnummer, which OeP writes into every OrganizationDetail
    /// query as `CitizenIdentifier`.
    pub poster_citizen_identifier: Option<String>,
}

impl Header {
    /// Whether the server's part is missing, so that the file is only a preview.
    pub fn is_preview(&self) -> bool {
        self.flow_instance_id.is_none()
            || self.status.is_none()
            || self.posted.is_none()
            || self.first_submitted.is_none()
            || self.last_submitted.is_none()
    }
}

/// How the bytes look: OeP's system encoding and the indentation of its JVM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub charset: Charset,
    pub indent: Indent,
    /// Whether attached files' content goes into `EncodedData`; the QR codes of a printed form
    /// carry the answers without it.
    pub embed_files: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            charset: Charset::Latin1,
            indent: Indent::Spaces,
            embed_files: true,
        }
    }
}

/// Where attached files come from: their content (the vault, or files on disk) and, once the
/// server has stored them, its file ids.
pub trait Attachments {
    fn content(&self, file: &FileRef) -> Option<Cow<'_, [u8]>>;
    fn file_id(&self, _file: &FileRef) -> Option<String> {
        None
    }
}

/// No attached content at hand (only right with `embed_files: false` or a flow without files).
pub struct NoAttachments;

impl Attachments for NoAttachments {
    fn content(&self, _file: &FileRef) -> Option<Cow<'_, [u8]>> {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseXmlError {
    #[error(transparent)]
    IllegalCharacter(#[from] IllegalCharacter),
    #[error("{}", crate::i18n::display("casexml-missing-attachment", &[("v0", .0.to_string())]))]
    MissingAttachment(String),
}

/// Writes the case XML of evaluated, complete answers.
pub fn write(
    form: &Form,
    states: &States,
    answers: &Answers,
    header: &Header,
    attachments: &dyn Attachments,
    options: Options,
) -> Result<Vec<u8>, CaseXmlError> {
    let flow = form.flow;
    let mut w = Writer {
        out: Out::new(options.charset, options.indent),
        header,
        attachments,
        options,
    };
    let location = format!("{NAMESPACE} schema-{}.xsd", flow.id);
    w.out.start_with(
        "FlowInstance",
        &[
            ("xmlns", NAMESPACE),
            ("xmlns:xsi", XSI),
            ("xsi:schemaLocation", &location),
        ],
    );
    w.header(form)?;
    w.out.start("Values");
    for (i, query) in form.queries().iter().enumerate() {
        if states.get(i).is_visible()
            && let Some(answer) = answers.get(&query.id)
        {
            w.query(query, answer)?;
        }
    }
    w.out.end();
    w.signing_events()?;
    Ok(w.out.finish())
}

/// The UTF-8 variant as text, without file content: what the QR codes of a printed form carry.
pub fn to_utf8_string(
    form: &Form,
    states: &States,
    answers: &Answers,
    header: &Header,
) -> Result<String, CaseXmlError> {
    let options = Options {
        charset: Charset::Utf8,
        embed_files: false,
        ..Options::default()
    };
    let bytes = write(form, states, answers, header, &NoAttachments, options)?;
    // The UTF-8 writer emits only UTF-8.
    Ok(String::from_utf8(bytes).unwrap_or_default())
}

struct Writer<'a> {
    out: Out,
    header: &'a Header,
    attachments: &'a dyn Attachments,
    options: Options,
}

impl Writer<'_> {
    fn date(&mut self, name: &str, date: Option<NaiveDateTime>) -> Result<(), IllegalCharacter> {
        match date {
            Some(d) => self.out.text(name, &d.format(DATE).to_string()),
            None => Ok(()),
        }
    }

    fn user(&mut self, name: &str, user: &User) -> Result<(), IllegalCharacter> {
        self.out.start(name);
        self.out
            .cdata("Firstname", user.first_name.as_deref().unwrap_or(""))?;
        self.out
            .cdata("Lastname", user.last_name.as_deref().unwrap_or(""))?;
        self.out
            .cdata("Email", user.email.as_deref().unwrap_or(""))?;
        self.out.text("ID", &user.id)?;
        self.out.end();
        Ok(())
    }

    fn header(&mut self, form: &Form) -> Result<(), IllegalCharacter> {
        let flow = form.flow;
        let h = self.header;
        self.out.start("Header");
        self.out.start("Flow");
        self.out
            .text("FamilyID", flow.family_id.as_deref().unwrap_or(""))?;
        self.out.text("Version", &flow.version.to_string())?;
        self.out.text("FlowID", &flow.id)?;
        self.out.cdata("Name", &flow.name)?;
        self.out.end();
        self.out.text(
            "FlowInstanceID",
            h.flow_instance_id.as_deref().unwrap_or(""),
        )?;
        if let Some(status) = &h.status {
            self.out.start("Status");
            self.out.text("ID", &status.id)?;
            self.out.cdata("Name", &status.name)?;
            self.out.end();
        }
        if let Some(poster) = &h.poster {
            self.user("Poster", poster)?;
        }
        for owner in &h.owners {
            self.user("Owner", owner)?;
        }
        self.date("Posted", h.posted)?;
        // OeP writes an Editor only beside an Updated time.
        if let (Some(editor), Some(_)) = (&h.editor, h.updated) {
            self.user("Editor", editor)?;
        }
        self.date("Updated", h.updated)?;
        self.date("FirstSubmitted", h.first_submitted)?;
        self.date("LastSubmitted", h.last_submitted)?;
        self.out.end();
        Ok(())
    }

    fn signing_events(&mut self) -> Result<(), IllegalCharacter> {
        if self.header.signing_events.is_empty() {
            return Ok(());
        }
        self.out.start("SigningEvents");
        for event in &self.header.signing_events {
            self.out.start("SignEvent");
            self.out.text("SignedChecksum", &event.checksum)?;
            self.date("Date", Some(event.date))?;
            self.user("Signer", &event.signer)?;
            self.out.end();
        }
        self.out.end();
        Ok(())
    }

    /// One query's element, if it is exported and populated (§3.1).
    fn query(&mut self, query: &Query, answer: &Answer) -> Result<(), CaseXmlError> {
        if let (QueryKind::RepeatingGroup(g), Answer::Rows(rows)) = (&query.kind, answer) {
            return self.rows(query, g, rows);
        }
        let Some(element) = query.xsd_element_name.as_deref().filter(|_| query.exported) else {
            return Ok(());
        };
        if !populated(&query.kind, answer) {
            return Ok(());
        }
        self.out.start(element);
        self.out.text("QueryID", &query.id)?;
        self.out.cdata("Name", &query.name)?;
        self.content(query, answer)?;
        self.out.end();
        Ok(())
    }

    /// A repeating group as its count query and each row's numbered copies (`flow::numbered`).
    fn rows(
        &mut self,
        group: &Query,
        g: &crate::flow::RepeatingGroup,
        rows: &[std::collections::BTreeMap<String, Answer>],
    ) -> Result<(), CaseXmlError> {
        if rows.is_empty() {
            return Ok(());
        }
        let count = Answer::Choice(Choice {
            selected: vec![numbered::count_alternative(group, rows.len())],
            other: None,
        });
        self.query(&numbered::count_query(group, g), &count)?;
        for (r, row) in rows.iter().enumerate() {
            for sub in g.queries.iter().filter(|s| s.default_state.is_visible()) {
                if let Some(a) = row.get(&sub.id) {
                    self.query(&numbered::copy(sub, r as u32 + 1), a)?;
                }
            }
        }
        Ok(())
    }

    fn content(&mut self, query: &Query, answer: &Answer) -> Result<(), CaseXmlError> {
        match (&query.kind, answer) {
            (QueryKind::TextField(t), Answer::Fields(values)) => {
                let filled: Vec<(&crate::flow::TextField, &str)> = t
                    .fields
                    .iter()
                    .filter_map(|f| {
                        let v = java_trim(values.get(&f.id)?);
                        (!v.is_empty()).then_some((f, v))
                    })
                    .collect();
                let names = field_names(filled.iter().map(|(f, _)| *f));
                for ((field, value), name) in filled.iter().zip(names) {
                    self.out.cdata(&name, &text_field_value(field, value))?;
                }
            }
            (QueryKind::TextArea(_), Answer::Text(t)) => {
                self.out.cdata("Value", &crlf(java_trim(t)))?;
            }
            (kind, Answer::Choice(choice)) => {
                if let Some((alternatives, _)) = kind.alternatives() {
                    // In the alternatives' order, whatever order they were ticked in.
                    for a in alternatives
                        .iter()
                        .filter(|a| choice.selected.contains(&a.id))
                    {
                        self.out.text("Value", a.export_value())?;
                    }
                }
                // Free text is written as typed, untrimmed (FreeTextAlternativePopulator).
                if let Some(other) = choice.other_text() {
                    self.out.cdata("TextAlternative", other)?;
                }
            }
            (QueryKind::FileUpload(f), Answer::Files(files)) => self.files(f, files)?,
            (QueryKind::ContactDetail(q), Answer::Contact(c)) => self.contact(q, c)?,
            (QueryKind::OrganizationDetail(q), Answer::Organization(o)) => {
                self.organization(q, o)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn files(&mut self, q: &FileUploadQuery, files: &[FileRef]) -> Result<(), CaseXmlError> {
        let embed = self.options.embed_files && !q.exclude_file_content_from_xml;
        for file in files {
            let content = if embed {
                Some(
                    self.attachments
                        .content(file)
                        .ok_or_else(|| CaseXmlError::MissingAttachment(file.name.clone()))?,
                )
            } else {
                None
            };
            self.out.start("File");
            let id = self.attachments.file_id(file).unwrap_or_default();
            self.out.text("ID", &id)?;
            self.out.cdata("Name", base_name(&file.name))?;
            let size = content.as_ref().map_or(file.size, |c| c.len() as u64);
            self.out.text("Size", &size.to_string())?;
            if let Some(content) = content {
                let encoded = base64::engine::general_purpose::STANDARD.encode(&content);
                self.out.text("EncodedData", &encoded)?;
            }
            self.out.end();
        }
        Ok(())
    }

    /// ContactDetailQuery for a citizen who is not signed in (§4.6): a field is written when
    /// the query shows it; the personnummer as 12 digits without a hyphen.
    fn contact(&mut self, q: &ContactDetailQuery, c: &ContactAnswer) -> Result<(), CaseXmlError> {
        let shown = |mode: FieldMode| mode != FieldMode::Hidden;
        let citizen_id = c.citizen_id.as_deref().map(|id| {
            ids::twelve_digits(java_trim(id)).unwrap_or_else(|| java_trim(id).to_string())
        });
        if q.manual_multi_sign.is_some() {
            return self.multi_sign(c, citizen_id.as_deref());
        }
        let fields = [
            ("Firstname", &c.first_name, q.field_name),
            ("Lastname", &c.last_name, q.field_name),
            ("CareOf", &c.care_of, q.field_care_of),
            ("Address", &c.address, q.field_address),
            ("ZipCode", &c.zip_code, q.field_address),
            ("PostalAddress", &c.postal_address, q.field_address),
            ("Phone", &c.phone, q.field_phone),
            ("Email", &c.email, q.field_email),
            ("MobilePhone", &c.mobile_phone, q.field_mobile_phone),
            ("SocialSecurityNumber", &citizen_id, q.field_citizen_id),
        ];
        for (name, value, mode) in fields {
            if shown(mode) {
                self.out
                    .cdata(name, java_trim(value.as_deref().unwrap_or("")))?;
            }
        }
        if shown(q.field_mobile_phone) && q.allow_sms {
            let forced = q.field_mobile_phone == FieldMode::Required && !shown(q.field_email);
            let sms = forced || c.contact_by_sms.unwrap_or(false);
            self.out.cdata("ContactBySMS", bool_text(sms))?;
        }
        Ok(())
    }

    /// ManualMultiSignQuery's five children (§4.8): Email and MobilePhone only when given.
    fn multi_sign(
        &mut self,
        c: &ContactAnswer,
        citizen_id: Option<&str>,
    ) -> Result<(), CaseXmlError> {
        let value = |v: &Option<String>| java_trim(v.as_deref().unwrap_or("")).to_string();
        self.out.cdata("Firstname", &value(&c.first_name))?;
        self.out.cdata("Lastname", &value(&c.last_name))?;
        for (name, v) in [
            ("Email", value(&c.email)),
            ("MobilePhone", value(&c.mobile_phone)),
        ] {
            if !v.is_empty() {
                self.out.cdata(name, &v)?;
            }
        }
        self.out
            .cdata("SocialSecurityNumber", citizen_id.unwrap_or_default())?;
        Ok(())
    }

    /// OrganizationDetailQuery's twelve children in their fixed order (§4.7).
    fn organization(
        &mut self,
        q: &OrganizationDetailQuery,
        o: &OrganizationAnswer,
    ) -> Result<(), CaseXmlError> {
        let shown = |mode: FieldMode, v: &Option<String>| {
            if mode == FieldMode::Hidden {
                String::new()
            } else {
                java_trim(v.as_deref().unwrap_or("")).to_string()
            }
        };
        let citizen = self
            .header
            .poster_citizen_identifier
            .clone()
            .unwrap_or_default();
        let fields = [
            ("OrganizationName", shown(FieldMode::Required, &o.name)),
            (
                "OrganizationNumber",
                shown(FieldMode::Required, &o.organization_number),
            ),
            ("CitizenIdentifier", citizen),
            ("Address", shown(q.field_address, &o.address)),
            ("ZipCode", shown(q.field_address, &o.zip_code)),
            ("PostalAddress", shown(q.field_address, &o.postal_address)),
            ("Firstname", shown(FieldMode::Required, &o.first_name)),
            ("Lastname", shown(FieldMode::Required, &o.last_name)),
            ("Phone", shown(q.field_phone, &o.phone)),
            ("Email", shown(q.field_email, &o.email)),
            ("MobilePhone", shown(q.field_mobile_phone, &o.mobile_phone)),
        ];
        for (name, value) in &fields {
            self.out.cdata(name, value)?;
        }
        let sms = q.allow_sms && o.contact_by_sms.unwrap_or(false);
        self.out.cdata("ContactBySMS", bool_text(sms))?;
        Ok(())
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// OeP marks a query populated only when the citizen gave a value (§3.1).
fn populated(kind: &QueryKind, answer: &Answer) -> bool {
    let filled = |v: &Option<String>| v.as_deref().is_some_and(|s| !java_trim(s).is_empty());
    match answer {
        Answer::Text(t) => !java_trim(t).is_empty(),
        Answer::Fields(f) => f.values().any(|v| !java_trim(v).is_empty()),
        Answer::Choice(c) => c.count() > 0,
        Answer::Files(f) => !f.is_empty(),
        Answer::Rows(r) => !r.is_empty(),
        Answer::Contact(c) => {
            let QueryKind::ContactDetail(q) = kind else {
                return false;
            };
            [
                (&c.first_name, q.field_name),
                (&c.last_name, q.field_name),
                (&c.care_of, q.field_care_of),
                (&c.address, q.field_address),
                (&c.zip_code, q.field_address),
                (&c.postal_address, q.field_address),
                (&c.phone, q.field_phone),
                (&c.email, q.field_email),
                (&c.mobile_phone, q.field_mobile_phone),
                (&c.citizen_id, q.field_citizen_id),
            ]
            .iter()
            .any(|(v, mode)| *mode != FieldMode::Hidden && filled(v))
        }
        Answer::Organization(o) => filled(&o.name) || filled(&o.organization_number),
    }
}

/// A text field's value as OeP stores it: trimmed, and a personnummer in a form its validator
/// accepts (the separator inserted where the citizen left it out).
fn text_field_value(field: &crate::flow::TextField, value: &str) -> String {
    match field
        .format_validator
        .as_deref()
        .and_then(ids::Format::from_validator)
    {
        Some(ids::Format::OepPersonnummer) => ids::with_separator(value),
        _ => value.to_string(),
    }
}

/// Line breaks as a browser posts a text area: CR LF.
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
}

/// The file name without any path, as OeP's `FilenameUtils.getName`.
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}
