// The Go duration parser and formatter, and how durations resolve (ms, nanosecond numbers, zero-means-default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseGoDuration } from '../../src/config/duration.js';
import { parseSource } from '../../src/config/source.js';
import { analyzeSource } from '../../src/config/analyze.js';

function analyze(text: string) {
  const parsed = parseSource(text, 'test.yaml');
  assert.ok(parsed.ok);
  return analyzeSource(parsed.source, 'validate');
}

test('Go duration strings parse to nanoseconds', () => {
  assert.equal(parseGoDuration('60s'), 60e9);
  assert.equal(parseGoDuration('1m30s'), 90e9);
  assert.equal(parseGoDuration('500ms'), 500e6);
  assert.equal(parseGoDuration('2h'), 7200e9);
  assert.equal(parseGoDuration('1.5s'), 1.5e9);
  assert.equal(parseGoDuration('10us'), 10e3);
  assert.equal(parseGoDuration('10µs'), 10e3);
  assert.equal(parseGoDuration('10μs'), 10e3);
  assert.equal(parseGoDuration('7ns'), 7);
  assert.equal(parseGoDuration('-1s'), -1e9);
  assert.equal(parseGoDuration('+1s'), 1e9);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('1h2m3s4ms'), 3723.004e9);
});

test('invalid duration strings are rejected', () => {
  for (const text of ['', '60', 's', '1x', '1 s', '1s2', 'abc', '--1s', '1.s.s']) {
    assert.equal(parseGoDuration(text), undefined, text);
  }
});

test('milliseconds format the way Go prints durations', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(60_000), '1m0s');
  assert.equal(formatDuration(15_000), '15s');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(3_723_000), '1h2m3s');
  assert.equal(formatDuration(1500), '1.5s');
});

test('durations resolve to milliseconds; bare numbers are nanoseconds', () => {
  const { config, issues } = analyze('docker:\n  timeouts:\n    containerStart: 1m30s\n    containerStop: 2000000000\n    signal: 500ms\n');
  assert.equal(config.docker.timeouts.containerStart, 90_000);
  assert.equal(config.docker.timeouts.containerStop, 2000);
  assert.equal(config.docker.timeouts.signal, 500);
  assert.equal(issues.filter((issue) => issue.code.startsWith('CONFIG_DURATION')).length, 0);
});

test('a small bare number is surely a mistake and gives a warning with a hint', () => {
  const { config, issues } = analyze('docker:\n  timeouts:\n    containerStart: 60\n');
  const warning = issues.find((issue) => issue.code === 'CONFIG_DURATION_NANOSECONDS');
  assert.ok(warning);
  assert.equal(warning.severity, 'warning');
  assert.equal(warning.path, 'docker.timeouts.containerStart');
  assert.match(warning.hint ?? '', /"60s"/);
  assert.equal(warning.line, 3);
  assert.equal(config.docker.timeouts.containerStart, 60 / 1e6);
});

test('zero, null and missing timeouts fall back to their defaults, as in ContainerSSH', () => {
  const { config } = analyze('docker:\n  timeouts:\n    containerStart: 0\n    containerStop: "0s"\n    signal: null\n');
  assert.equal(config.docker.timeouts.containerStart, 60_000);
  assert.equal(config.docker.timeouts.containerStop, 60_000);
  assert.equal(config.docker.timeouts.signal, 60_000);
  assert.equal(config.docker.timeouts.http, 15_000);
});

test('zero stays zero where it means "off"', () => {
  const { config } = analyze('security:\n  idleTimeout: 0\n  maxSessionDuration: 0s\nssh:\n  loginGraceTime: 0\n');
  assert.equal(config.security.idleTimeout, 0);
  assert.equal(config.security.maxSessionDuration, 0);
  assert.equal(config.ssh.loginGraceTime, 0);
  assert.equal(analyze('backend: docker\n').config.ssh.loginGraceTime, 120_000, 'unset: OpenSSH\'s 120 s');
});

test('a bad duration is an error naming the path, expected and found', () => {
  const { issues } = analyze('docker:\n  timeouts:\n    window: soon\n    http: [1]\n    signal: -5s\n');
  const errors = issues.filter((issue) => issue.code === 'CONFIG_DURATION');
  assert.deepEqual(errors.map((issue) => issue.path), ['docker.timeouts.window', 'docker.timeouts.http', 'docker.timeouts.signal']);
  assert.equal(errors[0]?.message, 'invalid duration: "soon"');
  assert.match(errors[0]?.expected ?? '', /60s/);
  assert.equal(errors[2]?.message, 'a duration must not be negative');
});
