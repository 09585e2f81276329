// `cssh config validate` and `cssh config schema` through the real CLI (./bin/run.js, after npm run build):
// exit codes, the JSON output shape, GitHub annotations, stdin, and no stack traces for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cssh-validate-'));

function cli(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [join(root, 'bin/run.js'), ...args], { cwd: dir, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const VALID = 'auth:\n  password:\n    method: webhook\n    webhook:\n      url: http://127.0.0.1:8080\ndocker:\n  execution:\n    container:\n      image: busybox\n    host:\n      networkmode: none\n      resources: {memory: 536870912, pidslimit: 256, nanocpus: 1000000000}\n';
const INVALID = 'docker:\n  execution:\n    mode: pod\n';

interface JsonReport {
  ok: boolean;
  command: string;
  valid: boolean;
  exitCode: number;
  strict: boolean;
  errors: number;
  warnings: number;
  files: Array<{ file: string; readable: boolean; valid: boolean; legacy: boolean; errors: number; warnings: number; issues: Array<Record<string, unknown>> }>;
}

test('a valid file exits 0 and says so', () => {
  const result = cli(['config', 'validate', file('valid.yaml', VALID)]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /valid\.yaml: valid \(0 errors, 0 warnings\)/);
});

test('an invalid file exits 1 with file:line:col, path, expected and a hint', () => {
  const path = file('invalid.yaml', `${VALID}    imagePullPolicy: always\n${INVALID.replace('docker:\n  execution:\n', '')}`);
  const result = cli(['config', 'validate', path]);
  assert.equal(result.code, 1);
  assert.match(result.stdout, new RegExp(`${path}:13:22: error docker.execution.imagePullPolicy: invalid image pull policy: "always" \\[CONFIG_INVALID_VALUE\\]`));
  assert.match(result.stdout, /expected Always\|IfNotPresent\|Never/);
  assert.match(result.stdout, /hint: did you mean Always\?/);
  assert.ok(!(result.stdout + result.stderr).includes('\u001b['), 'no colour codes when NO_COLOR is set');
});

test('--json and --format json print the documented shape', () => {
  const path = file('shape.yaml', `${VALID}kubernetes: {}\nsecurty: {}\n`);
  for (const flag of [['--json'], ['--format', 'json']]) {
    const result = cli(['config', 'validate', ...flag, path]);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.deepEqual(Object.keys(report).sort(), ['command', 'errors', 'exitCode', 'files', 'ok', 'strict', 'valid', 'warnings']);
    assert.equal(report.command, 'config validate');
    assert.equal(report.ok, false);
    assert.equal(report.valid, false);
    assert.equal(report.exitCode, 1);
    assert.equal(report.errors, 1);
    assert.equal(report.warnings, 1);
    const [entry] = report.files;
    assert.ok(entry);
    assert.deepEqual(Object.keys(entry).sort(), ['errors', 'file', 'issues', 'legacy', 'readable', 'valid', 'warnings']);
    assert.deepEqual(entry.issues.map((issue) => [issue.severity, issue.code, issue.path, issue.line, issue.column]), [
      ['warning', 'CONFIG_SECTION_IGNORED', 'kubernetes', 13, 1],
      ['error', 'CONFIG_UNKNOWN_KEY', 'securty', 14, 1],
    ]);
    assert.equal(entry.issues[1]?.hint, 'did you mean security?');
    assert.equal(entry.issues[1]?.file, path);
  }
});

test('--strict makes warnings fail', () => {
  const path = file('warn.yaml', `${VALID}geoip: {}\n`);
  assert.equal(cli(['config', 'validate', path]).code, 0);
  assert.equal(cli(['config', 'validate', '--strict', path]).code, 1);
});

test('--format github prints workflow annotations', () => {
  const path = file('gh.yaml', INVALID);
  const result = cli(['config', 'validate', '--format', 'github', path]);
  assert.equal(result.code, 1);
  assert.match(result.stdout, new RegExp(`^::error file=${path},line=3,col=11,title=CONFIG_INVALID_VALUE::docker.execution.mode: invalid execution mode: "pod"`, 'm'));
  assert.match(result.stdout, /^::warning file=.*title=DOCKER_RESOURCES_UNLIMITED::/m);
  assert.match(result.stdout, /^::error file=.*title=AUTH_NONE_CONFIGURED::/m, 'serve would refuse it');
});

test('- reads stdin', () => {
  const result = cli(['config', 'validate', '-'], INVALID);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /<stdin>:3:11: error docker.execution.mode/);
});

test('unreadable and unparseable input exits 2 without a stack trace', () => {
  const bad: string[] = [
    join(dir, 'missing.yaml'),
    dir,
    file('garbage.yaml', Buffer.from([0, 159, 146, 150, 0, 1])),
    file('malformed.yaml', 'a: [\n'),
    file('malformed.json', '{"a":'),
  ];
  for (const path of bad) {
    const result = cli(['config', 'validate', path]);
    assert.equal(result.code, 2, path);
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, path);
    assert.match(result.stdout, /unreadable/);
  }
});

test('a legacy dockerrun file is invalid and names cssh config migrate', () => {
  const result = cli(['config', 'validate', '--json', join(root, 'test/fixtures/config/legacy-0.3.yaml')]);
  assert.equal(result.code, 1);
  const report = JSON.parse(result.stdout) as JsonReport;
  assert.equal(report.files[0]?.legacy, true);
  const issue = report.files[0]?.issues.find((each) => each.code === 'DOCKERRUN_LEGACY');
  assert.match(String(issue?.hint), /cssh config migrate/);
});

test('config schema prints a JSON Schema with the sections, defaults and ignored sections', () => {
  const result = cli(['config', 'schema']);
  assert.equal(result.code, 0);
  const schema = JSON.parse(result.stdout) as { $schema: string; properties: Record<string, { properties?: Record<string, { default?: unknown }> }> };
  assert.match(schema.$schema, /json-schema\.org/);
  for (const section of ['ssh', 'auth', 'backend', 'docker', 'security', 'log', 'metrics', 'health', 'configserver', 'kubernetes']) {
    assert.ok(section in schema.properties, section);
  }
  assert.equal(schema.properties.ssh?.properties?.listen?.default, '0.0.0.0:2222');
});
