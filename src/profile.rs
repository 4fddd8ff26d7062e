//! "Mina uppgifter": the citizen's own details, kept encrypted in the vault, that fill the
//! questions about the applicant in every new form. Offline there is no e-ID login to fill them
//! from (Open ePlatform's populators), and a typo in one's own personnummer stops BankID signing
//! at the end; typed once here, they are right everywhere.
//!
//! Which question takes which detail is decided here, as Open ePlatform's populators decide it:
//! the applicant's contact details (the first contact query that asks for a personnummer, or the
//! first contact query when none does; never a co-signer's or a second guardian's), every
//! organisation query, and single text fields whose format and label say they ask for the
//! applicant's own personnummer, e-mail, phone or postcode.

use serde::{Deserialize, Serialize};

use crate::fill::{Answer, Answers, ContactAnswer, Form, OrganizationAnswer};
use crate::flow::{FieldMode, Query, QueryKind};
use crate::ids::Format;

/// The citizen's details. Every field is optional: what is left empty fills nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// 12 digits once checked ([`Profile::checked`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personnummer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// For those who act for an organisation (an association, a company).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_number: Option<String>,
}

/// A field the profile filled: the query, and the field within it (a contact field's name, a
/// text field's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Filled {
    pub query: String,
    pub field: String,
}

/// A detail the profile refuses, by field name, and why (in the language set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl Profile {
    /// The profile with its values trimmed and checked as forms check them: the personnummer
    /// as 12 digits, the others in their formats. Nothing is kept that a form would refuse.
    pub fn checked(&self, today: chrono::NaiveDate) -> Result<Profile, Vec<Invalid>> {
        let lang = crate::i18n::language();
        let mut out = Profile {
            first_name: clean(&self.first_name),
            last_name: clean(&self.last_name),
            personnummer: None,
            care_of: clean(&self.care_of),
            address: clean(&self.address),
            zip_code: clean(&self.zip_code),
            postal_address: clean(&self.postal_address),
            phone: clean(&self.phone),
            mobile_phone: clean(&self.mobile_phone),
            email: clean(&self.email),
            organization_name: clean(&self.organization_name),
            organization_number: clean(&self.organization_number),
        };
        let mut invalid = Vec::new();
        if let Some(pnr) = clean(&self.personnummer) {
            match crate::ids::parse_personnummer(&pnr, crate::ids::PnrRules::new(today)) {
                Ok(p) => out.personnummer = Some(p.long()),
                Err(problem) => invalid.push(Invalid {
                    field: "personnummer",
                    message: crate::fill::format_message(Format::Personnummer, problem, lang),
                }),
            }
        }
        for (field, value, format) in [
            ("zipCode", &out.zip_code, Format::PostalCode),
            ("phone", &out.phone, Format::Phone),
            ("mobilePhone", &out.mobile_phone, Format::Phone),
            ("email", &out.email, Format::Email),
            (
                "organizationNumber",
                &out.organization_number,
                Format::Organisationsnummer,
            ),
        ] {
            if let Some(v) = value
                && let Err(problem) = format.check(v, today)
            {
                invalid.push(Invalid {
                    field,
                    message: crate::fill::format_message(format, problem, lang),
                });
            }
        }
        if invalid.is_empty() {
            Ok(out)
        } else {
            Err(invalid)
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Profile::default()
    }

    /// The profile's value for a contact field (`ContactAnswer`'s names).
    fn contact(&self, field: &str) -> Option<&str> {
        match field {
            "citizenId" => self.personnummer.as_deref(),
            "firstName" => self.first_name.as_deref(),
            "lastName" => self.last_name.as_deref(),
            "careOf" => self.care_of.as_deref(),
            "address" => self.address.as_deref(),
            "zipCode" => self.zip_code.as_deref(),
            "postalAddress" => self.postal_address.as_deref(),
            "phone" => self.phone.as_deref(),
            "mobilePhone" => self.mobile_phone.as_deref(),
            "email" => self.email.as_deref(),
            _ => None,
        }
    }

    /// The profile's value for an organisation field (`OrganizationAnswer`'s names): the
    /// organisation's name and number, and the citizen as its contact person.
    fn organization(&self, field: &str) -> Option<&str> {
        match field {
            "name" => self.organization_name.as_deref(),
            "organizationNumber" => self.organization_number.as_deref(),
            "citizenId" | "careOf" => None,
            other => self.contact(other),
        }
    }

    /// The profile's value for a single text field of `format`.
    fn text(&self, format: Format) -> Option<&str> {
        match format {
            Format::Personnummer | Format::Personnummer12 | Format::OepPersonnummer => {
                self.personnummer.as_deref()
            }
            Format::Email => self.email.as_deref(),
            Format::Phone => self.mobile_phone.as_deref().or(self.phone.as_deref()),
            Format::PostalCode => self.zip_code.as_deref(),
            _ => None,
        }
    }
}

/// Words in a text field's label that say it asks about someone else: a child's personnummer,
/// a partner's e-mail, an agent's phone are never the applicant's own.
const SOMEONE_ELSE: &[&str] = &[
    "barn",
    "make",
    "maka",
    "sambo",
    "medsökande",
    "vårdnadshavare",
    "ombud",
    "ägare",
    "förälder",
    "elev",
    "god man",
    "förvaltare",
    "arbetsgivare",
    "hyresvärd",
    "granne",
    "avliden",
    "den avlidne",
    "företrädare",
    "kontaktperson",
];

fn about_someone_else(label: &str) -> bool {
    let label = label.to_lowercase();
    SOMEONE_ELSE.iter().any(|w| label.contains(w))
}

/// The applicant's contact query: the first that asks for a personnummer (as
/// [`crate::fill::applicant`] reads it), else the first contact query; never a multi-sign one.
fn applicant_query<'f>(form: &'f Form) -> Option<&'f Query> {
    let contacts: Vec<&Query> = form
        .queries()
        .iter()
        .copied()
        .filter(|q| {
            matches!(&q.kind, QueryKind::ContactDetail(c) if c.manual_multi_sign.is_none() && c.signs.is_none())
        })
        .collect();
    contacts
        .iter()
        .find(|q| {
            matches!(&q.kind, QueryKind::ContactDetail(c) if c.field_citizen_id != FieldMode::Hidden)
        })
        .or(contacts.first())
        .copied()
}

/// Where each of the profile's details goes in `form`: (query, field, value), for fields the
/// form shows.
fn targets(form: &Form, profile: &Profile) -> Vec<(String, String, String)> {
    // A personnummer as forms show it, ÅÅÅÅMMDD-NNNN.
    let shown = |field: &str, v: &str| {
        if field == "citizenId" || profile.personnummer.as_deref() == Some(v) {
            crate::ids::with_separator(v)
        } else {
            v.to_string()
        }
    };
    let mut out = Vec::new();
    if let Some(q) = applicant_query(form)
        && let QueryKind::ContactDetail(c) = &q.kind
    {
        for f in crate::fill::contact_fields(c) {
            if f.mode != FieldMode::Hidden
                && let Some(v) = profile.contact(f.name)
            {
                out.push((q.id.clone(), f.name.to_string(), shown(f.name, v)));
            }
        }
    }
    for q in form.queries() {
        match &q.kind {
            QueryKind::OrganizationDetail(o) if profile.organization_name.is_some() => {
                for f in crate::fill::organization_fields(o) {
                    if f.mode != FieldMode::Hidden
                        && let Some(v) = profile.organization(f.name)
                    {
                        out.push((q.id.clone(), f.name.to_string(), v.to_string()));
                    }
                }
            }
            QueryKind::TextField(t) => {
                for f in &t.fields {
                    let format = f
                        .format_validator
                        .as_deref()
                        .and_then(Format::from_validator);
                    if let Some(v) = format.and_then(|fmt| profile.text(fmt))
                        && !f.disabled
                        && !about_someone_else(&f.label)
                        && !about_someone_else(&q.name)
                    {
                        out.push((q.id.clone(), f.id.clone(), shown(&f.id, v)));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn current<'a>(answers: &'a Answers, query: &str, field: &str) -> Option<&'a str> {
    match answers.get(query)? {
        Answer::Contact(c) => c.value(field)?.as_deref(),
        Answer::Organization(o) => o.value(field)?.as_deref(),
        Answer::Fields(f) => f.get(field).map(String::as_str),
        _ => None,
    }
    .filter(|v| !v.trim().is_empty())
}

/// Fills every empty field the profile has a value for; what the citizen typed is never
/// overwritten. The fields filled.
pub fn prefill(form: &Form, answers: &mut Answers, profile: &Profile) -> Vec<Filled> {
    let mut filled = Vec::new();
    for (query, field, value) in targets(form, profile) {
        if current(answers, &query, &field).is_some() {
            continue;
        }
        let Some(q) = form.queries().iter().find(|q| q.id == query) else {
            continue;
        };
        let mut answer = answers
            .get(&query)
            .cloned()
            .unwrap_or_else(|| match &q.kind {
                QueryKind::ContactDetail(_) => Answer::Contact(ContactAnswer::default()),
                QueryKind::OrganizationDetail(_) => {
                    Answer::Organization(OrganizationAnswer::default())
                }
                _ => Answer::Fields(Default::default()),
            });
        let set = match &mut answer {
            Answer::Contact(c) => c.set(&field, &value),
            Answer::Organization(o) => o.set(&field, &value),
            Answer::Fields(f) => {
                f.insert(field.clone(), value);
                true
            }
            _ => false,
        };
        if set {
            answers.set(&query, Some(answer));
            filled.push(Filled { query, field });
        }
    }
    filled
}

/// The fields whose answer is the profile's value: marked "Från Mina uppgifter" where they are
/// shown. A field the citizen changed is not marked any more.
pub fn marks(form: &Form, answers: &Answers, profile: &Profile) -> Vec<Filled> {
    targets(form, profile)
        .into_iter()
        .filter(|(query, field, value)| {
            current(answers, query, field).is_some_and(|v| v.trim() == value.trim())
        })
        .map(|(query, field, _)| Filled { query, field })
        .collect()
}

/// The profile with the applicant's details as given in `answers` (the citizen asked for it:
/// "Spara i Mina uppgifter"); what the form does not ask stays as it was.
pub fn take(form: &Form, answers: &Answers, profile: &Profile) -> Profile {
    let mut out = profile.clone();
    let Some(q) = applicant_query(form) else {
        return out;
    };
    let Some(Answer::Contact(c)) = answers.get(&q.id) else {
        return out;
    };
    let given = |v: &Option<String>| clean(v);
    for (slot, value) in [
        (&mut out.personnummer, given(&c.citizen_id)),
        (&mut out.first_name, given(&c.first_name)),
        (&mut out.last_name, given(&c.last_name)),
        (&mut out.care_of, given(&c.care_of)),
        (&mut out.address, given(&c.address)),
        (&mut out.zip_code, given(&c.zip_code)),
        (&mut out.postal_address, given(&c.postal_address)),
        (&mut out.phone, given(&c.phone)),
        (&mut out.mobile_phone, given(&c.mobile_phone)),
        (&mut out.email, given(&c.email)),
    ] {
        if value.is_some() {
            *slot = value;
        }
    }
    out
}

/// The applicant's contact query, when `answers` give it details the profile does not have:
/// where the form offers "Spara i Mina uppgifter".
pub fn offer_to_keep(
    form: &Form,
    answers: &Answers,
    profile: &Profile,
    today: chrono::NaiveDate,
) -> Option<String> {
    let q = applicant_query(form)?;
    let taken = take(form, answers, profile).checked(today).ok()?;
    let now = profile.checked(today).unwrap_or_else(|_| profile.clone());
    (taken != now).then(|| q.id.clone())
}
