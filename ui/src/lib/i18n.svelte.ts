// The window's own texts, from the message catalogues in ../i18n (Swedish by default). The
// core's messages arrive already in the chosen language.
import sv from '../i18n/sv.json';
import en from '../i18n/en.json';

export type Lang = 'sv' | 'en';
const catalogues: Record<Lang, Record<string, string>> = { sv, en };

export const locale = $state({ lang: 'sv' as Lang });

export function format(text: string, args: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in args ? String(args[name]) : m));
}

/// The text of `key` in the current language; a missing key shows itself (and fails the
/// catalogue test), never an empty string.
export function t(key: string, args: Record<string, string | number> = {}): string {
  const text = catalogues[locale.lang][plural(key, args)] ?? catalogues.sv[key] ?? key;
  return format(text, args);
}

/// With a numeric `count`, the key of its plural form where the catalogue has one
/// ("start.hits.one": "1 träff"), chosen by the language's own rules.
export function plural(key: string, args: Record<string, string | number>, lang: Lang = locale.lang): string {
  if (typeof args.count !== 'number') return key;
  const form = `${key}.${new Intl.PluralRules(lang === 'sv' ? 'sv-SE' : 'en-GB').select(args.count)}`;
  return form in catalogues[lang] ? form : key;
}

export function setLang(lang: Lang) {
  locale.lang = lang;
  document.documentElement.lang = lang;
}

export function catalogue(lang: Lang): Record<string, string> {
  return catalogues[lang];
}

export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString(locale.lang === 'sv' ? 'sv-SE' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

export function size(bytes: number): string {
  const fmt = (n: number) => n.toLocaleString(locale.lang === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${fmt(bytes / 1024)} kB`;
  return `${fmt(bytes / 1024 / 1024)} MB`;
}
