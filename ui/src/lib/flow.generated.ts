// Generated from forms/flow.schema.json by `npm run types`: do not edit.

/**
 * One question (OeP `QueryDescriptor` with its type-specific bean).
 */
export type Query = ({
/**
 * A readable name that answers files and messages may use instead of the id.
 */
alias?: (string | null)
/**
 * Admin note; never shown to citizens.
 */
comment?: (string | null)
/**
 * OeP's three query states.
 */
defaultState?: ("VISIBLE" | "VISIBLE_REQUIRED" | "HIDDEN")
/**
 * HTML.
 */
description?: (string | null)
evaluators?: Evaluator[]
/**
 * Included in the submitted-case XML under `xsdElementName`.
 */
exported?: boolean
/**
 * HTML.
 */
helpText?: (string | null)
/**
 * OeP `queryID`: a positive integer, unique in the flow.
 */
id: number
mergeWithPrevious?: boolean
/**
 * The label.
 */
name: string
xsdElementName?: (string | null)
} & Query1)
export type EvaluatorRule = ({
/**
 * Alternative ids of the source query.
 */
alternatives?: number[]
/**
 * Once fired, the targets keep the state even when the rule stops firing.
 */
doNotReset?: boolean
/**
 * The free-text alternative counts as one of the listed alternatives.
 */
freeText?: boolean
selectionMode?: ("ANY" | "ALL")
/**
 * State applied to the targets while the rule fires; none leaves them alone.
 */
state?: (QueryState | null)
type: "QueryState"
} | {
element: string
evaluatorTypeId: string
type: "Unknown"
xml: string
})
/**
 * OeP's three query states.
 */
export type QueryState = ("VISIBLE" | "VISIBLE_REQUIRED" | "HIDDEN")
export type Query1 = ((TextFieldQuery & {
type: "TextField"
}) | (TextAreaQuery & {
type: "TextArea"
}) | (ChoiceQuery & {
type: "RadioButton"
}) | (CheckboxQuery & {
type: "Checkbox"
}) | (DropDownQuery & {
type: "DropDown"
}) | (FileUploadQuery & {
type: "FileUpload"
}) | (ContactDetailQuery & {
type: "ContactDetail"
}) | (OrganizationDetailQuery & {
type: "OrganizationDetail"
}) | (FileInfoQuery & {
type: "FileInfo"
}) | (StopQuery & {
type: "Stop"
}) | (RepeatingGroup & {
type: "RepeatingGroup"
}) | (UnknownQuery & {
type: "Unknown"
}))

/**
 * One version of an e-service's form.
 */
export interface Flow {
/**
 * Short names the CLI and the catalogue also accept (OeP family aliases).
 */
aliases?: string[]
category?: (string | null)
/**
 * "Krav för e-tjänsten": checklist shown before starting.
 */
checks?: string[]
/**
 * Who handles the case; printed forms use it as the postal address.
 */
contact?: (Contact | null)
/**
 * An external flow only links elsewhere and has no steps.
 */
externalLink?: (string | null)
/**
 * Stable identity across versions (OeP `FlowFamily/flowFamilyID`), an integer.
 */
familyId?: (number | null)
/**
 * PDF "blanketter" (OeP `FlowForm`).
 */
forms?: FlowForm[]
/**
 * Catalogue icon, base64 in JSON.
 */
icon?: (Icon | null)
/**
 * Flow (version) id, OeP `flowID`: a positive integer, unique in a catalogue.
 */
id: number
longDescription?: (string | null)
name: string
requiresAuthentication?: boolean
requiresSigning?: boolean
/**
 * HTML, unsanitised as authored.
 */
shortDescription?: string
steps?: Step[]
submittedMessage?: (string | null)
tags?: string[]
version?: number
}
export interface Contact {
email?: (string | null)
name?: (string | null)
phone?: (string | null)
/**
 * Postal address lines for forms sent by post (etjanst extension; OeP has no field).
 */
postalAddress?: string[]
webAddress?: (string | null)
}
export interface FlowForm {
/**
 * Either an external URL or embedded file content.
 */
externalUrl?: (string | null)
/**
 * Relative path of the file beside the flow definition (JSON flows).
 */
file?: (string | null)
fileExtension?: string
name?: (string | null)
}
export interface Icon {
data: string
fileName: string
}
export interface Step {
id: number
name: string
queries?: Query[]
}
/**
 * OeP `EvaluatorDescriptor`.
 */
export interface Evaluator {
enabled?: boolean
id: number
name?: string
rule: EvaluatorRule
/**
 * Ids of later queries whose state this evaluator sets.
 */
targets: number[]
}
export interface TextFieldQuery {
fields: TextField[]
layout?: ("FLOAT" | "NEW_LINE" | "NEW_LINE_FULL_WIDTH")
}
export interface TextField {
alias?: (string | null)
defaultValue?: (string | null)
disabled?: boolean
/**
 * OeP validator class name (e.g. `se.unlogic.standardutils.populators.SocialSecurityPopulator`)
 * or an etjanst short name (`personnummer`, `epost`, …); see `ids::Format`.
 */
formatValidator?: (string | null)
/**
 * OeP `textFieldID`.
 */
id: number
invalidFormatMessage?: (string | null)
label: string
maskFieldContent?: boolean
maxLength?: (number | null)
minLength?: (number | null)
placeholder?: (string | null)
/**
 * Enforced only while the query is VISIBLE_REQUIRED (as in OeP).
 */
required?: boolean
width?: (number | null)
xsdElementName?: (string | null)
}
export interface TextAreaQuery {
maxLength?: (number | null)
rows?: (number | null)
showLetterCount?: boolean
}
/**
 * RadioButtonQuery.
 */
export interface ChoiceQuery {
alternatives: Alternative[]
columns?: ("ONE" | "TWO" | "THREE")
/**
 * Label of an "Annat:" choice with free text.
 */
freeTextAlternative?: (string | null)
}
export interface Alternative {
alias?: (string | null)
/**
 * OeP `alternativeID`.
 */
id: number
name: string
price?: (number | null)
/**
 * Value written to the submitted-case XML instead of the name.
 */
xmlValue?: (string | null)
}
export interface CheckboxQuery {
alternatives: Alternative[]
columns?: ("ONE" | "TWO" | "THREE")
freeTextAlternative?: (string | null)
maxChecked?: (number | null)
minChecked?: (number | null)
}
export interface DropDownQuery {
alternatives: Alternative[]
freeTextAlternative?: (string | null)
/**
 * Text of the empty first option.
 */
shortDescription?: (string | null)
}
export interface FileUploadQuery {
/**
 * Lower-case extensions without the dot; empty allows any.
 */
allowedExtensions?: string[]
/**
 * OeP `excludeFileContentFromXML`: the case XML names the files but carries no content.
 */
excludeFileContentFromXml?: boolean
maxFileCount?: (number | null)
maxFileNameLength?: (number | null)
/**
 * Bytes (as in the `.oeflow`, not MB).
 */
maxFileSize?: (number | null)
/**
 * Bytes, all files together.
 */
maxQuerySize?: (number | null)
}
/**
 * ContactDetailQuery (private person). Defaults are OeP's import defaults.
 */
export interface ContactDetailQuery {
/**
 * OeP `allowSMS`: the citizen may ask to be contacted by SMS (`ContactBySMS`).
 */
allowSms?: boolean
/**
 * Per-field visibility of contact queries (OeP ContactDetailQueryField).
 */
fieldAddress?: ("HIDDEN" | "VISIBLE" | "REQUIRED")
/**
 * Per-field visibility of contact queries (OeP ContactDetailQueryField).
 */
fieldCareOf?: ("HIDDEN" | "VISIBLE" | "REQUIRED")
/**
 * Per-field visibility of contact queries (OeP ContactDetailQueryField).
 */
fieldCitizenId?: ("HIDDEN" | "VISIBLE" | "REQUIRED")
/**
 * Per-field visibility of contact queries (OeP ContactDetailQueryField).
 */
fieldEmail?: ("HIDDEN" | "VISIBLE" | "REQUIRED")
/**
 * Per-field visibility of contact queries (OeP ContactDetailQueryField).
 */
fieldMobilePhone?: ("HIDDEN" | "VISIBLE" | "REQUIRED")
/**
 * Per-field visibility of contact queries (OeP ContactDetailQueryField).
 */
fieldName?: ("HIDDEN" | "VISIBLE" | "REQUIRED")
/**
 * Per-field visibility of contact queries (OeP ContactDetailQueryField).
 */
fieldPhone?: ("HIDDEN" | "VISIBLE" | "REQUIRED")
/**
 * Open ePlatform's ManualMultiSignQuery ("Flerpartssigneringsfråga"): the applicant names
 * another person who must sign (first and last name, e-mail, mobile phone, personnummer).
 * etjanst fills it as these contact details, signed in the role of the query's name, and
 * writes it back to `.oeflow` and into the case XML in its own shape (`case-xml.md` §4.8).
 */
manualMultiSign?: (ManualMultiSign | null)
requireAtLeastOneContactWay?: boolean
requireMobilePhoneOrPhone?: boolean
/**
 * The person this query names must sign the application too, in this role ("Vårdnadshavare
 * 2", "Medsökande"): etjanst's equivalent of Open ePlatform's multi-signing queries. Only
 * when the query is shown and its personnummer given.
 */
signs?: (string | null)
}
/**
 * The settings of Open ePlatform's ManualMultiSignQuery, kept for the round trip and the case.
 */
export interface ManualMultiSign {
/**
 * `hideCitizenIdetifierInPDF`: the signer's personnummer is left out of the PDF.
 */
hideCitizenIdentifierInPdf?: boolean
/**
 * The signer may not be the applicant (their personnummer differs).
 */
preventPostersCitizenIdentifier?: boolean
requireContactInfoVerification?: boolean
setMultipartsAsOwners?: boolean
}
/**
 * OrganizationDetailQuery. Name and organisation number are always asked for.
 */
export interface OrganizationDetailQuery {
/**
 * OeP `allowSMS`.
 */
allowSms?: boolean
/**
 * Per-field visibility of contact queries (OeP ContactDetailQueryField).
 */
fieldAddress?: ("HIDDEN" | "VISIBLE" | "REQUIRED")
/**
 * Per-field visibility of contact queries (OeP ContactDetailQueryField).
 */
fieldEmail?: ("HIDDEN" | "VISIBLE" | "REQUIRED")
/**
 * Per-field visibility of contact queries (OeP ContactDetailQueryField).
 */
fieldMobilePhone?: ("HIDDEN" | "VISIBLE" | "REQUIRED")
/**
 * Per-field visibility of contact queries (OeP ContactDetailQueryField).
 */
fieldPhone?: ("HIDDEN" | "VISIBLE" | "REQUIRED")
requireEmailOrMobile?: boolean
validateZipCode?: boolean
}
/**
 * Information text (the query's description) with downloadable files listed.
 */
export interface FileInfoQuery {
files?: InfoFile[]
}
export interface InfoFile {
name: string
size?: (number | null)
}
/**
 * Always fails full validation while visible: an eligibility stop. The description says why.
 */
export interface StopQuery {
displayValidationError?: boolean
}
/**
 * etjanst extension: rows of the same sub-queries (OeP authors fake this with numbered copies).
 */
export interface RepeatingGroup {
/**
 * Button text, e.g. "Lägg till person".
 */
addRowText?: (string | null)
maxRows?: (number | null)
minRows?: number
/**
 * Sub-queries of one row; they cannot carry evaluators or nest groups.
 */
queries: Query[]
}
/**
 * A query type etjanst does not know. The raw XML is written back unchanged on export.
 */
export interface UnknownQuery {
/**
 * Element name of the query bean, e.g. `GeneralMapQuery`.
 */
element: string
queryTypeId: string
/**
 * The query bean element exactly as read.
 */
xml: string
}
