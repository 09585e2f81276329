// A .json config must be strict JSON: comments and trailing commas are reported with their position, not read as YAML.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSource } from '../../src/config/source.js';

test('a comment in a .json file is CONFIG_UNREADABLE at its line and column', () => {
  const result = parseSource('{\n  // comment\n  "ssh": {"listen": "127.0.0.1:2222"}\n}\n', 'c.json');
  assert.equal(result.ok, false);
  const issue = result.issues[0];
  assert.equal(issue?.code, 'CONFIG_UNREADABLE');
  assert.match(issue?.message ?? '', /comments are not allowed in JSON/);
  assert.deepEqual([issue?.line, issue?.column], [2, 3]);
});

test('a trailing comma in a .json file is not valid JSON; the same text in a .yaml file is fine', () => {
  const text = '{"ssh": {"listen": "127.0.0.1:2222"},}';
  const json = parseSource(text, 'c.json');
  assert.equal(json.ok, false);
  assert.match(json.issues[0]?.message ?? '', /not valid JSON/);
  assert.equal(parseSource(text, 'c.yaml').ok, true);
});

test('valid JSON, "//" inside strings and empty files still parse', () => {
  assert.equal(parseSource('{"auth": {"url": "http://127.0.0.1:8080/"}}', 'c.json').ok, true);
  assert.equal(parseSource('', 'c.json').ok, true);
});
