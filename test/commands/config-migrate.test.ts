// `cssh config migrate` through the real CLI: stdout/stderr split, --output, --write with a backup, --check, --json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cssh-migrate-'));
const fixture = (name: string): string => join(root, 'test/fixtures/config', name);

function cli(args: string[]) {
  const result = spawnSync(process.execPath, [join(root, 'bin/run.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function copy(name: string): string {
  const path = join(dir, name);
  copyFileSync(fixture(name), path);
  return path;
}

test('migrated YAML on stdout, every change on stderr; the result validates and migrates to itself', () => {
  const result = cli(['config', 'migrate', fixture('legacy-0.3-custom.yaml')]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /mode: session/);
  assert.doesNotMatch(result.stdout, /dockerrun/);
  assert.match(result.stderr, /changed docker\.execution\.imagePullPolicy: Always/);
  assert.match(result.stderr, /note docker\.execution\.idleCommand/);
  const out = join(dir, 'out.yaml');
  assert.equal(cli(['config', 'migrate', fixture('legacy-0.3-custom.yaml'), '--output', out]).code, 0);
  assert.equal(readFileSync(out, 'utf8'), result.stdout);
  assert.equal(cli(['config', 'validate', '--offline', out]).code, 0, 'valid but for the server\'s own files');
  const again = cli(['config', 'migrate', out]);
  assert.equal(again.stdout, result.stdout);
  assert.match(again.stderr, /nothing to migrate/);
});

test('--check exits 1 for a legacy file and 0 for a current one, printing nothing on stdout', () => {
  const legacy = cli(['config', 'migrate', '--check', fixture('legacy-0.3.json')]);
  assert.equal(legacy.code, 1);
  assert.equal(legacy.stdout, '');
  const out = join(dir, 'current.json');
  assert.equal(cli(['config', 'migrate', fixture('legacy-0.3.json'), '-o', out]).code, 0);
  assert.equal(cli(['config', 'migrate', '--check', out]).code, 0);
});

test('--write rewrites the file and keeps FILE.bak', () => {
  const path = copy('legacy-0.3.yaml');
  const original = readFileSync(path, 'utf8');
  const result = cli(['config', 'migrate', '--write', path]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(readFileSync(`${path}.bak`, 'utf8'), original);
  assert.match(readFileSync(path, 'utf8'), /imagePullPolicy: Always/);
  // The 0.3 file configures no login method, which only stops serve.
  assert.equal(cli(['config', 'validate', '--ignore', 'AUTH_NONE_CONFIGURED', path]).code, 0);
});

test('--json prints the documented shape', () => {
  const result = cli(['config', 'migrate', '--json', fixture('legacy-0.3.yaml')]);
  assert.equal(result.code, 0);
  const report = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(report).sort(), ['changed', 'command', 'exitCode', 'file', 'issues', 'notes', 'ok', 'output', 'readable', 'valid', 'version']);
  assert.deepEqual(report.version, { version: '0.3', source: 'default', reason: 'the file does not show its version, so the stricter 0.3 reading is used' });
  assert.equal(report.changed, true);
  assert.equal(report.valid, true);
  const notes = report.notes as Array<{ kind: string; path: string; message: string }>;
  assert.ok(notes.some((note) => note.kind === 'change' && note.path === 'docker.execution.mode'));
});

test('unreadable input exits 2 without a stack trace; --write refuses stdin as a usage error (64)', () => {
  const missing = cli(['config', 'migrate', join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file/);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
  assert.equal(existsSync(join(dir, 'nope.yaml.bak')), false);
  assert.equal(cli(['config', 'migrate', '--write', '-']).code, 64);
});

test('--from 0.3|0.4: --help states the default; the choice is written out and warned about only when assumed', () => {
  const help = cli(['config', 'migrate', '--help']);
  assert.match(help.stdout, /--from=<option>[\s\S]*default: 0\.4\s+if FILE has a section 0\.3 lacked, else 0\.3/);
  const assumed = cli(['config', 'migrate', fixture('legacy-0.3-custom.yaml')]);
  assert.equal(assumed.code, 0, assumed.stderr);
  assert.match(assumed.stdout, /publicKey:\n {4}method: ""/);
  assert.match(assumed.stdout, /subsystem:\n {4}mode: disable/);
  assert.match(assumed.stderr, /warning auth\.publicKey: public-key login stays off.*--from 0\.4/);
  assert.match(assumed.stderr, /warning security\.subsystem\.mode: subsystems such as sftp are refused too/);
  const chosen = cli(['config', 'migrate', '--from', '0.4', fixture('legacy-0.3-custom.yaml')]);
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.match(chosen.stdout, /publicKey:\n {4}method: webhook/);
  assert.match(chosen.stdout, /subsystem:\n {4}mode: enable/);
  assert.doesNotMatch(chosen.stderr, /warning /);
  assert.equal(cli(['config', 'migrate', '--from', '0.5', fixture('legacy-0.3-custom.yaml')]).code, 64, 'a bad --from is a usage error');
});
