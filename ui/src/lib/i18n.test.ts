import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sv from '../i18n/sv.json';
import en from '../i18n/en.json';
import { format, plural } from './i18n.svelte';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(svelte|ts)$/.test(f) && !f.endsWith('.test.ts') ? [p] : [];
  });
}

describe('message catalogues', () => {
  it('have the same keys in Swedish and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(sv).sort());
  });
  it('have every key the window uses', () => {
    const used = new Set<string>();
    for (const f of files(join(__dirname, '..'))) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\bt\('([a-zA-Z]+\.[a-zA-Z.]+)'/g)) used.add(m[1]);
      for (const m of text.matchAll(/key: '([a-zA-Z]+\.[a-zA-Z.]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(100);
    const missing = [...used].filter((k) => !(k in sv));
    expect(missing).toEqual([]);
  });
  it('define each key once (JSON keeps the last of two silently)', () => {
    for (const lang of ['sv', 'en']) {
      const text = readFileSync(join(__dirname, '..', 'i18n', `${lang}.json`), 'utf8');
      const keys = [...text.matchAll(/^\s*"([^"]+)"\s*:/gm)].map((m) => m[1]);
      const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
      expect(twice, `${lang}.json`).toEqual([]);
    }
  });
  it('fill in the same placeholders in both languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(sv) as (keyof typeof sv)[]) {
      expect(names(en[k]), k).toEqual(names(sv[k]));
    }
    expect(format('Steg {n} av {total}', { n: 2, total: 3 })).toBe('Steg 2 av 3');
  });
  it('say "1 träff" and "2 träffar"', () => {
    expect(plural('start.hits', { count: 1 }, 'sv')).toBe('start.hits.one');
    expect(format(sv[plural('start.hits', { count: 1 }, 'sv') as keyof typeof sv], { count: 1 })).toBe('1 träff');
    expect(plural('start.hits', { count: 2 }, 'sv')).toBe('start.hits');
    expect(plural('start.hits', { count: 0 }, 'en')).toBe('start.hits');
    expect(format(en[plural('start.hits', { count: 1 }, 'en') as keyof typeof en], { count: 1 })).toBe('1 result');
  });
});
