// ContainerSSH operators' own files through `cssh config validate` and `config migrate`, as the CLI runs them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HARDENING_CODES } from '../../src/config/rules-hardening.js';
import { dockerTest } from '../support/docker.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'test/fixtures/containerssh');

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one cssh command from source in its own process, as an operator's shell would. */
function cssh(command: string, args: string[]): CliResult {
  const entry = `const { default: C } = await import(${JSON.stringify(join(ROOT, 'src/commands', `${command}.ts`))});
await C.run(process.argv.slice(1), ${JSON.stringify(join(ROOT, 'package.json'))});`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, '--', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface FileReport {
  file: string;
  valid: boolean;
  legacy: boolean;
  issues: { severity: string; code: string; line?: number; column?: number }[];
}

function codes(report: FileReport, severity: string): string[] {
  return report.issues.filter((i) => i.severity === severity).map((i) => i.code);
}

test('every operator fixture validates in one run (--offline: the servers\' own files are not here); legacy dockerrun files, placeholder PEMs and what serve refuses are the only errors, each at a line', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => join(FIXTURES, f));
  const r = cssh('config/validate', ['--json', '--offline', ...files]);
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout) as { files: FileReport[] };
  assert.equal(out.files.length, files.length);
  for (const report of out.files) {
    const name = report.file.split('/').pop() ?? '';
    if (name.startsWith('dockerrun-')) {
      assert.equal(report.legacy, true, name);
      assert.deepEqual(codes(report, 'error'), ['DOCKERRUN_LEGACY'], name);
      continue;
    }
    if (name === 'honeypot-guide-placeholders.yaml') {
      // Each placeholder at its own line: cert, key, then the empty cacert.
      const pem = report.issues.filter((i) => i.code === 'CONFIG_PEM_INVALID');
      assert.deepEqual(pem.map((i) => [i.severity, i.line, i.column]), [['error', 15, 11], ['error', 19, 10], ['error', 23, 13]], name);
      assert.deepEqual(codes(report, 'error'), ['CONFIG_PEM_INVALID', 'CONFIG_PEM_INVALID', 'CONFIG_PEM_INVALID'], name);
      continue;
    }
    if (name === 'sshproxy-backend.yaml' || name === 'kerberos-docs.yaml') {
      // Valid ContainerSSH files that cssh serve refuses (no sshproxy backend; no login method it implements).
      assert.deepEqual(codes(report, 'error'), [name === 'sshproxy-backend.yaml' ? 'BACKEND_NOT_IMPLEMENTED' : 'AUTH_NO_USABLE_METHOD'], name);
      continue;
    }
    assert.equal(report.valid, true, `${name}: ${JSON.stringify(report.issues)}`);
    for (const issue of report.issues) assert.ok(issue.line !== undefined && issue.line > 0, `${name}: ${issue.code} has no line`);
  }
  const byName = new Map(out.files.map((f) => [f.file.split('/').pop(), f]));
  const ignored = byName.get('unimplemented-sections.yaml');
  const notHardening = (list: string[] | undefined) => list?.filter((code) => !HARDENING_CODES.includes(code)); // advice, tested elsewhere
  assert.deepEqual(notHardening(ignored && codes(ignored, 'warning')), ['CONFIG_SECTION_IGNORED', 'CONFIG_SECTION_IGNORED', 'CONFIG_SECTION_IGNORED']);
  const proxy = byName.get('sshproxy-backend.yaml');
  assert.ok(proxy && codes(proxy, 'error').includes('BACKEND_NOT_IMPLEMENTED'));
  const kerberos = byName.get('kerberos-docs.yaml');
  assert.deepEqual(kerberos && codes(kerberos, 'warning').filter((c) => c.startsWith('AUTH_')), ['AUTH_METHOD_NOT_IMPLEMENTED', 'AUTH_METHOD_NOT_IMPLEMENTED']);
  for (const example of ['containerssh-0.4.1-example.yaml', 'containerssh-0.6-example.yaml']) {
    assert.deepEqual(byName.get(example) && codes(byName.get(example) as FileReport, 'error'), [], example);
  }
  const builtin = byName.get('current-builtin.json');
  assert.deepEqual(builtin?.issues, [], 'the JSON file with Docker API spellings and nanosecond numbers is clean');
});

test('0.3 dockerrun files (YAML and JSON) migrate to a config that validates and migrates to itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-compat-migrate-'));
  for (const name of ['dockerrun-0.3.yaml', 'dockerrun-0.3.json']) {
    const source = join(dir, name);
    copyFileSync(join(FIXTURES, name), source);
    const target = join(dir, `migrated-${name}`);
    const migrated = cssh('config/migrate', ['--output', target, source]);
    assert.equal(migrated.status, 0, migrated.stderr);
    assert.match(migrated.stderr, /mode[^\n]*session/, 'the choice of session mode is reported');
    const valid = cssh('config/validate', ['--json', '--offline', target]);
    assert.equal(valid.status, 0, valid.stdout);
    const check = cssh('config/migrate', ['--check', target]);
    assert.equal(check.status, 0, `${name}: the migrated file still needs migrating\n${check.stderr}`);
  }
});

dockerTest('a honeypot-style locked-down container (numeric user, read-only root, tmpfs, resource limits) runs as written', () => {
  // Only what this machine cannot offer changes: the local engine, a local image, no network.
  const yaml = readFileSync(join(FIXTURES, 'honeypot-style.yaml'), 'utf8')
    .replace('host: tcp://docker-vm:2376', 'host: unix:///var/run/docker.sock')
    .replace(/ {4}(cert|key|cacert): \|\n/g, '')
    .replace('containerssh/containerssh-guest-image', 'cssh-test/bash:latest')
    .replace('workingdir: /home/ubuntu', 'workingdir: /tmp')
    .replace('      readonlyrootfs: true', '      networkmode: none\n      readonlyrootfs: true');
  const config = join(mkdtempSync(join(tmpdir(), 'cssh-compat-hp-')), 'cssh.yaml');
  writeFileSync(config, yaml);
  const script = 'id -u; hostname; pwd; touch /x 2>/dev/null || echo read-only; touch /tmp/y && echo tmp-ok; exit 7';
  const r = cssh('exec-test', ['--config', config, '--', script]);
  assert.equal(r.status, 7, r.stderr);
  assert.equal(r.stdout, '1000\ndb-prod-3\n/tmp\nread-only\ntmp-ok\n');
});
