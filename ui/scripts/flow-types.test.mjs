// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { generate, output } from './flow-types.mjs';

describe('the flow format types', () => {
  it('are those of the core’s current schema (run `npm run types` after changing it)', async () => {
    expect(readFileSync(output, 'utf8')).toBe(await generate());
  });
});
