//! The flow model: Open ePlatform's Flow → Step → QueryDescriptor tree, 1:1 where OeP has a
//! concept, plus etjanst's native repeating group.
//!
//! These types are also the documented JSON flow format (`forms/flow.schema.json` is generated
//! from them), so field names are stable API.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One version of an e-service's form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    /// Flow (version) id, OeP `flowID`: a positive integer, unique in a catalogue.
    #[serde(with = "super::int_id")]
    #[schemars(with = "u64")]
    pub id: String,
    /// Stable identity across versions (OeP `FlowFamily/flowFamilyID`), an integer.
    #[serde(
        default,
        with = "super::int_id::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<u64>")]
    pub family_id: Option<String>,
    #[serde(default = "one")]
    pub version: u32,
    pub name: String,
    /// Short names the CLI and the catalogue also accept (OeP family aliases).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// HTML, unsanitised as authored.
    #[serde(default)]
    pub short_description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_message: Option<String>,
    #[serde(default)]
    pub requires_authentication: bool,
    #[serde(default)]
    pub requires_signing: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// "Krav för e-tjänsten": checklist shown before starting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<String>,
    /// An external flow only links elsewhere and has no steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_link: Option<String>,
    /// Who handles the case; printed forms use it as the postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(default)]
    pub steps: Vec<Step>,
    /// PDF "blanketter" (OeP `FlowForm`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<FlowForm>,
    /// Catalogue icon, base64 in JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<Icon>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_address: Option<String>,
    /// Postal address lines for forms sent by post (etjanst extension; OeP has no field).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postal_address: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowForm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Either an external URL or embedded file content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    #[serde(default = "pdf_ext")]
    pub file_extension: String,
    /// Relative path of the file beside the flow definition (JSON flows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// File content (decoded from `.oeflow`); never written to JSON.
    #[serde(skip)]
    #[schemars(skip)]
    pub data: Option<Vec<u8>>,
}

fn pdf_ext() -> String {
    "pdf".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Icon {
    pub file_name: String,
    #[serde(with = "base64_bytes")]
    #[schemars(with = "String")]
    pub data: Vec<u8>,
}

mod base64_bytes {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    #[serde(with = "super::int_id")]
    #[schemars(with = "u64")]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub queries: Vec<Query>,
}

/// OeP's three query states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QueryState {
    /// "Valfri": shown, may be left empty.
    Visible,
    /// "Obligatorisk": shown and must be answered before print or submit.
    VisibleRequired,
    /// "Dold": not shown; its answer is cleared.
    Hidden,
}

impl QueryState {
    pub fn as_oep(self) -> &'static str {
        match self {
            QueryState::Visible => "VISIBLE",
            QueryState::VisibleRequired => "VISIBLE_REQUIRED",
            QueryState::Hidden => "HIDDEN",
        }
    }
    pub fn from_oep(s: &str) -> Option<Self> {
        match s {
            "VISIBLE" => Some(QueryState::Visible),
            "VISIBLE_REQUIRED" => Some(QueryState::VisibleRequired),
            "HIDDEN" => Some(QueryState::Hidden),
            _ => None,
        }
    }
    pub fn is_visible(self) -> bool {
        self != QueryState::Hidden
    }
}

/// One question (OeP `QueryDescriptor` with its type-specific bean).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Query {
    /// OeP `queryID`: a positive integer, unique in the flow.
    #[serde(with = "super::int_id")]
    #[schemars(with = "u64")]
    pub id: String,
    /// A readable name that answers files and messages may use instead of the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The label.
    pub name: String,
    #[serde(default = "visible")]
    pub default_state: QueryState,
    /// Included in the submitted-case XML under `xsdElementName`.
    #[serde(default)]
    pub exported: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xsd_element_name: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub merge_with_previous: bool,
    /// HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_text: Option<String>,
    /// Admin note; never shown to citizens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evaluators: Vec<Evaluator>,
    #[serde(flatten)]
    pub kind: QueryKind,
}

impl Query {
    /// Whether `name` is this query's id or its alias.
    pub fn answers_to(&self, name: &str) -> bool {
        self.id == name || self.alias.as_deref() == Some(name)
    }

    /// The name a person knows the query by: its alias, else its id.
    pub fn handle(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.id)
    }
}

impl TextField {
    pub fn answers_to(&self, name: &str) -> bool {
        self.id == name || self.alias.as_deref() == Some(name)
    }
}

impl Alternative {
    pub fn answers_to(&self, name: &str) -> bool {
        self.id == name || self.alias.as_deref() == Some(name)
    }
}

fn visible() -> QueryState {
    QueryState::Visible
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The type-specific part of a query, tagged by `type` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type")]
pub enum QueryKind {
    TextField(TextFieldQuery),
    TextArea(TextAreaQuery),
    RadioButton(ChoiceQuery),
    Checkbox(CheckboxQuery),
    DropDown(DropDownQuery),
    FileUpload(FileUploadQuery),
    ContactDetail(ContactDetailQuery),
    OrganizationDetail(OrganizationDetailQuery),
    FileInfo(FileInfoQuery),
    Stop(StopQuery),
    RepeatingGroup(RepeatingGroup),
    /// An Open ePlatform type etjanst cannot fill offline, kept verbatim.
    Unknown(UnknownQuery),
}

impl QueryKind {
    /// Name used in messages and the CLI.
    pub fn type_name(&self) -> &str {
        match self {
            QueryKind::TextField(_) => "TextField",
            QueryKind::TextArea(_) => "TextArea",
            QueryKind::RadioButton(_) => "RadioButton",
            QueryKind::Checkbox(_) => "Checkbox",
            QueryKind::DropDown(_) => "DropDown",
            QueryKind::FileUpload(_) => "FileUpload",
            QueryKind::ContactDetail(_) => "ContactDetail",
            QueryKind::OrganizationDetail(_) => "OrganizationDetail",
            QueryKind::FileInfo(_) => "FileInfo",
            QueryKind::Stop(_) => "Stop",
            QueryKind::RepeatingGroup(_) => "RepeatingGroup",
            QueryKind::Unknown(u) => &u.element,
        }
    }

    /// The fixed alternatives of a Radio/Checkbox/DropDown query.
    pub fn alternatives(&self) -> Option<(&[Alternative], Option<&str>)> {
        match self {
            QueryKind::RadioButton(q) => {
                Some((&q.alternatives, q.free_text_alternative.as_deref()))
            }
            QueryKind::Checkbox(q) => Some((&q.alternatives, q.free_text_alternative.as_deref())),
            QueryKind::DropDown(q) => Some((&q.alternatives, q.free_text_alternative.as_deref())),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FieldLayout {
    #[default]
    Float,
    NewLine,
    NewLineFullWidth,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TextFieldQuery {
    #[serde(default)]
    pub layout: FieldLayout,
    pub fields: Vec<TextField>,
}

/// OeP caps every text field at 255 characters whatever the flow says.
pub const TEXT_FIELD_HARD_CAP: usize = 255;
/// OeP's default maximum for a text area.
pub const TEXT_AREA_DEFAULT_MAX: usize = 65536;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TextField {
    /// OeP `textFieldID`.
    #[serde(with = "super::int_id")]
    #[schemars(with = "u64")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub label: String,
    /// Enforced only while the query is VISIBLE_REQUIRED (as in OeP).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub disabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// OeP validator class name (e.g. `se.unlogic.standardutils.populators.SocialSecurityPopulator`)
    /// or an etjanst short name (`personnummer`, `epost`, …); see `ids::Format`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_validator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid_format_message: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub mask_field_content: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xsd_element_name: Option<String>,
}

impl TextField {
    /// The effective maximum length: the field's own, never above OeP's hard cap.
    pub fn max_len(&self) -> usize {
        self.max_length.map_or(TEXT_FIELD_HARD_CAP, |m| {
            (m as usize).min(TEXT_FIELD_HARD_CAP)
        })
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TextAreaQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u32>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub show_letter_count: bool,
}

impl TextAreaQuery {
    pub fn max_len(&self) -> usize {
        self.max_length
            .map_or(TEXT_AREA_DEFAULT_MAX, |m| m as usize)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Alternative {
    /// OeP `alternativeID`.
    #[serde(with = "super::int_id")]
    #[schemars(with = "u64")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub name: String,
    /// Value written to the submitted-case XML instead of the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
}

impl Alternative {
    pub fn export_value(&self) -> &str {
        self.xml_value.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Columns {
    #[default]
    One,
    Two,
    Three,
}

/// RadioButtonQuery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChoiceQuery {
    pub alternatives: Vec<Alternative>,
    /// Label of an "Annat:" choice with free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_text_alternative: Option<String>,
    #[serde(default)]
    pub columns: Columns,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckboxQuery {
    pub alternatives: Vec<Alternative>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_text_alternative: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_checked: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_checked: Option<u32>,
    #[serde(default)]
    pub columns: Columns,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DropDownQuery {
    pub alternatives: Vec<Alternative>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_text_alternative: Option<String>,
    /// Text of the empty first option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileUploadQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_file_count: Option<u32>,
    /// Bytes (as in the `.oeflow`, not MB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_file_size: Option<u64>,
    /// Bytes, all files together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_query_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_file_name_length: Option<u32>,
    /// Lower-case extensions without the dot; empty allows any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_extensions: Vec<String>,
    /// OeP `excludeFileContentFromXML`: the case XML names the files but carries no content.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclude_file_content_from_xml: bool,
}

/// Per-field visibility of contact queries (OeP ContactDetailQueryField).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FieldMode {
    Hidden,
    Visible,
    Required,
}

impl FieldMode {
    pub fn as_oep(self) -> &'static str {
        match self {
            FieldMode::Hidden => "HIDDEN",
            FieldMode::Visible => "VISIBLE",
            FieldMode::Required => "REQUIRED",
        }
    }
    pub fn from_oep(s: &str) -> Option<Self> {
        match s {
            "HIDDEN" => Some(FieldMode::Hidden),
            "VISIBLE" => Some(FieldMode::Visible),
            "REQUIRED" => Some(FieldMode::Required),
            _ => None,
        }
    }
}

fn mode_hidden() -> FieldMode {
    FieldMode::Hidden
}
fn mode_visible() -> FieldMode {
    FieldMode::Visible
}
fn mode_required() -> FieldMode {
    FieldMode::Required
}

/// ContactDetailQuery (private person). Defaults are OeP's import defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactDetailQuery {
    #[serde(default = "mode_hidden")]
    pub field_citizen_id: FieldMode,
    #[serde(default = "mode_required")]
    pub field_name: FieldMode,
    #[serde(default = "mode_visible")]
    pub field_address: FieldMode,
    #[serde(default = "mode_hidden")]
    pub field_care_of: FieldMode,
    #[serde(default = "mode_visible")]
    pub field_phone: FieldMode,
    #[serde(default = "mode_visible")]
    pub field_mobile_phone: FieldMode,
    #[serde(default = "mode_visible")]
    pub field_email: FieldMode,
    #[serde(default, skip_serializing_if = "is_false")]
    pub require_at_least_one_contact_way: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub require_mobile_phone_or_phone: bool,
    /// OeP `allowSMS`: the citizen may ask to be contacted by SMS (`ContactBySMS`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_sms: bool,
    /// The person this query names must sign the application too, in this role ("Vårdnadshavare
    /// 2", "Medsökande"): etjanst's equivalent of Open ePlatform's multi-signing queries. Only
    /// when the query is shown and its personnummer given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signs: Option<String>,
    /// Open ePlatform's ManualMultiSignQuery ("Flerpartssigneringsfråga"): the applicant names
    /// another person who must sign (first and last name, e-mail, mobile phone, personnummer).
    /// etjanst fills it as these contact details, signed in the role of the query's name, and
    /// writes it back to `.oeflow` and into the case XML in its own shape (`case-xml.md` §4.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_multi_sign: Option<ManualMultiSign>,
}

/// The settings of Open ePlatform's ManualMultiSignQuery, kept for the round trip and the case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManualMultiSign {
    /// `hideCitizenIdetifierInPDF`: the signer's personnummer is left out of the PDF.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hide_citizen_identifier_in_pdf: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub set_multiparts_as_owners: bool,
    /// The signer may not be the applicant (their personnummer differs).
    #[serde(default, skip_serializing_if = "is_false")]
    pub prevent_posters_citizen_identifier: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub require_contact_info_verification: bool,
}

impl Default for ContactDetailQuery {
    fn default() -> Self {
        ContactDetailQuery {
            field_citizen_id: FieldMode::Hidden,
            field_name: FieldMode::Required,
            field_address: FieldMode::Visible,
            field_care_of: FieldMode::Hidden,
            field_phone: FieldMode::Visible,
            field_mobile_phone: FieldMode::Visible,
            field_email: FieldMode::Visible,
            require_at_least_one_contact_way: false,
            require_mobile_phone_or_phone: false,
            allow_sms: false,
            signs: None,
            manual_multi_sign: None,
        }
    }
}

/// OrganizationDetailQuery. Name and organisation number are always asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationDetailQuery {
    #[serde(default = "mode_visible")]
    pub field_address: FieldMode,
    #[serde(default = "mode_required")]
    pub field_email: FieldMode,
    #[serde(default = "mode_visible")]
    pub field_mobile_phone: FieldMode,
    #[serde(default = "mode_visible")]
    pub field_phone: FieldMode,
    #[serde(default, skip_serializing_if = "is_false")]
    pub validate_zip_code: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub require_email_or_mobile: bool,
    /// OeP `allowSMS`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_sms: bool,
}

impl Default for OrganizationDetailQuery {
    fn default() -> Self {
        OrganizationDetailQuery {
            field_address: FieldMode::Visible,
            field_email: FieldMode::Required,
            field_mobile_phone: FieldMode::Visible,
            field_phone: FieldMode::Visible,
            validate_zip_code: false,
            require_email_or_mobile: false,
            allow_sms: false,
        }
    }
}

/// Information text (the query's description) with downloadable files listed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileInfoQuery {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<InfoFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InfoFile {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// Always fails full validation while visible: an eligibility stop. The description says why.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StopQuery {
    #[serde(default, skip_serializing_if = "is_false")]
    pub display_validation_error: bool,
}

/// etjanst extension: rows of the same sub-queries (OeP authors fake this with numbered copies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RepeatingGroup {
    #[serde(default)]
    pub min_rows: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rows: Option<u32>,
    /// Button text, e.g. "Lägg till person".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_row_text: Option<String>,
    /// Sub-queries of one row; they cannot carry evaluators or nest groups.
    pub queries: Vec<Query>,
}

/// A query type etjanst does not know. The raw XML is written back unchanged on export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnknownQuery {
    /// Element name of the query bean, e.g. `GeneralMapQuery`.
    pub element: String,
    pub query_type_id: String,
    /// The query bean element exactly as read.
    pub xml: String,
}

/// OeP `EvaluatorDescriptor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Evaluator {
    #[serde(with = "super::int_id")]
    #[schemars(with = "u64")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Ids of later queries whose state this evaluator sets.
    #[serde(with = "super::int_id::list")]
    #[schemars(with = "Vec<u64>")]
    pub targets: Vec<String>,
    pub rule: EvaluatorRule,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SelectionMode {
    #[default]
    Any,
    All,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type")]
pub enum EvaluatorRule {
    /// OeP QueryStateEvaluator.
    #[serde(rename_all = "camelCase")]
    QueryState {
        #[serde(default)]
        selection_mode: SelectionMode,
        /// Alternative ids of the source query.
        #[serde(default, with = "super::int_id::list")]
        #[schemars(with = "Vec<u64>")]
        alternatives: Vec<String>,
        /// The free-text alternative counts as one of the listed alternatives.
        #[serde(default, skip_serializing_if = "is_false")]
        free_text: bool,
        /// State applied to the targets while the rule fires; none leaves them alone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        state: Option<QueryState>,
        /// Once fired, the targets keep the state even when the rule stops firing.
        #[serde(default, skip_serializing_if = "is_false")]
        do_not_reset: bool,
    },
    /// Evaluator type etjanst does not run; kept verbatim.
    #[serde(rename_all = "camelCase")]
    Unknown {
        element: String,
        evaluator_type_id: String,
        xml: String,
    },
}

impl Flow {
    /// All top-level queries in document order.
    pub fn queries(&self) -> impl Iterator<Item = &Query> {
        self.steps.iter().flat_map(|s| s.queries.iter())
    }

    /// A top-level query by its id or its alias.
    pub fn query(&self, name: &str) -> Option<&Query> {
        self.queries().find(|q| q.answers_to(name))
    }

    /// Whether `name` is this flow's id or one of its aliases.
    pub fn answers_to(&self, name: &str) -> bool {
        self.id == name || self.aliases.iter().any(|a| a == name)
    }

    /// Queries that cannot be completed offline.
    pub fn online_only_queries(&self) -> impl Iterator<Item = &Query> {
        self.queries()
            .filter(|q| matches!(q.kind, QueryKind::Unknown(_)))
    }
}
