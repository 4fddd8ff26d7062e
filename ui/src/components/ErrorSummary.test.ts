import { describe, expect, it } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';
import ErrorSummary from './ErrorSummary.svelte';

describe('error summary', () => {
  it('takes focus and moves focus to the field of the error chosen', async () => {
    document.body.innerHTML = '<fieldset id="q-2103"><input id="q-2103-210301" /></fieldset><input id="q-2101-x" />';
    const { container } = render(ErrorSummary, {
      props: {
        issues: [
          { query: '2103', field: '210301', code: 'required', message: 'Obligatoriskt', label: 'Var är felet?: Gata' },
          { query: '2101', code: 'required', message: 'Välj ett', label: 'Vad vill du anmäla?' },
        ],
      },
    });
    const box = container.querySelector('.error-summary') as HTMLElement;
    expect(document.activeElement).toBe(box);
    expect(box.getAttribute('role')).toBe('alert');
    await fireEvent.click(screen.getByText('Var är felet?: Gata: Obligatoriskt'));
    expect(document.activeElement?.id).toBe('q-2103-210301');
  });
  it('opens the question elsewhere when its field is not on this page', async () => {
    document.body.innerHTML = '';
    const picked: string[] = [];
    render(ErrorSummary, {
      props: {
        issues: [{ query: '6104', code: 'required', message: 'Skriv din synpunkt', label: 'Din synpunkt' }],
        elsewhere: (issue: { query: string }) => picked.push(issue.query),
      },
    });
    await fireEvent.click(screen.getByText('Din synpunkt: Skriv din synpunkt'));
    expect(picked).toEqual(['6104']);
  });
});
