//! Answers to a flow, and the documented answers-file format (`forms/answers.md`).
//!
//! An answers file is `{"flow": "<id or alias>", "answers": {"<query id>": <value>}}`; the
//! value's shape depends on the query type. Reading checks every id against the flow, so an
//! answer can never point at a query, field or alternative that does not exist.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::flow::{Flow, Query, QueryKind};

/// The answer to one query.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// TextArea.
    Text(String),
    /// TextField: field id → value.
    Fields(BTreeMap<String, String>),
    /// RadioButton, DropDown (at most one) and Checkbox.
    Choice(Choice),
    Files(Vec<FileRef>),
    Contact(ContactAnswer),
    Organization(OrganizationAnswer),
    /// RepeatingGroup: one map of sub-query answers per row.
    Rows(Vec<BTreeMap<String, Answer>>),
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Choice {
    /// Alternative ids, in the order chosen.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub selected: Vec<String>,
    /// Text of the free-text ("Annat") alternative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
}

impl Choice {
    pub fn other_text(&self) -> Option<&str> {
        self.other.as_deref().filter(|t| !t.trim().is_empty())
    }
    pub fn count(&self) -> usize {
        self.selected.len() + usize::from(self.other_text().is_some())
    }
}

/// An attached file as the form knows it; its content lives in the vault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileRef {
    pub name: String,
    pub size: u64,
    /// Id of the encrypted content in the draft vault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citizen_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
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
    /// The citizen asks to be contacted by SMS (only where the query allows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_by_sms: Option<bool>,
}

/// An organisation and its contact person, the twelve things Open ePlatform's
/// OrganizationDetailQuery asks for.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_address: Option<String>,
    /// The contact person's first name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_by_sms: Option<bool>,
}

/// All answers to one flow, plus the evaluators that have latched (`doNotResetQueryState`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Answers {
    pub values: BTreeMap<String, Answer>,
    /// Evaluators that fired once with `doNotResetQueryState`; their targets keep the state.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub latched: BTreeSet<String>,
}

impl Drop for Answers {
    /// Answers are personal data: every text is wiped when they go (`zeroize`), as age and
    /// rage do with what they decrypt.
    fn drop(&mut self) {
        use zeroize::Zeroize;
        fn wipe(a: &mut Answer) {
            let opt = |v: &mut Option<String>| {
                if let Some(s) = v {
                    s.zeroize();
                }
            };
            match a {
                Answer::Text(t) => t.zeroize(),
                Answer::Fields(f) => f.values_mut().for_each(Zeroize::zeroize),
                Answer::Choice(c) => opt(&mut c.other),
                Answer::Files(files) => files.iter_mut().for_each(|f| f.name.zeroize()),
                Answer::Contact(c) => [
                    &mut c.citizen_id,
                    &mut c.first_name,
                    &mut c.last_name,
                    &mut c.care_of,
                    &mut c.address,
                    &mut c.zip_code,
                    &mut c.postal_address,
                    &mut c.phone,
                    &mut c.mobile_phone,
                    &mut c.email,
                ]
                .into_iter()
                .for_each(opt),
                Answer::Organization(o) => [
                    &mut o.name,
                    &mut o.organization_number,
                    &mut o.address,
                    &mut o.zip_code,
                    &mut o.postal_address,
                    &mut o.first_name,
                    &mut o.last_name,
                    &mut o.phone,
                    &mut o.mobile_phone,
                    &mut o.email,
                ]
                .into_iter()
                .for_each(opt),
                Answer::Rows(rows) => rows.iter_mut().flat_map(|r| r.values_mut()).for_each(wipe),
            }
        }
        self.values.values_mut().for_each(wipe);
    }
}

/// Wipes every string of a JSON document (an answers document decrypted from the vault).
pub fn wipe_json(v: &mut Value) {
    use zeroize::Zeroize;
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(a) => a.iter_mut().for_each(wipe_json),
        Value::Object(m) => m.values_mut().for_each(wipe_json),
        _ => {}
    }
}

/// An answers file that does not fit its flow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("{}", crate::i18n::display("answers-not-an-object", &[]))]
    NotAnObject,
    #[error("{}", crate::i18n::display("answers-unknown-query", &[("v0", .0.to_string())]))]
    UnknownQuery(String),
    #[error("{}", crate::i18n::display("answers-unknown-field", &[("query", .query.to_string()), ("field", .field.to_string())]))]
    UnknownField { query: String, field: String },
    #[error("{}", crate::i18n::display("answers-unknown-alternative", &[("query", .query.to_string()), ("alternative", .alternative.to_string())]))]
    UnknownAlternative { query: String, alternative: String },
    #[error("{}", crate::i18n::display("answers-no-free-text", &[("v0", .0.to_string())]))]
    NoFreeText(String),
    #[error("{}", crate::i18n::display("answers-shape", &[("query", .query.to_string()), ("expected", .expected.to_string())]))]
    Shape {
        query: String,
        expected: &'static str,
    },
    #[error("{}", crate::i18n::display("answers-not-answerable", &[("query", .query.to_string()), ("kind", .kind.to_string())]))]
    NotAnswerable { query: String, kind: String },
    #[error("{}", crate::i18n::display("answers-wrong-flow", &[("file", .file.to_string()), ("flow", .flow.to_string())]))]
    WrongFlow { file: String, flow: String },
}

impl Answers {
    /// Reads an answers document (`{"flow": …, "answers": {…}}`) against `flow`.
    pub fn from_json(flow: &Flow, doc: &Value) -> Result<Answers, AnswerError> {
        let obj = doc.as_object().ok_or(AnswerError::NotAnObject)?;
        if let Some(name) = obj.get("flow").and_then(Value::as_str)
            && !flow.answers_to(name)
        {
            return Err(AnswerError::WrongFlow {
                file: name.to_string(),
                flow: flow.id.clone(),
            });
        }
        let answers = match obj.get("answers") {
            Some(Value::Object(m)) => m,
            None => return Ok(Answers::default()),
            Some(_) => return Err(AnswerError::NotAnObject),
        };
        let mut values = BTreeMap::new();
        for (id, value) in answers {
            let query = flow
                .query(id)
                .ok_or_else(|| AnswerError::UnknownQuery(id.clone()))?;
            if let Some(answer) = parse_answer(query, value)? {
                values.insert(query.id.clone(), answer);
            }
        }
        let latched = obj
            .get("latched")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Answers { values, latched })
    }

    /// The answers document for `flow`, in the answers-file format.
    pub fn to_json(&self, flow: &Flow) -> Value {
        let mut doc = serde_json::json!({ "flow": flow.id, "answers": self.values });
        if !self.latched.is_empty() {
            doc["latched"] = serde_json::to_value(&self.latched).unwrap_or_default();
        }
        doc
    }

    pub fn get(&self, query: &str) -> Option<&Answer> {
        self.values.get(query)
    }

    /// Sets (or with `None`, clears) one answer; call the engine afterwards.
    pub fn set(&mut self, query: &str, answer: Option<Answer>) {
        match answer {
            Some(a) => self.values.insert(query.to_string(), a),
            None => self.values.remove(query),
        };
    }
}

fn shape(query: &Query, expected: &'static str) -> AnswerError {
    AnswerError::Shape {
        query: query.handle().to_string(),
        expected,
    }
}

fn string(query: &Query, v: &Value, expected: &'static str) -> Result<String, AnswerError> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| shape(query, expected))
}

/// Parses one answer value for `query`; `null` means no answer.
pub fn parse_answer(query: &Query, value: &Value) -> Result<Option<Answer>, AnswerError> {
    if value.is_null() {
        return Ok(None);
    }
    let answer = match &query.kind {
        QueryKind::TextArea(_) => Answer::Text(string(query, value, "en sträng")?),
        QueryKind::TextField(t) => {
            const EXPECTED: &str = "ett objekt {\"fält-id\": \"värde\"}";
            let obj = value.as_object().ok_or_else(|| shape(query, EXPECTED))?;
            let mut fields = BTreeMap::new();
            for (name, v) in obj {
                let field = t
                    .fields
                    .iter()
                    .find(|f| f.answers_to(name))
                    .ok_or_else(|| AnswerError::UnknownField {
                        query: query.handle().to_string(),
                        field: name.clone(),
                    })?;
                fields.insert(field.id.clone(), string(query, v, EXPECTED)?);
            }
            Answer::Fields(fields)
        }
        QueryKind::RadioButton(_) | QueryKind::DropDown(_) | QueryKind::Checkbox(_) => {
            Answer::Choice(parse_choice(query, value)?)
        }
        QueryKind::FileUpload(_) => Answer::Files(
            serde_json::from_value(value.clone())
                .map_err(|_| shape(query, "en lista [{\"name\": …, \"size\": …}]"))?,
        ),
        QueryKind::ContactDetail(_) => Answer::Contact(
            serde_json::from_value(value.clone())
                .map_err(|_| shape(query, "ett kontaktobjekt (firstName, lastName, …)"))?,
        ),
        QueryKind::OrganizationDetail(_) => {
            Answer::Organization(serde_json::from_value(value.clone()).map_err(|_| {
                shape(
                    query,
                    "ett organisationsobjekt (name, organizationNumber, …)",
                )
            })?)
        }
        QueryKind::RepeatingGroup(g) => {
            const EXPECTED: &str = "en lista med rader [{\"fråga-id\": svar}]";
            let rows = value.as_array().ok_or_else(|| shape(query, EXPECTED))?;
            let mut out = Vec::new();
            for row in rows {
                let obj = row.as_object().ok_or_else(|| shape(query, EXPECTED))?;
                let mut parsed = BTreeMap::new();
                for (id, v) in obj {
                    let sub = g.queries.iter().find(|q| q.answers_to(id)).ok_or_else(|| {
                        AnswerError::UnknownQuery(format!("{}/{id}", query.handle()))
                    })?;
                    if let Some(a) = parse_answer(sub, v)? {
                        parsed.insert(sub.id.clone(), a);
                    }
                }
                out.push(parsed);
            }
            Answer::Rows(out)
        }
        QueryKind::FileInfo(_) | QueryKind::Stop(_) | QueryKind::Unknown(_) => {
            return Err(AnswerError::NotAnswerable {
                query: query.handle().to_string(),
                kind: query.kind.type_name().to_string(),
            });
        }
    };
    Ok(Some(answer))
}

fn parse_choice(query: &Query, value: &Value) -> Result<Choice, AnswerError> {
    const EXPECTED: &str = "{\"selected\": [\"alternativ-id\"], \"other\": \"fritext\"}";
    let (alternatives, free) = query
        .kind
        .alternatives()
        .ok_or_else(|| shape(query, EXPECTED))?;
    let obj = value.as_object().ok_or_else(|| shape(query, EXPECTED))?;
    if obj.keys().any(|k| k != "selected" && k != "other") {
        return Err(shape(query, EXPECTED));
    }
    let selected: Vec<String> = match obj.get("selected") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| string(query, v, EXPECTED))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(shape(query, EXPECTED)),
    };
    let selected = selected
        .iter()
        .map(|s| {
            alternatives
                .iter()
                .find(|a| a.answers_to(s))
                .map(|a| a.id.clone())
                .ok_or_else(|| AnswerError::UnknownAlternative {
                    query: query.handle().to_string(),
                    alternative: s.clone(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let other = match obj.get("other") {
        None | Some(Value::Null) => None,
        Some(v) => Some(string(query, v, EXPECTED)?),
    };
    if other.is_some() && free.is_none() {
        return Err(AnswerError::NoFreeText(query.handle().to_string()));
    }
    Ok(Choice { selected, other })
}

#[cfg(test)]
mod tests {
    #[test]
    fn wiping_empties_every_string_of_a_document() {
        let mut doc =
            serde_json::json!({"answers": {"a": "19121212-1212", "b": [{"c": "Åsa"}], "n": 3}});
        super::wipe_json(&mut doc);
        assert_eq!(
            doc,
            serde_json::json!({"answers": {"a": "", "b": [{"c": ""}], "n": 3}})
        );
    }
}
