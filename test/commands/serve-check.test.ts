// `cssh serve --check` agrees with `cssh config validate` on every config fixture, good and bad: valid means serve starts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkServe } from '../../src/app-check.js';
import { validateFiles } from '../../src/config/validate-files.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'test/fixtures');
const bin = join(ROOT, 'bin/run.js');

function configFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return configFiles(path);
    return /\.(ya?ml|json)$/.test(name) ? [path] : [];
  });
}

const errorCodes = (issues: { severity: string; code: string }[]): string[] =>
  [...new Set(issues.filter((issue) => issue.severity === 'error').map((issue) => issue.code))].sort();

const files = configFiles(FIXTURES);

test('the fixture set has good and bad files in every folder', () => {
  assert.ok(files.length >= 30, `${files.length} fixtures`);
  assert.ok(files.some((file) => file.includes('/sections/')));
  assert.ok(files.some((file) => file.includes('/serve-check/')));
});

test('every fixture: serve --check passes exactly when validate does, with the same error codes', async () => {
  const stateDir = join(mkdtempSync(join(tmpdir(), 'cssh-check-')), 'state');
  let valid = 0;
  for (const file of files) {
    const name = file.slice(FIXTURES.length + 1);
    const validated = await validateFiles([file]);
    const checked = await checkServe({ file, stateDir });
    const report = validated.files[0];
    assert.ok(report !== undefined, name);
    // The one intended difference: validate wants a 0.3 dockerrun file migrated; serve converts it in memory.
    const validateCodes = errorCodes(report.issues).filter((code) => code !== 'DOCKERRUN_LEGACY');
    const validateExit = report.legacy && validateCodes.length === 0 ? 0 : validated.exitCode;
    assert.equal(checked.exitCode, validateExit, `${name}: validate ${validated.exitCode} ${JSON.stringify(report.issues)}\nserve --check ${checked.exitCode} ${JSON.stringify(checked.files[0]?.issues)}`);
    assert.deepEqual(errorCodes(checked.files[0]?.issues ?? []), validateCodes, name);
    if (checked.exitCode === 0) valid++;
  }
  assert.ok(valid >= 12, `${valid} fixtures serve would start with`);
});

test('serve --check on the CLI: exit 0/1/2, the validate report with --json, nothing bound', () => {
  const stateDir = join(mkdtempSync(join(tmpdir(), 'cssh-check-cli-')), 'state');
  const run = (file: string, ...more: string[]) =>
    spawnSync(process.execPath, [bin, 'serve', '--check', '--config', join(FIXTURES, file), '--state-dir', stateDir, ...more], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const good = run('containerssh/sections/metrics.yaml');
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /metrics\.yaml: valid \(0 errors/);
  const clash = run('serve-check/listen-clash-wildcard.yaml', '--json');
  assert.equal(clash.status, 1, clash.stderr);
  const report = JSON.parse(clash.stdout) as { exitCode: number; files: { issues: { code: string; path: string; line?: number }[] }[] };
  assert.equal(report.exitCode, 1);
  assert.deepEqual(report.files[0]?.issues.map((issue) => [issue.code, issue.path, issue.line]), [['CONFIG_LISTEN_CONFLICT', 'metrics.listen', 20]]);
  assert.equal(run('serve-check/unparsable.yaml').status, 2);
});

test('serve --check without --config checks the zero-config defaults and an unusable state directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-check-zero-'));
  const ok = spawnSync(process.execPath, [bin, 'serve', '--check', '--state-dir', join(dir, 'state')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.throws(() => statSync(join(dir, 'state')), 'nothing was created');
  const bad = spawnSync(process.execPath, [bin, 'serve', '--check', '--state-dir', join(bin, 'state')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /ssh\.hostkeys: no host key is configured and the state directory .* cannot be created or written/);
});
