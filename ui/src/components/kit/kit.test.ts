import { describe, expect, it } from 'vitest';
import { render } from '@testing-library/svelte';
import TextField from '../../queries/TextField/TextField.svelte';
import TextArea from '../../queries/TextArea/TextArea.svelte';
import type { Issue, Query } from '../../lib/api';

// What a screen reader is given for each control: its label, and every text that describes it
// (description, format, error) by id, each of those present on the page.
function described(control: Element): string[] {
  return (control.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => {
      const e = document.getElementById(id);
      expect(e, `#${id} is named but not on the page`).not.toBeNull();
      return e!.textContent!.trim();
    });
}
function labelOf(control: Element): string {
  const label = document.querySelector(`label[for="${control.id}"]`);
  expect(label, `no label for #${control.id}`).not.toBeNull();
  return label!.textContent!.replace(/\s+/g, ' ').trim();
}

const base = {
  issues: [] as Issue[],
  required: true,
  labels: {},
  persons: {},
  draftId: 'd',
  onchange: () => {},
};

describe('the component kit', () => {
  it('makes one text field a label, not a fieldset, with its format and error described', () => {
    const query: Query = {
      id: '2102',
      name: 'Stolpens nummer',
      defaultState: 'VISIBLE',
      type: 'TextField',
      description: '<p>Står på stolpen.</p>',
      fields: [{ id: '210201', label: 'Stolpens nummer' }],
    };
    const issue: Issue = { query: '2102', field: '210201', code: 'format', message: 'Skriv siffror.', label: '' };
    const { container } = render(TextField, {
      props: {
        ...base,
        query,
        value: undefined,
        issues: [issue],
        required: false,
        base: 'q-2102',
        inputs: { '210201': { type: 'text', inputmode: 'numeric', hint: 'Svara med ett heltal.' } },
      },
    });
    expect(container.querySelector('fieldset')).toBeNull();
    const input = container.querySelector('input')!;
    expect(input.id).toBe('q-2102-210201');
    expect(labelOf(input)).toBe('Stolpens nummer (frivillig)');
    expect(described(input)).toEqual(['Står på stolpen.', 'Svara med ett heltal.', 'Fel: Skriv siffror.']);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('inputmode')).toBe('numeric');
  });

  it('puts several fields in a fieldset whose legend is the question, each field labelled', () => {
    const query: Query = {
      id: '2103',
      name: 'Var är felet?',
      defaultState: 'VISIBLE_REQUIRED',
      type: 'TextField',
      fields: [
        { id: '210301', label: 'Gata', required: true },
        { id: '210302', label: 'Ort' },
      ],
    };
    const { container } = render(TextField, {
      props: { ...base, query, value: { '210301': 'Storgatan 1' }, base: 'q-2103', inputs: {} },
    });
    const fieldset = container.querySelector('fieldset')!;
    expect(fieldset.querySelector('legend')!.textContent).toBe('Var är felet?');
    const [street, town] = [...container.querySelectorAll('input')];
    expect(labelOf(street)).toBe('Gata');
    expect(labelOf(town)).toBe('Ort (frivillig)');
    expect(street.value).toBe('Storgatan 1');
    expect(street.getAttribute('aria-describedby')).toBeNull();
  });

  it('describes a text area by its count as well, and marks nothing invalid without an error', () => {
    const query: Query = {
      id: '2104',
      name: 'Beskriv felet',
      defaultState: 'VISIBLE_REQUIRED',
      type: 'TextArea',
      maxLength: 100,
      showLetterCount: true,
    };
    const { container } = render(TextArea, {
      props: { ...base, query, value: 'Klotter', base: 'q-2104', inputs: {} },
    });
    const area = container.querySelector('textarea')!;
    expect(labelOf(area)).toBe('Beskriv felet');
    expect(described(area)).toEqual(['7 av 100 tecken']);
    expect(area.getAttribute('aria-invalid')).toBeNull();
  });
});
