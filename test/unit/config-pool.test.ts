// docker.pool (warm pool) in the configuration: defaults, durations, a negative size refused, a pool that cannot serve warned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from '../../src/config/analyze.js';
import type { ConfigIssue } from '../../src/config/issues.js';
import { HARDENING_CODES } from '../../src/config/rules-hardening.js';
import { parseSource } from '../../src/config/source.js';

const AUTH = 'auth:\n  password:\n    method: webhook\n    webhook:\n      url: http://127.0.0.1:8080\n';

function analyze(text: string): ReturnType<typeof analyzeSource> {
  const parsed = parseSource(`${AUTH}${text}`, 'cfg.yaml');
  assert.ok(parsed.ok, 'the test YAML parses');
  return analyzeSource(parsed.source, 'validate');
}

const issuesOf = (text: string): ConfigIssue[] => analyze(text).issues.filter((issue) => !HARDENING_CODES.includes(issue.code));

test('the pool is off by default; maxIdle defaults to 10 minutes and takes Go durations', () => {
  assert.deepEqual(analyze('backend: docker\n').config?.docker.pool, { size: 0, maxIdle: 600_000 });
  const config = analyze('docker:\n  pool:\n    size: 3\n    maxIdle: 90s\n').config;
  assert.deepEqual(config?.docker.pool, { size: 3, maxIdle: 90_000 });
  assert.deepEqual(issuesOf('docker:\n  pool:\n    size: 3\n    maxIdle: 0\n'), []);
});

test('a negative size is an error naming the key and the allowed range', () => {
  const [issue] = issuesOf('docker:\n  pool:\n    size: -1\n');
  assert.equal(issue?.code, 'CONFIG_OUT_OF_RANGE');
  assert.equal(issue?.path, 'docker.pool.size');
  assert.equal(issue?.severity, 'error');
});

test('a pool that can never hand a container out is a warning: session mode, a fixed container name', () => {
  for (const execution of ['    mode: session\n', '    containername: fixed\n']) {
    const issues = issuesOf(`docker:\n  pool:\n    size: 2\n  execution:\n${execution}`);
    assert.deepEqual(issues.map((i) => [i.code, i.path, i.severity]), [['DOCKER_POOL_UNUSED', 'docker.pool.size', 'warning']]);
  }
  assert.deepEqual(issuesOf('docker:\n  pool:\n    size: 0\n  execution:\n    mode: session\n'), []);
});

test('an unknown key under docker.pool is refused like any other typo', () => {
  const issues = issuesOf('docker:\n  pool:\n    sise: 2\n');
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.path, 'docker.pool.sise');
});
