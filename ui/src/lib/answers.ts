// Reading and writing the answers document the core defines (`forms/answers.md`), and where
// each issue is shown. Presentation only: what is valid is the core's to say.
import type { Answers, Issue, Query, QueryState } from './api';

export interface Choice {
  selected?: string[];
  other?: string;
}

/// The id of the element an issue belongs to: the error summary links there.
export function fieldId(query: string, field?: string, row?: number): string {
  let id = `q-${query}`;
  if (row !== undefined && row !== null) id += `-r${row}`;
  if (field) id += `-${field.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  return id;
}

export function issueTarget(issue: Issue): string {
  return fieldId(issue.query, issue.field, issue.row);
}

/// Issues of one query (and, inside a group row, of one sub-query), for inline messages.
export function issuesFor(issues: Issue[], query: string, row?: number): Issue[] {
  return issues.filter((i) => i.query === query && (row === undefined || i.row === row));
}

/// Issues of one field of a query (`undefined` field: those about the query as a whole).
export function fieldIssues(issues: Issue[], field?: string): Issue[] {
  return issues.filter((i) => (i.field ?? undefined) === field);
}

/// The answers without empty values, as the core reads them (an empty value is no answer).
export function withValue(answers: Answers, query: string, value: unknown): Answers {
  const next = { ...answers };
  if (isEmpty(value)) delete next[query];
  else next[query] = value;
  return next;
}

export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') {
    return Object.values(value as Record<string, unknown>).every((v) => isEmpty(v) || v === false);
  }
  return false;
}

export function toggle(choice: Choice | undefined, id: string, on: boolean, single: boolean): Choice {
  const selected = new Set(single ? [] : (choice?.selected ?? []));
  if (on) selected.add(id);
  else selected.delete(id);
  const next: Choice = { selected: [...selected] };
  if (!single && choice?.other) next.other = choice.other;
  return next;
}

export function visible(state: QueryState | undefined, query: Query): boolean {
  return (state ?? query.defaultState) !== 'HIDDEN';
}

export function required(state: QueryState | undefined, query: Query): boolean {
  return (state ?? query.defaultState) === 'VISIBLE_REQUIRED';
}
