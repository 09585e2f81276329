// `config validate` for CI: directories and globs, --ignore, --offline, a .cssh-validate.yaml, SARIF output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const bin = new URL('../../bin/run.js', import.meta.url).pathname;

/** A repository-like folder: one config valid but for a server-only host key path, one with a bad mode. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-validate-ci-'));
  mkdirSync(join(dir, 'configs', 'team'), { recursive: true });
  writeFileSync(join(dir, 'configs', 'good.yaml'), [
    'ssh:', '  hostkeys:', '    - /etc/cssh/ssh_host_ed25519_key',
    'auth:', '  publicKey:', '    method: authorizedkeys', '    authorizedKeys:', '      path: /home/{username}/.ssh/authorized_keys',
    'docker:', '  execution:', '    container:', '      image: busybox',
    '    host:', '      Memory: 536870912', '      PidsLimit: 256', '      NanoCpus: 1000000000', '',
  ].join('\n'));
  writeFileSync(join(dir, 'configs', 'team', 'bad.yml'), 'docker:\n  execution:\n    mode: pod\n');
  writeFileSync(join(dir, 'configs', 'README.md'), '# not a config\n');
  return dir;
}

function validate(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'config', 'validate', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a directory is every YAML/JSON file under it; a quoted glob is expanded', () => {
  const dir = workspace();
  const all = validate(dir, '--json', '--offline', 'configs');
  assert.equal(all.code, 1, all.stdout + all.stderr);
  const report = JSON.parse(all.stdout) as { files: { file: string; valid: boolean }[] };
  assert.deepEqual(report.files.map((f) => [f.file, f.valid]), [['configs/good.yaml', true], ['configs/team/bad.yml', false]]);
  const globbed = JSON.parse(validate(dir, '--json', 'configs/**/*.yml').stdout) as { files: { file: string }[] };
  assert.deepEqual(globbed.files.map((f) => f.file), ['configs/team/bad.yml']);
});

test('--offline skips server-only file checks; --ignore drops a code; strict then passes', () => {
  const dir = workspace();
  const strict = validate(dir, 'configs/good.yaml');
  assert.equal(strict.code, 1, 'the missing host key path fails here: serve would not start on this machine');
  assert.match(strict.stdout, /CONFIG_FILE_NOT_FOUND/);
  const offline = validate(dir, '--strict', '--offline', 'configs/good.yaml');
  assert.equal(offline.code, 0, offline.stdout);
  const ignored = validate(dir, '--strict', '--ignore', 'CONFIG_FILE_NOT_FOUND', 'configs/good.yaml');
  assert.equal(ignored.code, 0, ignored.stdout);
  assert.doesNotMatch(ignored.stdout, /CONFIG_FILE_NOT_FOUND/);
});

test('.cssh-validate.yaml sets ignore/offline/strict for everyone; a bad one is exit 2 naming the key', () => {
  const dir = workspace();
  writeFileSync(join(dir, '.cssh-validate.yaml'), 'strict: true\noffline: true\n');
  assert.equal(validate(dir, 'configs/good.yaml').code, 0);
  writeFileSync(join(dir, '.cssh-validate.yaml'), 'strict: true\n');
  assert.equal(validate(dir, 'configs/good.yaml').code, 1, 'strict from the settings file');
  writeFileSync(join(dir, '.cssh-validate.yaml'), 'ignroe: [X]\n');
  const bad = validate(dir, 'configs/good.yaml');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /\.cssh-validate\.yaml: unknown key "ignroe"/);
});

test('--format sarif is a SARIF 2.1.0 log with one result per issue at its line and column', () => {
  const dir = workspace();
  const r = validate(dir, '--format', 'sarif', 'configs');
  assert.equal(r.code, 1);
  const log = JSON.parse(r.stdout) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn?: number } } }[] }[] }[] };
  assert.equal(log.version, '2.1.0');
  const run = log.runs[0];
  assert.ok(run);
  const bad = run.results.find((result) => result.ruleId === 'CONFIG_INVALID_VALUE');
  assert.ok(bad, r.stdout);
  assert.equal(bad.level, 'error');
  assert.deepEqual(bad.locations[0]?.physicalLocation, { artifactLocation: { uri: 'configs/team/bad.yml' }, region: { startLine: 3, startColumn: 11 } });
  assert.ok(run.tool.driver.rules.some((rule) => rule.id === 'CONFIG_INVALID_VALUE'));
});
