// The oclif-free fast path of `config validate` parses exactly what it can handle and leaves the rest to oclif.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFastArgs } from '../../src/cli/config-validate-fast.js';

test('files, --strict, --format and --json are understood', () => {
  assert.deepEqual(parseFastArgs(['a.yaml']), { files: ['a.yaml'], strict: false, format: 'text' });
  assert.deepEqual(parseFastArgs(['--strict', 'a.yaml', '-']), { files: ['a.yaml', '-'], strict: true, format: 'text' });
  assert.deepEqual(parseFastArgs(['--format', 'github', 'a.yaml']), { files: ['a.yaml'], strict: false, format: 'github' });
  assert.deepEqual(parseFastArgs(['--format=json', 'a.yaml']), { files: ['a.yaml'], strict: false, format: 'json' });
  assert.equal(parseFastArgs(['--json', '--format', 'text', 'a.yaml'])?.format, 'json');
});

test('anything else falls back to oclif (help, unknown flags, bad formats, no files)', () => {
  for (const argv of [[], ['--help'], ['-h', 'a.yaml'], ['--format', 'xml', 'a.yaml'], ['--format'], ['--verbose', 'a.yaml']]) {
    assert.equal(parseFastArgs(argv), undefined, argv.join(' '));
  }
});
