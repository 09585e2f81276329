// Every code the config module emits is registered in codes.ts with a sentence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { CONFIG_CODES } from '../../src/config/codes.js';

test('every emitted code has a sentence in codes.ts', () => {
  const dir = new URL('../../src/config/', import.meta.url);
  const used = new Set<string>();
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.ts') || name === 'codes.ts' || name === 'schema-data.ts') continue;
    const text = readFileSync(new URL(name, dir), 'utf8');
    for (const match of text.matchAll(/'((?:CONFIG|DOCKER|DOCKERRUN|SSH|AUTH|BACKEND|SECURITY)_[A-Z_]+)'/g)) used.add(match[1] ?? '');
  }
  assert.ok(used.size > 20);
  for (const code of used) assert.ok(code in CONFIG_CODES, `${code} is missing from codes.ts`);
  for (const [code, sentence] of Object.entries(CONFIG_CODES)) assert.match(sentence, /^[A-Z`a-z].+\.$/, code);
});
