// Reading files: locations, every kind of unreadable input without a stack trace, loadConfig's errors and warnings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultConfig, loadConfig } from '../../src/config/index.js';
import { validateFiles } from '../../src/config/validate-files.js';

const dir = mkdtempSync(join(tmpdir(), 'cssh-config-'));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function single(path: string) {
  const report = await validateFiles([path]);
  assert.equal(report.files.length, 1);
  return { report, file: report.files[0]! };
}

test('unreadable inputs exit 2 with a clear message', async () => {
  const cases: Array<[string, RegExp]> = [
    [join(dir, 'missing.yaml'), /no such file/],
    [mkdtempSync(join(tmpdir(), 'cssh-empty-dir-')), /directory/], // a directory with no config files in it
    [file('binary.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff])), /binary/],
    [file('latin1.yaml', Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a])), /UTF-8/],
    [file('broken.yaml', 'ssh:\n  listen: [unclosed\n'), /not valid YAML/],
    [file('broken.json', '{"ssh": {"listen": }'), /not valid JSON/],
    [file('list.yaml', '- a\n- b\n'), /found a list/],
    [file('scalar.yaml', 'just some text\n'), /found a single value/],
  ];
  for (const [path, message] of cases) {
    const { report, file: result } = await single(path);
    assert.equal(report.exitCode, 2, path);
    assert.equal(result.readable, false);
    assert.equal(result.issues[0]?.code, 'CONFIG_UNREADABLE');
    assert.match(result.issues[0]?.message ?? '', message, path);
  }
});

test('syntax errors carry line and column', async () => {
  const { file: result } = await single(file('syntax.yaml', 'backend: docker\nssh: listen: x\n'));
  assert.equal(result.issues[0]?.line, 2);
  assert.ok(result.issues[0]?.column !== undefined);
});

test('an alias bomb is refused, not expanded', async () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 0; i < 8; i += 1) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);
  const { report, file: result } = await single(file('bomb.yaml', `${lines.join('\n')}\n`));
  assert.equal(report.exitCode, 2);
  assert.match(result.issues[0]?.message ?? '', /too many alias expansions/);
});

test('an alias to an anchor that does not exist is named as such, not called a bomb', async () => {
  const { report, file: result } = await single(file('dangling.yaml', 'ssh:\n  listen: *nosuch\n'));
  assert.equal(report.exitCode, 2);
  assert.equal(result.issues[0]?.message, 'the alias nosuch refers to no anchor defined before it');
});

test('duplicate keys and empty files are invalid (exit 1)', async () => {
  const dup = await single(file('dup.yaml', 'backend: docker\nbackend: docker\n'));
  assert.equal(dup.report.exitCode, 1);
  assert.equal(dup.file.issues[0]?.code, 'CONFIG_DUPLICATE_KEY');
  assert.equal(dup.file.issues[0]?.line, 2);
  assert.match(dup.file.issues[0]?.message ?? '', /^the key "backend" appears twice/);
  const empty = await single(file('empty.yaml', ''));
  assert.equal(empty.report.exitCode, 1);
  assert.equal(empty.file.issues[0]?.code, 'CONFIG_EMPTY');
  const comments = await single(file('comments.yaml', '# nothing here\n'));
  assert.equal(comments.file.issues[0]?.code, 'CONFIG_EMPTY');
});

test('--strict turns warnings into errors', async () => {
  const path = file('warn.yaml', 'auth:\n  password:\n    method: webhook\n    webhook: {url: "http://x"}\nkubernetes: {}\n');
  assert.equal((await validateFiles([path])).exitCode, 0);
  const strict = await validateFiles([path], { strict: true });
  assert.equal(strict.exitCode, 1);
  assert.equal(strict.files[0]?.issues[0]?.severity, 'error');
});

test('several files: the worst exit code wins and each file is reported', async () => {
  const good = file('good.yaml', 'auth:\n  password:\n    method: webhook\n    webhook: {url: "http://x"}\n');
  const bad = file('bad.yaml', 'backend: nope\n');
  const report = await validateFiles([good, bad]);
  assert.equal(report.exitCode, 1);
  assert.deepEqual(report.files.map((each) => each.valid), [true, false]);
  assert.equal((await validateFiles([good, bad, join(dir, 'none.yaml')])).exitCode, 2);
});

test('loadConfig(undefined) gives the defaults', async () => {
  const loaded = await loadConfig(undefined);
  assert.deepEqual(loaded.config, defaultConfig());
  assert.equal(loaded.source, '<defaults>');
  assert.equal(loaded.legacy, false);
});

test('loadConfig throws a ConfigError listing every error with file:line:col', async () => {
  const path = file('invalid.yaml', 'docker:\n  execution:\n    mode: pod\nsecurity:\n  maxSessions: -3\n');
  await assert.rejects(loadConfig(path), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.match(error.message, new RegExp(`${path}:3:11: docker.execution.mode: invalid execution mode`));
    assert.match(error.message, new RegExp(`${path}:5:16: security.maxSessions`));
    assert.equal(error.issues.filter((issue) => issue.severity === 'error').length, 2);
    return true;
  });
  await assert.rejects(loadConfig(join(dir, 'nope.yaml')), (error: unknown) => error instanceof ConfigError && error.code === 'CONFIG_UNREADABLE' && /no such file/.test(error.message));
});

test('loadConfig returns warnings and resolved values', async () => {
  const path = file('ok.yaml', 'auth:\n  password:\n    method: webhook\n    webhook: {url: "http://x", timeout: 3s}\ndocker:\n  execution:\n    container: {image: busybox, env: [A=1]}\n    host: {networkmode: none}\ngeoip: {}\n');
  const loaded = await loadConfig(path);
  assert.equal(loaded.config.auth.password.webhook.timeout, 3000);
  assert.deepEqual(loaded.config.docker.execution.container, { Image: 'busybox', Env: ['A=1'] });
  assert.deepEqual(loaded.config.docker.execution.host, { NetworkMode: 'none' });
  assert.deepEqual(loaded.warnings.map((warning) => warning.code), ['CONFIG_SECTION_IGNORED']);
  assert.equal(loaded.source, path);
});
