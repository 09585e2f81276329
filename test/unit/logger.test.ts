// The pino-backed logger: ljson and text lines, level filtering, child labels, file destination with reopen.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../../src/config/types.js';
import { isCsshError } from '../../src/core/errors.js';
import { createLogger } from '../../src/observability/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'cssh-logger-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function sink(): { stream: Writable; text: () => string; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join('');
  return { stream, text, lines: () => text().split('\n').filter((l) => l !== '') };
}

const config = (overrides: Partial<AppConfig['log']> = {}): AppConfig['log'] => ({
  level: 'debug',
  format: 'ljson',
  destination: 'stdout',
  file: '',
  ...overrides,
});

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

test('ljson: one JSON object per line with timestamp, level, code, message and details', () => {
  const out = sink();
  const logger = createLogger(config(), out.stream);
  logger.info('SSH_CONNECTED', 'Client connected', { remoteAddr: '127.0.0.1:5000' });
  logger.notice('AUTH_FAILED', 'no details here');
  const [first, second] = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(Object.keys(first ?? {}).sort(), ['code', 'details', 'level', 'message', 'timestamp']);
  assert.match(String(first?.timestamp), RFC3339);
  assert.equal(first?.level, 'info');
  assert.equal(first?.code, 'SSH_CONNECTED');
  assert.equal(first?.message, 'Client connected');
  assert.deepEqual(first?.details, { remoteAddr: '127.0.0.1:5000' });
  assert.equal(second?.level, 'notice');
  assert.deepEqual(second?.details, {}, 'details is always written, empty when there is nothing to say');
});

test('every ContainerSSH level name is written, and log.level filters below it', () => {
  const out = sink();
  const logger = createLogger(config({ level: 'warning' }), out.stream);
  logger.debug('C', 'debug');
  logger.info('C', 'info');
  logger.notice('C', 'notice');
  logger.warning('C', 'warning');
  logger.error('C', 'error');
  for (const level of ['crit', 'alert', 'emerg'] as const) logger.log(level, 'C', level);
  assert.deepEqual(
    out.lines().map((l) => (JSON.parse(l) as { level: string }).level),
    ['warning', 'error', 'crit', 'alert', 'emerg'],
  );
  const numeric = sink();
  createLogger(config({ level: '3' }), numeric.stream).warning('C', 'dropped at syslog level 3 (error)');
  assert.equal(numeric.text(), '');
});

test('child loggers add labels to every line; call labels win; undefined labels are dropped', () => {
  const out = sink();
  const root = createLogger(config(), out.stream);
  const connection = root.child({ connectionId: 'abc', username: 'alice' });
  connection.child({ containerId: 'c1' }).info('DOCKER_CONTAINER_CREATE', 'created', { username: 'bob', skipped: undefined });
  root.info('OTHER', 'root has no labels');
  const [child, plain] = out.lines().map((l) => JSON.parse(l) as { details?: Record<string, unknown> });
  assert.deepEqual(child?.details, { connectionId: 'abc', username: 'bob', containerId: 'c1' });
  assert.deepEqual(plain?.details, {});
});

test('withLevel gives a logger with its own level and the same labels', () => {
  const out = sink();
  const root = createLogger(config({ level: 'info' }), out.stream).child({ connectionId: 'abc' });
  root.debug('D', 'hidden');
  root.withLevel('debug').debug('D', 'shown');
  assert.deepEqual(out.lines().map((l) => (JSON.parse(l) as { message: string; details: unknown }).details), [{ connectionId: 'abc' }]);
});

test('text: ContainerSSH\'s TIMESTAMP<TAB>LEVEL<TAB>MESSAGE (labels), RFC 3339 seconds, one line per call', () => {
  const out = sink();
  const logger = createLogger(config({ format: 'text', level: 'info' }), out.stream).child({ connectionId: 'abc' });
  logger.warning('AUTH_BACKEND_ERROR', 'auth server down\nsecond line', { url: 'http://x y', attempt: 2 });
  logger.debug('D', 'filtered');
  const lines = out.lines();
  assert.equal(lines.length, 1);
  const [timestamp, level, message, ...rest] = (lines[0] ?? '').split('\t');
  assert.match(timestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(level, 'warning');
  assert.equal(rest.length, 0);
  assert.equal(message, 'auth server down\\nsecond line (connectionId=abc url=http://x y attempt=2)');
  logger.info('PLAIN', 'no labels at all');
  const plain = out.lines()[1]?.split('\t');
  assert.equal(plain?.[2], 'no labels at all (connectionId=abc)');
  const bare = sink();
  createLogger(config({ format: 'text', level: 'info' }), bare.stream).info('PLAIN', 'no labels at all');
  assert.equal(bare.lines()[0]?.split('\t')[2], 'no labels at all', 'no empty parentheses');
});

test('file destination appends lines and reopens the file on SIGHUP (log rotation)', async () => {
  const file = join(dir, 'sub', 'cssh.log');
  const logger = createLogger(config({ destination: 'file', file }));
  try {
    logger.info('ONE', 'before rotation');
    renameSync(file, `${file}.1`);
    logger.info('TWO', 'still the old file');
    process.kill(process.pid, 'SIGHUP');
    for (let i = 0; i < 200 && !existsSync(file); i++) {
      await sleep(10);
      logger.info('THREE', 'after rotation');
    }
    const rotated = readFileSync(`${file}.1`, 'utf8');
    assert.match(rotated, /"code":"ONE"/);
    assert.match(rotated, /"code":"TWO"/);
    assert.match(readFileSync(file, 'utf8'), /"code":"THREE"/);
  } finally {
    logger.close();
  }
  assert.equal(process.listenerCount('SIGHUP'), 0, 'close() removes the SIGHUP listener');
  logger.info('AFTER', 'dropped after close, without throwing');
});

test('configuration that cannot work is a clear error at creation', () => {
  const check = (log: AppConfig['log'], pattern: RegExp) =>
    assert.throws(() => createLogger(log), (e: unknown) => isCsshError(e) && e.code === 'LOG_CONFIG_ERROR' && pattern.test(e.message));
  check(config({ destination: 'syslog' }), /syslog is not supported by cssh yet/);
  check(config({ level: 'verbose' }), /log\.level: expected one of debug, info/);
  check(config({ destination: 'file', file: '' }), /log\.file: required/);
  check(config({ destination: 'file', file: join(dir, 'missing-dir-is-a-file') + '/\0bad' }), /log\.file: cannot open/);
});

test('logging never throws, even when the destination does', () => {
  const broken = new Writable({
    write() {
      throw new Error('disk on fire');
    },
  });
  const logger = createLogger(config(), broken);
  assert.doesNotThrow(() => logger.error('X', 'still fine', { a: 1 }));
});
