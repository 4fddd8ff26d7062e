//! `.oeflow` import and export (Open ePlatform's flow export, `spec/oeflow-format.md`).
//!
//! Reading follows OeP's own importer: direct child paths only (the nested descriptor copies
//! inside each query bean are never reached), order-independent, unknown elements ignored,
//! booleans `true`/anything else. Query beans of types etjanst does not know are kept as their
//! exact source text and written back unchanged.

use base64::Engine;

use super::model::*;
use crate::xml::{self, Element, Writer};

/// A `.oeflow` that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::i18n::display("oeflow-error", &[("line", .line.to_string()), ("column", .column.to_string()), ("message", .message.to_string())]))]
pub struct OeflowError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl From<xml::XmlError> for OeflowError {
    fn from(e: xml::XmlError) -> Self {
        OeflowError {
            line: e.line,
            column: e.column,
            message: e.message,
        }
    }
}

/// Element name and default `queryTypeID` of the query types etjanst models.
const KNOWN_TYPES: &[(&str, &str)] = &[
    (
        "TextFieldQuery",
        "com.nordicpeak.flowengine.queries.textfieldquery.TextFieldQueryProviderModule",
    ),
    (
        "TextAreaQuery",
        "com.nordicpeak.flowengine.queries.textareaquery.TextAreaQueryProviderModule",
    ),
    (
        "RadioButtonQuery",
        "com.nordicpeak.flowengine.queries.radiobuttonquery.RadioButtonQueryProviderModule",
    ),
    (
        "CheckboxQuery",
        "com.nordicpeak.flowengine.queries.checkboxquery.CheckboxQueryProviderModule",
    ),
    (
        "DropDownQuery",
        "com.nordicpeak.flowengine.queries.dropdownquery.DropDownQueryProviderModule",
    ),
    (
        "FileUploadQuery",
        "com.nordicpeak.flowengine.queries.fileuploadquery.FileUploadQueryProviderModule",
    ),
    (
        "ContactDetailQuery",
        "com.nordicpeak.flowengine.queries.contactdetailquery.ContactDetailQueryProviderModule",
    ),
    (
        "OrganizationDetailQuery",
        "com.nordicpeak.flowengine.queries.organizationdetailquery.OrganizationDetailQueryProviderModule",
    ),
    (
        "ManualMultiSignQuery",
        "com.nordicpeak.flowengine.queries.manualmultisignquery.ManualMultiSignQueryProviderModule",
    ),
    (
        "FileInfoQuery",
        "com.nordicpeak.flowengine.queries.fileinfoquery.FileInfoQueryProviderModule",
    ),
    (
        "StopQuery",
        "com.nordicpeak.flowengine.queries.stopquery.StopQueryProviderModule",
    ),
    (GROUP_ELEMENT, GROUP_TYPE_ID),
];

/// etjanst's repeating group has no OeP counterpart; it is exported under its own name so that
/// etjanst reads it back, and OeP reports it as an unknown query type instead of misreading it.
/// The largest blankett or icon a `.oeflow` may embed.
pub const MAX_EMBEDDED_BYTES: usize = 32 << 20;

pub const GROUP_ELEMENT: &str = "EtjanstRepeatingGroupQuery";
pub const GROUP_TYPE_ID: &str = "se.etjanst.flowengine.queries.RepeatingGroupQueryProviderModule";

const QUERY_STATE_EVALUATOR: &str = "QueryStateEvaluator";
const QUERY_STATE_EVALUATOR_TYPE: &str =
    "com.nordicpeak.flowengine.evaluators.querystateevaluator.QueryStateEvaluationProviderModule";

/// Fields of `QueryDescriptor` itself; any other child element is the query bean.
const DESCRIPTOR_FIELDS: &[&str] = &[
    "queryID",
    "name",
    "comment",
    "sortIndex",
    "defaultQueryState",
    "queryTypeID",
    "exported",
    "xsdElementName",
    "EvaluatorDescriptors",
    "mergeWithPreviousQuery",
    "queryInstanceDescriptors",
];

/// Postal address for printed forms travels as an overview attribute, which OeP keeps.
const POSTAL_ADDRESS_ATTRIBUTE: &str = "Postadress";

struct Reader<'a> {
    src: &'a str,
}

impl Reader<'_> {
    fn err(&self, at: &Element, message: impl Into<String>) -> OeflowError {
        let (line, column) = xml::line_col(self.src, at.span.start);
        OeflowError {
            line,
            column,
            message: message.into(),
        }
    }

    fn required(&self, el: &Element, name: &str) -> Result<String, OeflowError> {
        el.child_text(name)
            .ok_or_else(|| self.err(el, format!("<{}> saknar <{name}>", el.name)))
    }

    fn flow(&self, root: &Element) -> Result<Flow, OeflowError> {
        if root.name != "Flow" {
            return Err(self.err(
                root,
                format!(
                    "rotelementet är <{}>, men en .oeflow-fil börjar med <Flow>",
                    root.name
                ),
            ));
        }
        let name = self.required(root, "name")?;
        let family = root.child("FlowFamily");
        let id = root
            .child_text("flowID")
            .unwrap_or_else(|| crate::slug(&name));
        let mut contact = family.map(|f| Contact {
            name: f.child_text("contactName"),
            email: f.child_text("contactEmail"),
            phone: f.child_text("contactPhone"),
            web_address: f.child_text("contactWebAddress"),
            postal_address: Vec::new(),
        });
        for attr in root.path("OverviewAttributes/FlowOverviewAttribute") {
            if attr.child_text("name").as_deref() == Some(POSTAL_ADDRESS_ATTRIBUTE) {
                let lines = attr
                    .child_text("value")
                    .unwrap_or_default()
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect();
                contact.get_or_insert_with(Contact::default).postal_address = lines;
            }
        }
        let contact = contact.filter(|c| *c != Contact::default());
        let mut steps = Vec::new();
        for step in sorted(root.path("Steps/Step")) {
            steps.push(Step {
                id: step
                    .child_text("stepID")
                    .unwrap_or_else(|| (steps.len() + 1).to_string()),
                name: self.required(step, "name")?,
                queries: self.descriptors(step)?,
            });
        }
        let mut forms = Vec::new();
        for f in root.path("FlowForms/FlowForm") {
            forms.push(self.flow_form(f)?);
        }
        if root.child_bool("hasPDF")
            && let Some(pdf) = root.child("PDF")
        {
            forms.push(FlowForm {
                name: None,
                external_url: root.child_text("externalPDF"),
                file_extension: "pdf".into(),
                file: None,
                data: Some(self.base64(pdf)?),
            });
        }
        let icon = match root.child("icon") {
            Some(icon) if !icon.text().trim().is_empty() => Some(Icon {
                file_name: root
                    .child_text("iconFileName")
                    .unwrap_or_else(|| "icon.png".into()),
                data: self.base64(icon)?,
            }),
            _ => None,
        };
        Ok(Flow {
            id,
            family_id: family.and_then(|f| f.child_text("flowFamilyID")),
            version: root.child_u32("version").unwrap_or(1),
            name,
            aliases: family
                .map(|f| f.list("Aliases", "Alias"))
                .unwrap_or_default(),
            category: root.child("Category").and_then(|c| c.child_text("name")),
            short_description: root.child_text("shortDescription").unwrap_or_default(),
            long_description: root.child_text("longDescription"),
            submitted_message: root.child_text("submittedMessage"),
            requires_authentication: root.child_bool("requireAuthentication"),
            requires_signing: root.child_bool("requireSigning"),
            tags: root.list("Tags", "tag"),
            checks: root.list("Checks", "check"),
            external_link: root.child_text("externalLink"),
            contact,
            steps,
            forms,
            icon,
        })
    }

    fn base64(&self, el: &Element) -> Result<Vec<u8>, OeflowError> {
        let text: String = el.text().chars().filter(|c| !c.is_whitespace()).collect();
        if text.len() / 4 * 3 > MAX_EMBEDDED_BYTES {
            return Err(self.err(
                el,
                format!(
                    "<{}> bäddar in mer än {} MB; en blankett eller ikon är mindre",
                    el.name,
                    MAX_EMBEDDED_BYTES >> 20
                ),
            ));
        }
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| self.err(el, format!("<{}> är inte giltig base64: {e}", el.name)))
    }

    fn flow_form(&self, f: &Element) -> Result<FlowForm, OeflowError> {
        let external_url = f.child_text("externalURL");
        let data = match (&external_url, f.child("file")) {
            (None, Some(file)) => Some(self.base64(file)?),
            _ => None,
        };
        Ok(FlowForm {
            name: f.child_text("name"),
            external_url,
            file_extension: f
                .child_text("fileExtension")
                .unwrap_or_else(|| "pdf".into()),
            file: None,
            data,
        })
    }

    fn descriptors(&self, parent: &Element) -> Result<Vec<Query>, OeflowError> {
        sorted(parent.path("QueryDescriptors/QueryDescriptor"))
            .into_iter()
            .map(|d| self.descriptor(d))
            .collect()
    }

    fn descriptor(&self, d: &Element) -> Result<Query, OeflowError> {
        let id = self.required(d, "queryID")?;
        let name = self.required(d, "name")?;
        let state_text = self.required(d, "defaultQueryState")?;
        let default_state = QueryState::from_oep(&state_text).ok_or_else(|| {
            self.err(
                d,
                format!(
                    "fråga {id}: okänt defaultQueryState \"{state_text}\" (VISIBLE, VISIBLE_REQUIRED eller HIDDEN)"
                ),
            )
        })?;
        let type_id = d.child_text("queryTypeID").unwrap_or_default();
        let bean = d
            .elements()
            .filter(|e| !DESCRIPTOR_FIELDS.contains(&e.name.as_str()))
            .last()
            .ok_or_else(|| self.err(d, format!("fråga {id} saknar sitt frågeelement")))?;
        let xsd_element_name = d.child_text("xsdElementName");
        let mut evaluators = Vec::new();
        for e in sorted(d.path("EvaluatorDescriptors/EvaluatorDescriptor")) {
            evaluators.push(self.evaluator(e)?);
        }
        let mut kind = self.kind(bean, &type_id)?;
        // A multi-sign query's person signs in the role its name gives ("Medsökande").
        if let QueryKind::ContactDetail(c) = &mut kind
            && c.manual_multi_sign.is_some()
        {
            c.signs = Some(name.clone());
        }
        Ok(Query {
            id,
            alias: None,
            name,
            default_state,
            // Pre-1.2 files have no element names; OeP then never exports the query.
            exported: d.child_bool("exported") && xsd_element_name.is_some(),
            xsd_element_name,
            merge_with_previous: d.child_bool("mergeWithPreviousQuery"),
            description: bean.child_text("description"),
            help_text: bean.child_text("helpText"),
            comment: d.child_text("comment"),
            evaluators,
            kind,
        })
    }

    fn kind(&self, bean: &Element, type_id: &str) -> Result<QueryKind, OeflowError> {
        let element = known_element(&bean.name)
            .or_else(|| known_element_for_type_id(type_id))
            .unwrap_or("");
        Ok(match element {
            "TextFieldQuery" => {
                let mut fields = Vec::new();
                for f in sorted(bean.path("Fields/TextField")) {
                    fields.push(TextField {
                        id: self.required(f, "textFieldID")?,
                        alias: None,
                        label: self.required(f, "label")?,
                        required: f.child_bool("required"),
                        disabled: f.child_bool("disabled"),
                        default_value: f.child_text("defaultValue"),
                        placeholder: f.child_text("placeholderText"),
                        width: f.child_u32("width"),
                        min_length: f.child_u32("minContentLength"),
                        max_length: f.child_u32("maxContentLength"),
                        format_validator: f.child_text("formatValidator"),
                        invalid_format_message: f.child_text("invalidFormatMessage"),
                        mask_field_content: f.child_bool("maskFieldContent"),
                        xsd_element_name: f.child_text("xsdElementName"),
                    });
                }
                QueryKind::TextField(TextFieldQuery {
                    layout: match bean.child_text("layout").as_deref() {
                        Some("NEW_LINE") => FieldLayout::NewLine,
                        Some("NEW_LINE_FULL_WIDTH") => FieldLayout::NewLineFullWidth,
                        _ => FieldLayout::Float,
                    },
                    fields,
                })
            }
            "TextAreaQuery" => QueryKind::TextArea(TextAreaQuery {
                max_length: bean.child_u32("maxLength"),
                rows: bean.child_u32("rows"),
                show_letter_count: bean.child_bool("showLetterCount"),
            }),
            "RadioButtonQuery" => QueryKind::RadioButton(ChoiceQuery {
                alternatives: self.alternatives(bean, "RadioButtonAlternative")?,
                free_text_alternative: bean.child_text("freeTextAlternative"),
                columns: columns(bean),
            }),
            "CheckboxQuery" => QueryKind::Checkbox(CheckboxQuery {
                alternatives: self.alternatives(bean, "CheckboxAlternative")?,
                free_text_alternative: bean.child_text("freeTextAlternative"),
                min_checked: bean.child_u32("minChecked"),
                max_checked: bean.child_u32("maxChecked"),
                columns: columns(bean),
            }),
            "DropDownQuery" => QueryKind::DropDown(DropDownQuery {
                alternatives: self.alternatives(bean, "DropDownAlternative")?,
                free_text_alternative: bean.child_text("freeTextAlternative"),
                short_description: bean.child_text("shortDescription"),
            }),
            "FileUploadQuery" => QueryKind::FileUpload(FileUploadQuery {
                max_file_count: bean.child_u32("maxFileCount"),
                max_file_size: bean.child_u64("maxFileSize"),
                max_query_size: bean.child_u64("maxQuerySize"),
                max_file_name_length: bean.child_u32("maxFileNameLength"),
                allowed_extensions: bean
                    .list("allowedFileExtensions", "value")
                    .into_iter()
                    .map(|e| e.trim_start_matches('.').to_lowercase())
                    .collect(),
                exclude_file_content_from_xml: bean.child_bool("excludeFileContentFromXML"),
            }),
            "ContactDetailQuery" => {
                let d = ContactDetailQuery::default();
                QueryKind::ContactDetail(ContactDetailQuery {
                    field_citizen_id: mode(bean, "fieldCitizenID", d.field_citizen_id),
                    field_name: mode(bean, "fieldName", d.field_name),
                    field_address: mode(bean, "fieldAddress", d.field_address),
                    field_care_of: mode(bean, "fieldCareOf", d.field_care_of),
                    field_phone: mode(bean, "fieldPhone", d.field_phone),
                    field_mobile_phone: mode(bean, "fieldMobilePhone", d.field_mobile_phone),
                    field_email: mode(bean, "fieldEmail", d.field_email),
                    require_at_least_one_contact_way: bean
                        .child_bool("requireAtLeastOneContactWay"),
                    require_mobile_phone_or_phone: bean.child_bool("requireMobilePhoneOrPhone"),
                    allow_sms: bean.child_bool("allowSMS"),
                    // Open ePlatform names co-signers in multi-sign queries, not here.
                    signs: None,
                    manual_multi_sign: None,
                })
            }
            // Filled as the contact details it asks for; the role it signs in is the query's
            // name, set where the name is read.
            "ManualMultiSignQuery" => QueryKind::ContactDetail(ContactDetailQuery {
                field_citizen_id: FieldMode::Required,
                field_name: FieldMode::Required,
                field_address: FieldMode::Hidden,
                field_care_of: FieldMode::Hidden,
                field_phone: FieldMode::Hidden,
                field_mobile_phone: FieldMode::Visible,
                field_email: FieldMode::Visible,
                // The municipality reaches the other signer by e-mail or SMS.
                require_at_least_one_contact_way: true,
                require_mobile_phone_or_phone: false,
                allow_sms: false,
                signs: None,
                manual_multi_sign: Some(ManualMultiSign {
                    hide_citizen_identifier_in_pdf: bean.child_bool("hideCitizenIdetifierInPDF"),
                    set_multiparts_as_owners: bean.child_bool("setMultipartsAsOwners"),
                    prevent_posters_citizen_identifier: bean
                        .child_bool("preventPostersCitizenIdentifier"),
                    require_contact_info_verification: bean
                        .child_bool("requireContactInfoVerification"),
                }),
            }),
            "OrganizationDetailQuery" => {
                let d = OrganizationDetailQuery::default();
                QueryKind::OrganizationDetail(OrganizationDetailQuery {
                    field_address: mode(bean, "fieldAddress", d.field_address),
                    field_email: mode(bean, "fieldEmail", d.field_email),
                    field_mobile_phone: mode(bean, "fieldMobilePhone", d.field_mobile_phone),
                    field_phone: mode(bean, "fieldPhone", d.field_phone),
                    validate_zip_code: bean.child_bool("validateZipCode"),
                    require_email_or_mobile: bean.child_bool("requireEmailOrMobile"),
                    allow_sms: bean.child_bool("allowSMS"),
                })
            }
            "FileInfoQuery" => QueryKind::FileInfo(FileInfoQuery {
                files: bean
                    .path("Files/FileDescriptor")
                    .into_iter()
                    .filter_map(|f| {
                        Some(InfoFile {
                            name: f.child_text("name")?,
                            size: f.child_u64("size"),
                        })
                    })
                    .collect(),
            }),
            "StopQuery" => QueryKind::Stop(StopQuery {
                display_validation_error: bean.child_bool("displayValidationError"),
            }),
            GROUP_ELEMENT => QueryKind::RepeatingGroup(RepeatingGroup {
                min_rows: bean.child_u32("minRows").unwrap_or(0),
                max_rows: bean.child_u32("maxRows"),
                add_row_text: bean.child_text("addRowText"),
                queries: self.descriptors(bean)?,
            }),
            _ => QueryKind::Unknown(UnknownQuery {
                element: bean.name.clone(),
                query_type_id: type_id.to_string(),
                xml: self.src[bean.span.clone()].to_string(),
            }),
        })
    }

    fn alternatives(&self, bean: &Element, item: &str) -> Result<Vec<Alternative>, OeflowError> {
        sorted(bean.path(&format!("Alternatives/{item}")))
            .into_iter()
            .map(|a| {
                Ok(Alternative {
                    id: self.required(a, "alternativeID")?,
                    alias: None,
                    name: self.required(a, "name")?,
                    // A legacy <value> wins over <xmlValue>, as in OeP.
                    xml_value: a.child_text("value").or_else(|| a.child_text("xmlValue")),
                    price: a.child_text("price").and_then(|p| p.parse().ok()),
                })
            })
            .collect()
    }

    fn evaluator(&self, e: &Element) -> Result<Evaluator, OeflowError> {
        let id = self.required(e, "evaluatorID")?;
        let type_id = e.child_text("evaluatorTypeID").unwrap_or_default();
        let bean = e
            .elements()
            .filter(|c| {
                ![
                    "evaluatorID",
                    "name",
                    "comment",
                    "sortIndex",
                    "evaluatorTypeID",
                    "enabled",
                    "TargetQueryIDs",
                ]
                .contains(&c.name.as_str())
            })
            .last()
            .ok_or_else(|| self.err(e, format!("villkor {id} saknar sitt villkorselement")))?;
        let rule = if bean.name == QUERY_STATE_EVALUATOR {
            let state = match bean.child_text("queryState") {
                Some(s) => Some(QueryState::from_oep(&s).ok_or_else(|| {
                    self.err(bean, format!("villkor {id}: okänt queryState \"{s}\""))
                })?),
                None => None,
            };
            EvaluatorRule::QueryState {
                selection_mode: match bean.child_text("selectionMode").as_deref() {
                    Some("ALL") => SelectionMode::All,
                    _ => SelectionMode::Any,
                },
                alternatives: bean.list("RequiredAlternativeIDs", "alternativeID"),
                free_text: bean.child_bool("freeTextAlternative"),
                state,
                do_not_reset: bean.child_bool("doNotResetQueryState"),
            }
        } else {
            EvaluatorRule::Unknown {
                element: bean.name.clone(),
                evaluator_type_id: type_id,
                xml: self.src[bean.span.clone()].to_string(),
            }
        };
        Ok(Evaluator {
            id,
            name: e.child_text("name").unwrap_or_default(),
            // OeP writes `enabled` always; a missing one reads as false there too.
            enabled: e.child_bool("enabled"),
            targets: e.list("TargetQueryIDs", "queryID"),
            rule,
        })
    }
}

fn known_element(name: &str) -> Option<&'static str> {
    KNOWN_TYPES
        .iter()
        .find(|(e, _)| *e == name)
        .map(|(e, _)| *e)
}

/// Type ids are admin-editable and map queries get a `.<moduleID>` suffix, so match on the
/// class name with those parts removed.
fn known_element_for_type_id(type_id: &str) -> Option<&'static str> {
    let trimmed = type_id.trim_end_matches(|c: char| c.is_ascii_digit());
    let trimmed = trimmed.strip_suffix('.').unwrap_or(type_id);
    let class = trimmed.rsplit('.').next()?;
    let base = class
        .strip_suffix("ProviderModule")
        .or_else(|| class.strip_suffix("Provider"))?;
    KNOWN_TYPES
        .iter()
        .find(|(e, _)| *e == base)
        .map(|(e, _)| *e)
}

fn type_id_for(element: &str) -> &'static str {
    KNOWN_TYPES
        .iter()
        .find(|(e, _)| *e == element)
        .map_or("", |(_, t)| *t)
}

fn sorted(mut items: Vec<&Element>) -> Vec<&Element> {
    // Stable, so elements without sortIndex keep document order.
    items.sort_by_key(|e| {
        e.child_text("sortIndex")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(i64::MAX)
    });
    items
}

fn columns(bean: &Element) -> Columns {
    match bean.child_text("columns").as_deref() {
        Some("TWO") => Columns::Two,
        Some("THREE") => Columns::Three,
        _ => Columns::One,
    }
}

fn mode(bean: &Element, name: &str, default: FieldMode) -> FieldMode {
    bean.child_text(name)
        .and_then(|s| FieldMode::from_oep(&s))
        .unwrap_or(default)
}

/// Reads a `.oeflow` file's bytes (any declared encoding).
pub fn import(bytes: &[u8]) -> Result<Flow, OeflowError> {
    let src = xml::decode(bytes)?;
    let root = xml::parse(&src)?;
    Reader { src: &src }.flow(&root)
}

/// Writes a flow as a `.oeflow` document (UTF-8) in the element order OeP writes.
///
/// Open ePlatform has no repeating query, so a repeating group goes out as the numbered copies
/// and evaluators that OeP authors write by hand (`flow::numbered`); an OeP installation imports
/// it as an ordinary flow, and its cases have the same elements as etjanst's.
pub fn export(flow: &Flow) -> String {
    let flow = &super::numbered::expand(flow);
    let mut w = Writer::new();
    w.start("Flow");
    w.text("flowID", &flow.id);
    w.text("name", &flow.name);
    w.text("version", &flow.version.to_string());
    if let Some(icon) = &flow.icon {
        w.text("iconFileName", &icon.file_name);
    }
    w.bool("enabled", true);
    w.bool("requireAuthentication", flow.requires_authentication);
    w.bool("requireSigning", flow.requires_signing);
    list(&mut w, "Tags", "tag", &flow.tags);
    list(&mut w, "Checks", "check", &flow.checks);
    if let Some(category) = &flow.category {
        w.start("Category");
        w.text("name", category);
        w.end();
    }
    w.start("FlowFamily");
    w.opt_text("flowFamilyID", flow.family_id.as_deref());
    if let Some(c) = &flow.contact {
        w.opt_text("contactName", c.name.as_deref());
        w.opt_text("contactEmail", c.email.as_deref());
        w.opt_text("contactPhone", c.phone.as_deref());
        w.opt_text("contactWebAddress", c.web_address.as_deref());
    }
    list(&mut w, "Aliases", "Alias", &flow.aliases);
    w.end();
    w.opt_text("externalLink", flow.external_link.as_deref());
    w.bool("skipOverview", flow.long_description.is_none());
    if !flow.steps.is_empty() {
        w.start("Steps");
        for (i, step) in flow.steps.iter().enumerate() {
            w.start("Step");
            w.text("stepID", &step.id);
            w.text("name", &step.name);
            w.text("sortIndex", &i.to_string());
            descriptors(&mut w, &step.queries);
            w.end();
        }
        w.end();
    }
    if !flow.forms.is_empty() {
        w.start("FlowForms");
        for form in &flow.forms {
            w.start("FlowForm");
            w.opt_text("name", form.name.as_deref());
            w.opt_text("externalURL", form.external_url.as_deref());
            w.text("fileExtension", &form.file_extension);
            if let (None, Some(data)) = (&form.external_url, &form.data) {
                w.cdata(
                    "file",
                    &base64::engine::general_purpose::STANDARD.encode(data),
                );
            }
            w.end();
        }
        w.end();
    }
    w.text("shortDescription", &flow.short_description);
    w.opt_text("longDescription", flow.long_description.as_deref());
    w.opt_text("submittedMessage", flow.submitted_message.as_deref());
    if let Some(c) = flow
        .contact
        .as_ref()
        .filter(|c| !c.postal_address.is_empty())
    {
        w.start("OverviewAttributes");
        w.start("FlowOverviewAttribute");
        w.text("name", POSTAL_ADDRESS_ATTRIBUTE);
        w.text("value", &c.postal_address.join("\n"));
        w.text("sortIndex", "0");
        w.end();
        w.end();
    }
    if let Some(icon) = &flow.icon {
        w.text(
            "icon",
            &base64::engine::general_purpose::STANDARD.encode(&icon.data),
        );
    }
    w.finish()
}

fn list(w: &mut Writer, wrapper: &str, item: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    w.start(wrapper);
    for v in values {
        w.text(item, v);
    }
    w.end();
}

fn descriptors(w: &mut Writer, queries: &[Query]) {
    if queries.is_empty() {
        return;
    }
    w.start("QueryDescriptors");
    for (i, q) in queries.iter().enumerate() {
        descriptor(w, q, i);
    }
    w.end();
}

fn descriptor(w: &mut Writer, q: &Query, sort_index: usize) {
    w.start("QueryDescriptor");
    w.text("queryID", &q.id);
    w.text("name", &q.name);
    w.opt_text("comment", q.comment.as_deref());
    w.text("sortIndex", &sort_index.to_string());
    w.text("defaultQueryState", q.default_state.as_oep());
    let type_id = match &q.kind {
        QueryKind::Unknown(u) => u.query_type_id.clone(),
        _ => type_id_for(&bean_element(&q.kind)).to_string(),
    };
    w.text("queryTypeID", &type_id);
    w.bool("exported", q.exported);
    w.opt_text("xsdElementName", q.xsd_element_name.as_deref());
    if !q.evaluators.is_empty() {
        w.start("EvaluatorDescriptors");
        for (i, ev) in q.evaluators.iter().enumerate() {
            evaluator(w, ev, i);
        }
        w.end();
    }
    w.bool("mergeWithPreviousQuery", q.merge_with_previous);
    bean(w, q);
    w.end();
}

fn bean_element(kind: &QueryKind) -> String {
    match kind {
        QueryKind::RepeatingGroup(_) => GROUP_ELEMENT.to_string(),
        QueryKind::Unknown(u) => u.element.clone(),
        QueryKind::ContactDetail(c) if c.manual_multi_sign.is_some() => {
            "ManualMultiSignQuery".to_string()
        }
        other => format!("{}Query", other.type_name()),
    }
}

fn bean(w: &mut Writer, q: &Query) {
    let element = bean_element(&q.kind);
    match &q.kind {
        QueryKind::Unknown(u) => {
            w.raw(&u.xml);
            return;
        }
        _ => w.start(&element),
    }
    w.text("queryID", &q.id);
    match &q.kind {
        QueryKind::TextField(t) => {
            w.text(
                "layout",
                match t.layout {
                    FieldLayout::Float => "FLOAT",
                    FieldLayout::NewLine => "NEW_LINE",
                    FieldLayout::NewLineFullWidth => "NEW_LINE_FULL_WIDTH",
                },
            );
            w.start("Fields");
            for (i, f) in t.fields.iter().enumerate() {
                w.start("TextField");
                w.text("textFieldID", &f.id);
                w.text("label", &f.label);
                w.bool("disabled", f.disabled);
                w.opt_text("defaultValue", f.default_value.as_deref());
                w.bool("required", f.required);
                opt_num(w, "width", f.width);
                opt_num(w, "minContentLength", f.min_length);
                opt_num(w, "maxContentLength", f.max_length);
                w.text("sortIndex", &i.to_string());
                w.bool("maskFieldContent", f.mask_field_content);
                w.opt_text("formatValidator", f.format_validator.as_deref());
                w.opt_text("invalidFormatMessage", f.invalid_format_message.as_deref());
                w.opt_text("placeholderText", f.placeholder.as_deref());
                w.opt_text("xsdElementName", f.xsd_element_name.as_deref());
                w.end();
            }
            w.end();
        }
        QueryKind::TextArea(t) => {
            opt_num(w, "maxLength", t.max_length);
            opt_num(w, "rows", t.rows);
            w.bool("showLetterCount", t.show_letter_count);
        }
        QueryKind::RadioButton(c) => {
            alternatives(w, "RadioButtonAlternative", &c.alternatives);
            w.opt_text("freeTextAlternative", c.free_text_alternative.as_deref());
            w.text("columns", columns_name(c.columns));
        }
        QueryKind::Checkbox(c) => {
            opt_num(w, "minChecked", c.min_checked);
            opt_num(w, "maxChecked", c.max_checked);
            alternatives(w, "CheckboxAlternative", &c.alternatives);
            w.opt_text("freeTextAlternative", c.free_text_alternative.as_deref());
            w.text("columns", columns_name(c.columns));
        }
        QueryKind::DropDown(c) => {
            w.opt_text("shortDescription", c.short_description.as_deref());
            alternatives(w, "DropDownAlternative", &c.alternatives);
            w.opt_text("freeTextAlternative", c.free_text_alternative.as_deref());
        }
        QueryKind::FileUpload(f) => {
            opt_num(w, "maxFileCount", f.max_file_count);
            opt_num(w, "maxFileSize", f.max_file_size);
            opt_num(w, "maxQuerySize", f.max_query_size);
            opt_num(w, "maxFileNameLength", f.max_file_name_length);
            list(w, "allowedFileExtensions", "value", &f.allowed_extensions);
            w.bool("excludeFileContentFromXML", f.exclude_file_content_from_xml);
        }
        QueryKind::ContactDetail(ContactDetailQuery {
            manual_multi_sign: Some(m),
            ..
        }) => {
            w.bool(
                "hideCitizenIdetifierInPDF",
                m.hide_citizen_identifier_in_pdf,
            );
            w.bool("setMultipartsAsOwners", m.set_multiparts_as_owners);
            w.bool(
                "preventPostersCitizenIdentifier",
                m.prevent_posters_citizen_identifier,
            );
            w.bool(
                "requireContactInfoVerification",
                m.require_contact_info_verification,
            );
        }
        QueryKind::ContactDetail(c) => {
            w.bool("allowSMS", c.allow_sms);
            w.bool("requireMobilePhoneOrPhone", c.require_mobile_phone_or_phone);
            w.bool(
                "requireAtLeastOneContactWay",
                c.require_at_least_one_contact_way,
            );
            w.text("fieldCitizenID", c.field_citizen_id.as_oep());
            w.text("fieldName", c.field_name.as_oep());
            w.text("fieldAddress", c.field_address.as_oep());
            w.text("fieldPhone", c.field_phone.as_oep());
            w.text("fieldMobilePhone", c.field_mobile_phone.as_oep());
            w.text("fieldEmail", c.field_email.as_oep());
            w.text("fieldCareOf", c.field_care_of.as_oep());
        }
        QueryKind::OrganizationDetail(o) => {
            w.bool("allowSMS", o.allow_sms);
            w.bool("requireEmailOrMobile", o.require_email_or_mobile);
            w.bool("validateZipCode", o.validate_zip_code);
            w.text("fieldAddress", o.field_address.as_oep());
            w.text("fieldEmail", o.field_email.as_oep());
            w.text("fieldMobilePhone", o.field_mobile_phone.as_oep());
            w.text("fieldPhone", o.field_phone.as_oep());
        }
        QueryKind::FileInfo(f) => {
            if !f.files.is_empty() {
                w.start("Files");
                for file in &f.files {
                    w.start("FileDescriptor");
                    w.text("name", &file.name);
                    opt_num(w, "size", file.size);
                    w.end();
                }
                w.end();
            }
        }
        QueryKind::Stop(s) => w.bool("displayValidationError", s.display_validation_error),
        QueryKind::RepeatingGroup(g) => {
            w.text("minRows", &g.min_rows.to_string());
            opt_num(w, "maxRows", g.max_rows);
            w.opt_text("addRowText", g.add_row_text.as_deref());
            descriptors(w, &g.queries);
        }
        QueryKind::Unknown(_) => {}
    }
    w.opt_cdata("description", q.description.as_deref());
    w.opt_cdata("helpText", q.help_text.as_deref());
    w.end();
}

fn opt_num<T: ToString>(w: &mut Writer, name: &str, v: Option<T>) {
    if let Some(v) = v {
        w.text(name, &v.to_string());
    }
}

fn columns_name(c: Columns) -> &'static str {
    match c {
        Columns::One => "ONE",
        Columns::Two => "TWO",
        Columns::Three => "THREE",
    }
}

fn alternatives(w: &mut Writer, item: &str, alts: &[Alternative]) {
    w.start("Alternatives");
    for (i, a) in alts.iter().enumerate() {
        w.start(item);
        w.text("alternativeID", &a.id);
        w.text("name", &a.name);
        w.opt_text("xmlValue", a.xml_value.as_deref());
        w.text("sortIndex", &i.to_string());
        opt_num(w, "price", a.price);
        w.end();
    }
    w.end();
}

fn evaluator(w: &mut Writer, ev: &Evaluator, sort_index: usize) {
    w.start("EvaluatorDescriptor");
    w.text("evaluatorID", &ev.id);
    w.text("name", &ev.name);
    w.text("sortIndex", &sort_index.to_string());
    let type_id = match &ev.rule {
        EvaluatorRule::QueryState { .. } => QUERY_STATE_EVALUATOR_TYPE,
        EvaluatorRule::Unknown {
            evaluator_type_id, ..
        } => evaluator_type_id.as_str(),
    };
    w.text("evaluatorTypeID", type_id);
    w.bool("enabled", ev.enabled);
    list(w, "TargetQueryIDs", "queryID", &ev.targets);
    match &ev.rule {
        EvaluatorRule::QueryState {
            selection_mode,
            alternatives,
            free_text,
            state,
            do_not_reset,
        } => {
            w.start(QUERY_STATE_EVALUATOR);
            w.text(
                "selectionMode",
                match selection_mode {
                    SelectionMode::Any => "ANY",
                    SelectionMode::All => "ALL",
                },
            );
            list(w, "RequiredAlternativeIDs", "alternativeID", alternatives);
            w.bool("freeTextAlternative", *free_text);
            if let Some(s) = state {
                w.text("queryState", s.as_oep());
            }
            w.bool("doNotResetQueryState", *do_not_reset);
            w.bool("forceReload", false);
            w.end();
        }
        EvaluatorRule::Unknown { xml, .. } => w.raw(xml),
    }
    w.end();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_id_suffixes_are_matched() {
        assert_eq!(
            known_element_for_type_id(
                "com.nordicpeak.flowengine.queries.textareaquery.TextAreaQueryProviderModule"
            ),
            Some("TextAreaQuery")
        );
        assert_eq!(
            known_element_for_type_id("se.example.custom.StopQueryProvider.57"),
            Some("StopQuery")
        );
        assert_eq!(known_element_for_type_id("12"), None);
    }
}
