// The deployment examples hold together: every example config validates, the systemd unit and the compose file point at them and stop no sooner than cssh drains.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseGoDuration } from '../../src/config/duration.js';

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'bin', 'run.js');
const examples = join(root, 'examples');

function validate(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [bin, 'config', 'validate', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** Seconds of a Go duration string from a config (`30s`). */
function seconds(value: string): number {
  const ns = parseGoDuration(value);
  assert.ok(ns !== undefined, `${value} is a duration`);
  return ns / 1e9;
}

/** `shutdownTimeout` of an example config, in seconds (30 s when the file leaves the default). */
function shutdownSeconds(config: string): number {
  const doc = parse(readFileSync(join(examples, 'configs', config), 'utf8')) as { ssh?: { shutdownTimeout?: string } };
  return seconds(doc.ssh?.shutdownTimeout ?? '30s');
}

test('every example config is valid with --strict --offline; without --offline only the server\'s own files are missing', () => {
  const strict = validate('--strict', '--offline', 'examples/configs');
  assert.equal(strict.code, 0, strict.out);
  assert.match(strict.out, /systemd\.yaml: valid/);
  assert.match(strict.out, /container\.yaml: valid/);
  assert.match(strict.out, /replicas\.yaml: valid/);
  // Without --offline the only complaints are the server's own files (host keys, certificates) missing here.
  const json = validate('--json', 'examples/configs');
  const report = JSON.parse(json.out) as { files: { issues: { code: string }[] }[] };
  const codes = new Set(report.files.flatMap((f) => f.issues.map((i) => i.code)));
  assert.deepEqual([...codes].filter((c) => c !== 'CONFIG_FILE_NOT_FOUND'), []);
});

test('the systemd unit runs serve on the example config, keeps state, and waits longer than the drain', (t) => {
  const unit = readFileSync(join(examples, 'systemd', 'cssh.service'), 'utf8');
  const setting = (key: string): string => {
    const m = new RegExp(`^${key}=(.*)$`, 'm').exec(unit);
    assert.ok(m?.[1] !== undefined, `cssh.service sets ${key}`);
    return m[1];
  };
  assert.equal(setting('ExecStart'), '/opt/cssh/bin/run.js serve --config /etc/cssh/cssh.yaml --state-dir %S/cssh');
  assert.equal(setting('StateDirectory'), 'cssh');
  assert.equal(setting('Restart'), 'on-failure');
  assert.equal(setting('KillSignal'), 'SIGTERM');
  assert.match(unit, /install -m 0640 -o root -g cssh examples\/configs\/systemd\.yaml \/etc\/cssh\/cssh\.yaml/);
  assert.ok(seconds(setting('TimeoutStopSec')) >= shutdownSeconds('systemd.yaml') + 60, 'TimeoutStopSec leaves a minute for removals after ssh.shutdownTimeout');

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (analyze.status !== 0) {
    t.diagnostic('systemd-analyze is not installed here: the unit file syntax was not verified');
    return;
  }
  // systemd-analyze verify checks the directives and that ExecStart is executable: point it at this checkout.
  const dir = mkdtempSync(join(tmpdir(), 'cssh-unit-'));
  try {
    const file = join(dir, 'cssh.service');
    writeFileSync(file, unit.replaceAll('/opt/cssh', root.replace(/\/$/, '')));
    const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    assert.equal(verify.stderr.trim(), '', verify.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the compose file mounts the example config, checks health on its port, and waits longer than the drain', () => {
  const composeDir = join(examples, 'compose');
  const compose = parse(readFileSync(join(composeDir, 'compose.yaml'), 'utf8')) as {
    services: { cssh: { build: { context: string; dockerfile: string }; command: string[]; volumes: string[]; stop_signal: string; stop_grace_period: string; healthcheck: { test: string[] } } };
  };
  const cssh = compose.services.cssh;
  const context = resolve(composeDir, cssh.build.context);
  assert.equal(context.replace(/\/$/, ''), root.replace(/\/$/, ''), 'the image is built from the repository root');
  assert.ok(existsSync(join(context, cssh.build.dockerfile)));

  const config = cssh.volumes.find((v) => v.endsWith(':/etc/cssh/cssh.yaml:ro'));
  assert.ok(config, 'the config is mounted at /etc/cssh/cssh.yaml');
  assert.equal(resolve(composeDir, config.split(':')[0]!), join(examples, 'configs', 'container.yaml'));
  assert.ok(cssh.volumes.includes('/var/run/docker.sock:/var/run/docker.sock'));
  assert.deepEqual(cssh.command.slice(0, 5), ['serve', '--config', '/etc/cssh/cssh.yaml', '--state-dir', '/var/lib/cssh']);
  assert.ok(cssh.volumes.some((v) => v.endsWith(':/var/lib/cssh')), 'the state directory is a volume');

  assert.equal(cssh.stop_signal, 'SIGTERM');
  assert.ok(seconds(cssh.stop_grace_period) >= shutdownSeconds('container.yaml') + 60);

  const health = (parse(readFileSync(join(examples, 'configs', 'container.yaml'), 'utf8')) as { health: { enable: boolean } }).health;
  assert.equal(health.enable, true, 'the container config turns the health endpoint on for cssh healthcheck');
  // The HEALTHCHECK is `cssh healthcheck` on serve's own config, in compose.yaml and in the image alike.
  const probe = ['CMD', '/opt/cssh/bin/run.js', 'healthcheck', '--config', '/etc/cssh/cssh.yaml'];
  assert.deepEqual(cssh.healthcheck.test, probe);
  const dockerfile = readFileSync(join(composeDir, 'Dockerfile'), 'utf8');
  assert.ok(dockerfile.includes(`HEALTHCHECK `) && dockerfile.includes(JSON.stringify(probe.slice(1)).replaceAll(',', ', ')), 'Dockerfile HEALTHCHECK runs the same probe as compose.yaml');
  assert.match(dockerfile, /^ENTRYPOINT \["\/opt\/cssh\/bin\/run\.js"\]$/m);
  assert.ok(existsSync(join(dirname(join(composeDir, 'Dockerfile')), 'Dockerfile.dockerignore')));
});
