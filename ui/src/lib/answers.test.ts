import { describe, expect, it } from 'vitest';
import { fieldId, isEmpty, issueTarget, toggle, withValue } from './answers';
import { textIds } from './api';

describe('answers document', () => {
  it('drops a cleared answer instead of sending an empty one', () => {
    expect(withValue({ a: 'x', b: 'y' }, 'a', '')).toEqual({ b: 'y' });
    expect(withValue({}, 'a', { f: '' })).toEqual({});
    expect(withValue({}, 'c', { selected: ['1'] })).toEqual({ c: { selected: ['1'] } });
  });
  it('treats unchecked boxes and empty rows as no answer', () => {
    expect(isEmpty({ contactBySms: false })).toBe(true);
    expect(isEmpty([])).toBe(true);
    expect(isEmpty({ firstName: 'Åsa' })).toBe(false);
  });
  it('keeps one radio choice and several checkbox choices', () => {
    expect(toggle({ selected: ['1'] }, '2', true, true)).toEqual({ selected: ['2'] });
    expect(toggle({ selected: ['1'], other: 'x' }, '2', true, false)).toEqual({ selected: ['1', '2'], other: 'x' });
    expect(toggle({ selected: ['1', '2'] }, '1', false, false)).toEqual({ selected: ['2'] });
  });
});

describe('where an issue is shown', () => {
  it('links a group row field to the id its input has', () => {
    expect(fieldId('3110', '3111', 1)).toBe('q-3110-r1-3111');
    expect(issueTarget({ query: '3110', field: '3111.311101', row: 0, code: 'required', message: '', label: '' })).toBe(
      'q-3110-r0-3111-311101',
    );
    expect(issueTarget({ query: '2103', field: '210301', code: 'required', message: '', label: '' })).toBe('q-2103-210301');
    expect(issueTarget({ query: '2101', code: 'required', message: '', label: '' })).toBe('q-2101');
  });
});

describe('ids from the flow format', () => {
  it('become text, so an answer names an alternative as the core reads it', () => {
    const flow = textIds({ id: 3002, steps: [{ id: 201, queries: [{ id: 2101, alternatives: [{ id: 210101, price: 5 }] }] }] });
    expect(flow.steps[0].queries[0].alternatives[0]).toEqual({ id: '210101', price: 5 });
    expect(flow.id).toBe('3002');
  });
});
