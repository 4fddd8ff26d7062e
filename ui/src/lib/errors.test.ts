import { describe, expect, it } from 'vitest';
import { splitDetail } from './errors';

describe('an error message', () => {
  it('keeps a library’s words out of the sentence', () => {
    const m = 'Det gick inte att nå kommunens tjänst (https://x). Kontrollera att datorn är ansluten till internet.\nTekniska detaljer: error sending request: connection refused';
    expect(splitDetail(m)).toEqual({
      sentence: 'Det gick inte att nå kommunens tjänst (https://x). Kontrollera att datorn är ansluten till internet.',
      detail: 'error sending request: connection refused',
    });
    expect(splitDetail('Printing did not work.\nTechnical details: lp: not found').detail).toBe('lp: not found');
  });
  it('leaves a plain sentence whole', () => {
    expect(splitDetail('Fel lösenfras. Inget har ändrats.')).toEqual({ sentence: 'Fel lösenfras. Inget har ändrats.', detail: null });
  });
});
