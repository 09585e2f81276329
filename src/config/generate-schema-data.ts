// Regenerates schema-data.ts (the plain-object copy of schema.ts the validator loads without TypeBox, for a fast
// start-up): `npx tsx src/config/generate-schema-data.ts`. A unit test fails when the copy is out of date.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppConfigSchema } from './schema.js';

/** The TypeScript source of schema-data.ts for the current schema. */
export function renderSchemaData(): string {
  const json = JSON.stringify(JSON.stringify(AppConfigSchema));
  return [
    '// GENERATED from schema.ts by generate-schema-data.ts; do not edit. The TypeBox-free copy the validator loads.',
    "import type { SchemaNode } from './resolve.js';",
    '',
    '// JSON.parse of a string literal starts faster than an equivalent object literal.',
    `export const APP_SCHEMA = JSON.parse(${json}) as SchemaNode;`,
    '',
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(new URL('./schema-data.ts', import.meta.url), renderSchemaData());
}
