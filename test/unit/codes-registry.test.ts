// The codes registry: every module's codes gathered, ContainerSSH's names present, docs/CODES.md generated from it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { allCodes, codesMarkdown } from '../../src/observability/codes.js';

test('the registry holds each module\'s codes once, with a sentence each', () => {
  const codes = allCodes();
  const names = codes.map((c) => c.code);
  assert.equal(new Set(names).size, names.length);
  for (const expected of ['DOCKER_CONTAINER_CREATE_FAILED', 'DOCKER_IMAGE_PULL_FAILED', 'CONFIG_INVALID', 'AUTH_BACKEND_ERROR', 'SECURITY_MAX_SESSIONS', 'SSH_LISTEN']) {
    assert.ok(names.includes(expected), `missing ${expected}`);
  }
  for (const entry of codes) assert.ok(entry.description.length > 10, `${entry.code} needs a sentence`);
});

test('docs/CODES.md is the generated reference (regenerate: ./bin/run.js codes --markdown > docs/CODES.md)', () => {
  const onDisk = readFileSync(new URL('../../docs/CODES.md', import.meta.url), 'utf8');
  assert.equal(onDisk.trimEnd(), codesMarkdown().trimEnd());
});
