// Writes src/lib/flow.generated.ts, the TypeScript types of the flow format, from the core's
// JSON Schema (forms/flow.schema.json, `etjanst schema`): the query components' props are
// typed by what the core sends, not by a hand-kept copy. `npm run types`; a unit test fails
// when the file is out of date.
import { compile } from 'json-schema-to-typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const schema = fileURLToPath(new URL('../../forms/flow.schema.json', import.meta.url));
export const output = fileURLToPath(new URL('../src/lib/flow.generated.ts', import.meta.url));

// schemars writes a tagged enum's variant as a `$ref` with the tag beside it; the generator
// keeps only the siblings then. The same meaning as `allOf` keeps both.
function refsBesideProperties(node) {
  if (Array.isArray(node)) return node.map(refsBesideProperties);
  if (!node || typeof node !== 'object') return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, refsBesideProperties(v)]));
  if (out.$ref && out.properties) {
    const { $ref, ...rest } = out;
    return { allOf: [{ $ref }, rest] };
  }
  return out;
}

export function generate() {
  const json = refsBesideProperties(JSON.parse(readFileSync(schema, 'utf8')));
  return compile(json, 'Flow', {
    bannerComment: '// Generated from forms/flow.schema.json by `npm run types`: do not edit.',
    additionalProperties: false,
    format: false,
    strictIndexSignatures: true,
    cwd: fileURLToPath(new URL('../../forms/', import.meta.url)),
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(output, await generate());
}
