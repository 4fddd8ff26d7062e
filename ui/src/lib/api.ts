// Every call into the core goes through here. The window never decides a rule: it asks.
import type * as F from './flow.generated';
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

export type QueryState = 'VISIBLE' | 'VISIBLE_REQUIRED' | 'HIDDEN';
export type FieldMode = 'HIDDEN' | 'VISIBLE' | 'REQUIRED';

export interface Capabilities {
  fillOffline: boolean;
  partlyOnline: boolean;
  print: boolean;
  submitOnline: boolean;
  needsEid: boolean;
  blankett: boolean;
  webOnly: boolean;
}

export interface Entry {
  id: string;
  handle: string;
  aliases: string[];
  name: string;
  category: string;
  site: string;
  siteName: string;
  capabilities: Capabilities;
  url?: string;
}

export interface Site {
  url: string;
  name: string;
  count: number;
  embedded: boolean;
  syncedAt: number | null;
  bundleKey: string | null;
}

export interface Home {
  sites: Site[];
  site: string;
  categories: { name: string; count: number }[];
  entries: Entry[];
  phone: string | null;
}

export interface Contact {
  name?: string;
  email?: string;
  phone?: string;
  webAddress?: string;
  postalAddress?: string[];
}

export interface ServicePage {
  entry: Entry;
  description: string;
  requiresAuthentication: boolean;
  requiresSigning: boolean;
  checks: string[];
  blanketter: { name: string; index: number; fillable: boolean }[];
  contact: Contact | null;
  flowId: string | null;
  asksPersonalData: boolean;
  phone: string | null;
  /** Questions only the municipality's website can answer (the core's list). */
  webOnlyQuestions: string[];
}

/// The flow format's types, generated from the core's JSON Schema (`npm run types`), with every
/// `id` made text as the window holds them (`textIds`): what the query components are given.
export type TextIds<T> = T extends (infer U)[]
  ? TextIds<U>[]
  : T extends object
    ? { [K in keyof T]: K extends 'id' ? string : TextIds<T[K]> }
    : T;
export type Alternative = TextIds<F.Alternative>;
export type TextField = TextIds<F.TextField>;
export type Query = TextIds<F.Query>;
export type QueryType = Query['type'];
/// The query of one type, with the fields that type has.
export type QueryOf<K extends QueryType> = Extract<Query, { type: K }>;
export type Step = TextIds<F.Step>;
export type Flow = TextIds<F.Flow>;

export interface FormView {
  flow: Flow;
  labels: Record<string, string>;
  asksPersonalData: boolean;
  /** The application can be sent from here (its site names a gateway). */
  submitOnline: boolean;
  /** How each text field with a format is typed, and its hint, by field id (the core's). */
  inputs: Record<string, FieldInput>;
  /** Where the questions only the web can answer are answered. */
  webUrl: string;
  /** The shown fields of each contact and organisation question, by question id (the core's). */
  persons: Record<string, PersonField[]>;
}

/** One field of a contact or organisation question: answer key, label, mode, how it is typed. */
export interface PersonField extends FieldInput {
  name: string;
  label: string;
  mode: FieldMode;
}

/** The core's answer to "how is this field typed": HTML type, keyboard, autocomplete, hint. */
export interface FieldInput {
  type: string;
  inputmode?: string;
  autocomplete?: string;
  hint?: string;
}

export interface Issue {
  query: string;
  field?: string;
  row?: number;
  code: string;
  message: string;
  label: string;
}

export type Answers = Record<string, unknown>;

export interface Evaluation {
  states: Record<string, QueryState>;
  answers: Answers;
  issues: Issue[];
  /// Per step: its full check passes (nothing in it stands in the way).
  stepsDone: boolean[];
  /// The fields whose answer is still the citizen's own, from Mina uppgifter.
  fromProfile: { query: string; field: string }[];
  /// The applicant's question, when what was typed there is not in Mina uppgifter yet.
  offerProfile: string | null;
}

/// The app's accessibility statement, made by the core from what CI measures.
export interface StatementView {
  title: string;
  conformance: 'full' | 'partial' | 'not';
  sections: { heading: string; paragraphs: string[]; items?: string[]; link?: { text: string; href: string } }[];
}

/// The citizen's own details ("Mina uppgifter"), the core's `etjanst::profile::Profile`.
export interface Profile {
  firstName?: string;
  lastName?: string;
  personnummer?: string;
  careOf?: string;
  address?: string;
  zipCode?: string;
  postalAddress?: string;
  phone?: string;
  mobilePhone?: string;
  email?: string;
  organizationName?: string;
  organizationNumber?: string;
}

/// The answers as the review shows them and the PDF prints them (the core's summary rows).
export interface SummaryStep {
  index: number;
  name: string;
  rows: SummaryRow[];
}
/// The review's rows and what the posted paper adds: files to enclose, who signs, where to.
export interface Paper {
  steps: SummaryStep[];
  attachments: string[];
  signers: { role: string; name: string | null }[];
  postTo: string[];
  phone: string | null;
  publisher: string;
}
export interface SummaryRow {
  query: string;
  question: string;
  lines: SummaryLine[];
  answered: boolean;
}
export interface SummaryLine {
  label?: string;
  value: string;
  /// The line as the paper prints it ("Ort: Lindesberg").
  text: string;
  masked?: boolean;
  heading?: boolean;
}

export interface DraftHeader {
  flowId: string;
  flowVersion: number;
  serviceName: string;
  title: string;
  currentStep: number;
  created: number;
  updated: number;
  editing: boolean;
}

export interface DraftView {
  id: string;
  updated: number;
  damaged: boolean;
  header: DraftHeader | null;
  /** A PDF blankett's draft: which one. */
  blankett: { serviceId: string; index: number } | null;
}

/** A value of a blankett's field: text, a choice, a radio state, or a check box's tick. */
export type BlankettValue = string | boolean;
export type BlankettValues = Record<string, BlankettValue>;

export interface BlankettField {
  name: string;
  kind: 'text' | 'check' | 'radio' | 'choice' | 'signature';
  label?: string;
  value?: string;
  options?: { value: string; label: string }[];
  multiline: boolean;
  comb: boolean;
  maxLen?: number;
  required: boolean;
  readOnly: boolean;
  editable: boolean;
  format?: string;
  page: number;
}

export interface BlankettView {
  name: string;
  serviceName: string;
  kind: 'plain' | 'fields' | 'hybrid_xfa' | 'dynamic_xfa';
  fields: BlankettField[];
  pages: number;
  scripts: boolean;
  fillable: boolean;
  whyNot: string | null;
  draft: OpenDraft | null;
}

export interface FormatIssue {
  field: string;
  message: string;
}

export interface OpenDraft {
  id: string;
  flowId: string;
  step: number;
  answers: Answers;
  updated: number;
}

export interface VaultStatus {
  unlocked: boolean;
  created: boolean;
  hasPassphrase: boolean;
  hasKeychain: boolean;
  keychainAvailable: boolean;
}

export interface Settings {
  language: 'sv' | 'en';
  textSize: number;
  highContrast: boolean;
  protectedNoticeSeen: boolean;
  window?: unknown;
  gateway: string;
  /// Minutes without input before the drafts lock themselves; 0: never.
  lockAfterMinutes: number;
  /// The citizen said yes to looking for new versions (at most once a day).
  updates: boolean;
  updateChecked?: number | null;
  updateUrl?: string;
  updateCa?: string;
}

/** A new version of etjanst, signed; `notes` is what changed, in Swedish, as plain text. */
export interface Available {
  version: string;
  current: string;
  notes: string;
  date: string | null;
}

export interface Startup {
  settings: Settings;
  vault: VaultStatus;
  phone: string | null;
  siteName: string;
  warnings: string[];
}

export interface Made {
  ok: boolean;
  issues: Issue[];
  pages: number;
  bytes: number;
  fileName: string;
  message: string;
}

export interface MyData {
  drafts: number;
  receipts: number;
  sites: number;
  files: { name: string; bytes: number; encrypted: boolean }[];
  folder: string;
}

export interface SubmitView {
  state: 'signing' | 'queued' | 'incomplete';
  outboxId: string;
  message: string;
  issues: Issue[];
  checksum: string;
  /** The applicant whose BankID alone can sign, when the form names one. */
  signer: string | null;
  /** The role the application waits for, once the applicant has signed and others must. */
  waitingFor: string | null;
}

/// One who signs an application, as the gateway tells it.
export interface Signer {
  role: string;
  name?: string | null;
  signed: boolean;
  signedAt?: string | null;
}

export interface ReceiptView {
  id: string;
  flowId: string;
  serviceName: string;
  caseNumber: string;
  submitted: string;
  signerName: string;
  sha256: string;
  /** Everyone who signed, in order, when more than the applicant did. */
  signers: Signer[];
}

/// Kiosk mode, as the administrator set it up (null on a citizen's own computer).
export interface KioskView {
  idleTimeout: number;
  idleWarning: number;
  attachments: boolean;
  printer: string | null;
  /// Days a draft kept with a personal code stays on the kiosk.
  keepDays: number;
}

/// A receipt's confirmation page: what happens next, whom to ask, the copy of what was sent.
export interface ReceiptPage {
  receipt: ReceiptView;
  title: string;
  nowSent: string;
  next: string | null;
  contact: { name?: string; phone?: string; email?: string } | null;
  copy: Made | null;
}

export interface SigningView {
  /** `waiting`: some have signed, the next has not begun; `ended`: declined or expired (the
   * draft stays); `identified`: another signer's BankID has said who they are. */
  status: 'pending' | 'failed' | 'complete' | 'waiting' | 'ended' | 'identified';
  hintCode: string | null;
  message: string;
  qr: { path: string; size: number } | null;
  receipt: ReceiptView | null;
  signers: Signer[];
  next: string | null;
  /** The signing code to give the next signer, while the application waits for them. */
  code: string | null;
}

/// What another signer reads before signing: what the applicant signed.
export interface CosignSummary {
  serviceName: string;
  role: string;
  steps: SummaryStep[];
  signers: Signer[];
  checksum: string;
}

export interface OutboxView {
  id: string;
  serviceName: string;
  created: number;
  uploaded: boolean;
  waitingFor: string | null;
  attempts: number;
  lastError: string | null;
}

export interface SearchQuery {
  text: string;
  site?: string | null;
  category?: string | null;
  fillable?: boolean;
  needsEid?: boolean;
  hasBlankett?: boolean;
}

/// What a kiosk's number brought back (`kiosk_resume`).
export type ResumedView = { kind: 'draft'; id: string } | { kind: 'profile' };

export const api = {
  startup: () => invoke<Startup>('startup'),
  setSettings: (settings: Settings) => invoke<Settings>('set_settings', { settings }),
  openLink: (url: string) => invoke<void>('open_link', { url }),
  painted: () => invoke<void>('painted'),
  thirdPartyLicenses: () => invoke<string>('third_party_licenses'),
  about: () => invoke<{ version: string; commit: string; license: string }>('about'),
  updateCheck: () => invoke<Available | null>('update_check'),
  blankettOpen: (serviceId: string, index: number, draftId: string | null) =>
    invoke<BlankettView>('blankett_open', { serviceId, index, draftId }),
  blankettPreview: (values: BlankettValues) => invoke<ArrayBuffer>('blankett_preview', { values }),
  blankettSave: (id: string, values: BlankettValues) => invoke<FormatIssue[]>('blankett_save', { id, values }),
  blankettMake: (values: BlankettValues, flatten: boolean) => invoke<Made>('blankett_make', { values, flatten }),
  updateFound: () => invoke<Available | null>('update_found'),
  updateInstall: () => invoke<void>('update_install'),
  myData: () => invoke<MyData>('my_data'),
  eraseAll: () => invoke<void>('erase_all'),
  exportAll: (passphrase: string) => invoke<number>('export_all', { passphrase }),
  sites: () => invoke<Site[]>('sites'),
  home: (site: string | null) => invoke<Home>('home', { site }),
  search: (query: SearchQuery) => invoke<Entry[]>('search', { query }),
  service: (id: string, site: string | null) => invoke<ServicePage>('service', { id, site }),
  syncStart: (site: string) => invoke<void>('sync_start', { site }),
  syncCancel: () => invoke<void>('sync_cancel'),
  form: (flowId: string) => invoke<FormView>('form', { flowId }).then((v) => ({ ...v, flow: textIds(v.flow) })),
  evaluate: (flowId: string, answers: Answers) => invoke<Evaluation>('evaluate', { flowId, answers }),
  summary: (flowId: string, answers: Answers) => invoke<Paper>('summary', { flowId, answers }),
  checkStep: (flowId: string, answers: Answers, step: number | null) =>
    invoke<Evaluation>('check_step', { flowId, answers, step }),
  passphraseStrength: (passphrase: string) =>
    invoke<[number, string]>('passphrase_strength', { passphrase }),
  vaultStatus: () => invoke<VaultStatus>('vault_status'),
  vaultCreate: (passphrase: string | null) => invoke<DraftView[]>('vault_create', { passphrase }),
  touch: () => invoke<void>('touch'),
  vaultLock: (passphrase: string | null) => invoke<void>('vault_lock', { passphrase }),
  vaultUnlock: (passphrase: string | null) => invoke<DraftView[]>('vault_unlock', { passphrase }),
  drafts: () => invoke<DraftView[]>('drafts'),
  draftNew: (flowId: string) => invoke<OpenDraft>('draft_new', { flowId }),
  draftOpen: (id: string) => invoke<OpenDraft>('draft_open', { id }),
  draftSave: (id: string, flowId: string, answers: Answers, step: number) =>
    invoke<number>('draft_save', { id, flowId, answers, step }),
  draftClose: (id: string) => invoke<void>('draft_close', { id }),
  draftDelete: (id: string) => invoke<void>('draft_delete', { id }),
  draftAttach: (id: string, queryId: string, name: string, data: string) =>
    invoke<Answers>('draft_attach', { id, queryId, name, data }),
  draftExport: (id: string, passphrase: string) =>
    invoke<string | null>('draft_export', { id, passphrase }),
  draftImportPick: () => invoke<string | null>('draft_import_pick'),
  draftImport: (passphrase: string) => invoke<string>('draft_import', { passphrase }),
  pdfMake: (flowId: string, answers: Answers) => invoke<Made>('pdf_make', { flowId, answers }),
  pdfBlank: (flowId: string) => invoke<Made>('pdf_blank', { flowId }),
  blankett: (serviceId: string, index: number) => invoke<Made>('blankett', { serviceId, index }),
  pdfSave: () => invoke<string | null>('pdf_save'),
  openSaved: () => invoke<void>('open_saved'),
  printers: () => invoke<{ name: string; default: boolean }[]>('printers'),
  printPdf: (printer: string) => invoke<void>('print_pdf', { printer }),
  submitStart: (draftId: string, sameDevice: boolean) => invoke<SubmitView>('submit_start', { draftId, sameDevice }),
  outboxSend: (outboxId: string, sameDevice: boolean) => invoke<SubmitView>('outbox_send', { outboxId, sameDevice }),
  submitStatus: (outboxId: string) => invoke<SigningView>('submit_status', { outboxId }),
  submitCancel: (outboxId: string) => invoke<SigningView>('submit_cancel', { outboxId }),
  openBankid: (outboxId: string) => invoke<void>('open_bankid', { outboxId }),
  outbox: () => invoke<OutboxView[]>('outbox'),
  outboxRemove: (outboxId: string) => invoke<ReceiptView | null>('outbox_remove', { outboxId }),
  receipts: () => invoke<ReceiptView[]>('receipts'),
  receiptOpen: (id: string) => invoke<ReceiptPage>('receipt_open', { id }),
  kioskStatus: () => invoke<KioskView | null>('kiosk_status'),
  kioskTouch: () => invoke<void>('kiosk_touch'),
  kioskEnd: () => invoke<void>('kiosk_end'),
  kioskLeave: (code: string) => invoke<void>('kiosk_leave', { code }),
  kioskKeep: (id: string, code: string) => invoke<string>('kiosk_keep', { id, code }),
  kioskKeepProfile: (code: string) => invoke<string>('kiosk_keep_profile', { code }),
  kioskResume: (number: string, code: string) => invoke<ResumedView>('kiosk_resume', { number, code }),
  kioskFiles: () => invoke<{ path: string; shown: string; bytes: number }[]>('kiosk_files'),
  kioskAttach: (id: string, queryId: string, path: string) =>
    invoke<Answers>('kiosk_attach', { id, queryId, path }),
  statement: () => invoke<StatementView>('statement'),
  statementSave: () => invoke<boolean>('statement_save'),
  profileGet: () => invoke<Profile>('profile_get'),
  profileSet: (profile: Profile) => invoke<{ field: string; message: string }[]>('profile_set', { profile }),
  profileErase: () => invoke<void>('profile_erase'),
  profileExport: () => invoke<boolean>('profile_export'),
  profileTake: (flowId: string, answers: Answers) =>
    invoke<{ field: string; message: string }[]>('profile_take', { flowId, answers }),
  cosignOpen: (code: string) => invoke<{ role: string }>('cosign_open', { code }),
  cosignIdentify: (sameDevice: boolean) => invoke<void>('cosign_identify', { sameDevice }),
  cosignSign: (sameDevice: boolean) => invoke<ReceiptView | null>('cosign_sign', { sameDevice }),
  cosignStatus: () => invoke<SigningView>('cosign_status'),
  cosignCancel: () => invoke<string>('cosign_cancel'),
  cosignSummary: () => invoke<CosignSummary>('cosign_summary'),
  cosignDecline: () => invoke<string>('cosign_decline'),
  cosignClose: () => invoke<void>('cosign_close'),
  linkQr: (url: string) => invoke<{ path: string; size: number }>('link_qr', { url }),
};

/// The flow format writes ids as JSON numbers; answers and the core's issues name them as
/// text. Every `id` becomes text once, here, so comparisons never mix the two.
export function textIds<T>(value: T): T {
  if (Array.isArray(value)) return value.map(textIds) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'id' && typeof v === 'number' ? String(v) : textIds(v);
    return out as T;
  }
  return value;
}

export function on<T>(event: string, f: (payload: T) => void): Promise<UnlistenFn> {
  return listen<T>(event, (e) => f(e.payload));
}

/// A command's error is the core's sentence; anything else is shown as text.
export function message(e: unknown): string {
  return typeof e === 'string' ? e : e instanceof Error ? e.message : String(e);
}
