// A message from the core is a sentence for the citizen, sometimes followed by a library's
// own words on a line of their own ("Tekniska detaljer: connection refused"; see the core's
// i18n::text). The window shows the sentence and folds the detail away.
const LABELS = ['Tekniska detaljer: ', 'Technical details: '];

export function splitDetail(text: string): { sentence: string; detail: string | null } {
  for (const label of LABELS) {
    const at = text.indexOf(`\n${label}`);
    if (at >= 0) return { sentence: text.slice(0, at).trim(), detail: text.slice(at + label.length + 1).trim() };
  }
  return { sentence: text, detail: null };
}
