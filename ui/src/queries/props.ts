import type { FieldInput, Issue, PersonField, QueryOf, QueryType } from '../lib/api';

/// What every query component gets: its question, its answer, the core's issues about it,
/// and where to send a changed answer.
export interface QueryProps<K extends QueryType = QueryType> {
  /// The question, typed by its kind (the flow format's generated types).
  query: QueryOf<K>;
  value: unknown;
  issues: Issue[];
  required: boolean;
  /// The id of its first control (see `fieldId`); the error summary links there.
  base: string;
  labels: Record<string, string>;
  /// How text fields with a format are typed, by field id (the core's; see `FieldInput`).
  inputs: Record<string, FieldInput>;
  /// The fields of contact and organisation questions, by question id (the core's).
  persons: Record<string, PersonField[]>;
  /// Where a question only the web can answer is answered.
  webUrl?: string;
  draftId: string;
  /// The fields (contact field names, text field ids) whose answer is still the citizen's own
  /// from Mina uppgifter: marked so.
  fromProfile?: string[];
  onchange: (value: unknown) => void;
}
