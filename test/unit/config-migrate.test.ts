// Migration of legacy configs: the 0.3 fixtures (YAML and JSON), behaviour-preserving choices, comments, idempotence,
// the output validating, and loadConfig converting exactly as migrate does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/index.js';
import { migrateText } from '../../src/config/migrate-file.js';
import { parseSource } from '../../src/config/source.js';
import { analyzeSource } from '../../src/config/analyze.js';

const fixture = (name: string): string => new URL(`../fixtures/config/${name}`, import.meta.url).pathname;
const read = (name: string): string => readFileSync(fixture(name), 'utf8');

function resolved(text: string, name: string) {
  const parsed = parseSource(text, name);
  assert.ok(parsed.ok);
  return analyzeSource(parsed.source, 'validate');
}

for (const name of ['legacy-0.3.yaml', 'legacy-0.3.json', 'legacy-0.3-custom.yaml']) {
  test(`${name} migrates, validates, and migrates to itself`, () => {
    const report = migrateText(read(name), name);
    assert.equal(report.changed, true);
    assert.equal(report.valid, true, JSON.stringify(report.issues));
    const again = migrateText(report.output, name);
    assert.equal(again.changed, false);
    assert.equal(again.output, report.output);
  });
}

test('the 0.3 fixture keeps its behaviour: session mode, Always, no agent, 60s everywhere, guest image', () => {
  const report = migrateText(read('legacy-0.3.yaml'), 'legacy-0.3.yaml');
  const { config } = resolved(report.output, 'out.yaml');
  assert.equal(config.backend, 'docker');
  assert.equal(config.docker.execution.mode, 'session');
  assert.equal(config.docker.execution.imagePullPolicy, 'Always');
  assert.equal(config.docker.execution.disableAgent, true);
  assert.deepEqual(config.docker.execution.shellCommand, []);
  assert.equal(config.docker.execution.container.Image, 'containerssh/containerssh-guest-image');
  assert.deepEqual(config.docker.execution.subsystems, { sftp: '/usr/lib/openssh/sftp-server' });
  assert.deepEqual(Object.values(config.docker.timeouts), [60_000, 60_000, 60_000, 60_000, 60_000, 60_000]);
  assert.equal(config.docker.connection.host, '');
  assert.equal(config.ssh.listen, '0.0.0.0:2222');
  assert.equal(config.security.command.mode, '');
});

test('the JSON fixture gives the same config as the YAML one', () => {
  const yaml = resolved(migrateText(read('legacy-0.3.yaml'), 'a.yaml').output, 'a.yaml').config;
  const json = resolved(migrateText(read('legacy-0.3.json'), 'a.json').output, 'a.json').config;
  assert.deepEqual(json.docker, yaml.docker);
  assert.doesNotThrow(() => JSON.parse(migrateText(read('legacy-0.3.json'), 'a.json').output) as unknown);
});

test('customised 0.3 config: TLS, timeout to all six, disableCommand, cmd as the shell, the old auth.url', () => {
  const report = migrateText(read('legacy-0.3-custom.yaml'), 'c.yaml', { from: '0.4' });
  const { config } = resolved(report.output, 'c.yaml');
  assert.equal(config.docker.connection.host, 'tcp://10.0.0.5:2376');
  assert.equal(config.docker.connection.cacert, '/etc/cssh/ca.pem');
  assert.deepEqual(Object.values(config.docker.timeouts), [30_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
  assert.equal(config.security.command.mode, 'disable');
  assert.deepEqual(config.docker.execution.shellCommand, ['/bin/ash', '-l']);
  assert.deepEqual(config.docker.execution.host, { NetworkMode: 'none' });
  assert.equal(config.auth.password.webhook.url, 'http://127.0.0.1:8080');
  assert.equal(config.auth.publicKey.webhook.timeout, 5000);
  assert.match(report.output, /# the auth webhook/);
  assert.equal(report.output.match(/# the auth webhook/g)?.length, 1);
  assert.match(report.output, /^# A customised 0.3 config/);
  const paths = report.notes.map((note) => note.path);
  for (const path of ['docker.execution.mode', 'docker.execution.imagePullPolicy', 'docker.execution.disableAgent', 'docker.timeouts', 'security.command.mode', 'docker.execution.idleCommand', 'backend']) {
    assert.ok(paths.includes(path), path);
  }
});

test('comments and key order survive', () => {
  const report = migrateText(read('legacy-0.3.yaml'), 'legacy-0.3.yaml');
  assert.match(report.output, /^# ContainerSSH 0.3 configuration/);
  assert.match(report.output, /image: containerssh\/containerssh-guest-image # the guest image/);
  assert.ok(report.output.indexOf('ssh:\n  listen: 0.0.0.0:2222') < report.output.indexOf('docker:'), 'ssh takes the place of the old listen');
});

test('a current config needs no migration and comes back byte for byte', () => {
  const text = '# mine\nbackend: docker   # spacing kept\ndocker:\n  execution: {mode: session}\n';
  const report = migrateText(text, 'x.yaml');
  assert.equal(report.changed, false);
  assert.equal(report.output, text);
  assert.deepEqual(report.notes, []);
});

test('dockerrun next to backend: docker is unused and dropped', () => {
  const report = migrateText('backend: docker\ndockerrun:\n  host: unix:///x\n', 'x.yaml');
  assert.equal(report.changed, true);
  assert.doesNotMatch(report.output, /dockerrun/);
  assert.match(report.notes[0]?.message ?? '', /unused/);
});

test('loadConfig converts a legacy file exactly as migrate does, with DOCKERRUN_DEPRECATED naming the command', async () => {
  const loaded = await loadConfig(fixture('legacy-0.3-custom.yaml'));
  assert.equal(loaded.legacy, true);
  const warning = loaded.warnings.find((issue) => issue.code === 'DOCKERRUN_DEPRECATED');
  assert.match(warning?.hint ?? '', /cssh config migrate/);
  const migrated = resolved(migrateText(read('legacy-0.3-custom.yaml'), 'c.yaml').output, 'c.yaml').config;
  assert.deepEqual(loaded.config, migrated);
});

test('unreadable input gives a report, not an exception', () => {
  const report = migrateText('a: [', 'x.yaml');
  assert.equal(report.readable, false);
  assert.equal(report.issues[0]?.code, 'CONFIG_UNREADABLE');
});

test('backend: dockerrun alone converts the 0.3 defaults', () => {
  const report = migrateText('backend: dockerrun\n', 'x.yaml');
  assert.equal(report.changed, true);
  const { config } = resolved(report.output, 'x.yaml');
  assert.equal(config.backend, 'docker');
  assert.equal(config.docker.execution.mode, 'session');
  assert.equal(config.docker.execution.container.Image, 'containerssh/containerssh-guest-image');
  assert.equal(config.docker.timeouts.http, 60_000);
});

test('top-level listen joins an existing ssh section, or loses to its ssh.listen', () => {
  const joined = resolved(migrateText('ssh:\n  banner: hi\nlisten: 127.0.0.1:2022\n', 'x.yaml').output, 'x.yaml').config;
  assert.equal(joined.ssh.listen, '127.0.0.1:2022');
  assert.equal(joined.ssh.banner, 'hi');
  const report = migrateText('ssh:\n  listen: 0.0.0.0:22\nlisten: 127.0.0.1:2022\n', 'x.yaml');
  assert.equal(resolved(report.output, 'x.yaml').config.ssh.listen, '0.0.0.0:22');
  assert.match(report.notes[0]?.message ?? '', /already set/);
});

test('comments inside the dockerrun block are kept once', () => {
  const text = 'dockerrun:\n  # engine notes\n  cacert: ""\n  config:\n    # the image we ship\n    container:\n      image: busybox\n    # three seconds\n    timeout: 3s\n';
  const report = migrateText(text, 'x.yaml');
  for (const comment of ['# engine notes', '# the image we ship', '# three seconds']) {
    assert.equal(report.output.split(comment).length - 1, 1, comment);
  }
  assert.equal(report.valid, true);
});

test('--from decides what 0.3 and 0.4 read differently, writes it out, and warns only when it was assumed', () => {
  const v03 = migrateText(read('legacy-0.3-custom.yaml'), 'c.yaml');
  assert.deepEqual([v03.version.version, v03.version.source], ['0.3', 'default']);
  const c03 = resolved(v03.output, 'c.yaml').config;
  assert.equal(c03.auth.publicKey.method, '', '0.3 defaulted auth.pubkey to false');
  assert.equal(c03.security.subsystem.mode, 'disable', '0.3 disableCommand refused subsystems too');
  assert.match(v03.output, /publicKey:\n {4}method: "" # off: ContainerSSH 0\.3 left auth\.pubkey false when unset/);
  assert.match(v03.output, /subsystem:\n {4}mode: disable # ContainerSSH 0\.3's disableCommand also refused subsystems/);
  const warnings = v03.notes.filter((note) => note.kind === 'warning');
  assert.deepEqual(warnings.map((note) => note.path), ['auth.publicKey', 'security.subsystem.mode']);
  for (const warning of warnings) assert.match(warning.message, /--from 0\.4/);

  const v04 = migrateText(read('legacy-0.3-custom.yaml'), 'c.yaml', { from: '0.4' });
  const c04 = resolved(v04.output, 'c.yaml').config;
  assert.equal(c04.auth.publicKey.method, 'webhook', '0.4 defaulted auth.pubkey to true');
  assert.equal(c04.security.subsystem.mode, 'enable', '0.4 disableCommand refused commands only');
  assert.match(v04.output, /subsystem:\n {4}mode: enable # ContainerSSH 0\.4's disableCommand refused commands only/);
  assert.deepEqual(v04.notes.filter((note) => note.kind === 'warning'), [], 'nothing assumed with --from');
  assert.ok(v04.notes.some((note) => note.kind === 'note' && /--from 0\.4/.test(note.message)));

  // A file with a section 0.3 never had is read as 0.4 without --from, and says why.
  const evident = migrateText('auth:\n  url: http://a:8080\nhealth:\n  enable: true\n', 'x.yaml');
  assert.deepEqual([evident.version.version, evident.version.source], ['0.4', 'file']);
  assert.equal(resolved(evident.output, 'x.yaml').config.auth.publicKey.method, 'webhook');
  assert.deepEqual(evident.notes.filter((note) => note.kind === 'warning'), []);
});

test('an explicit auth.pubkey or a security.defaultMode needs no version; a set subsystem mode is kept', () => {
  const explicit = migrateText('auth:\n  url: http://a:8080\n  pubkey: true\n', 'x.yaml');
  assert.deepEqual(explicit.notes.filter((note) => note.kind === 'warning'), []);
  assert.equal(resolved(explicit.output, 'x.yaml').config.auth.publicKey.method, 'webhook');
  const kept = migrateText('dockerrun:\n  config:\n    disableCommand: true\nsecurity:\n  subsystem:\n    mode: filter\n    allow: [sftp]\n', 'x.yaml');
  assert.equal(resolved(kept.output, 'x.yaml').config.security.subsystem.mode, 'filter');
  assert.ok(kept.notes.some((note) => note.path === 'security.subsystem.mode' && /kept "filter"/.test(note.message)));
});

test('migrate reports problems at their place in the input file, not in the migrated output', () => {
  const text = '# one\n# two\n# three\nlisten: 0.0.0.0:2222\ndockerrun:\n  config:\n    container:\n      image: busybox\n    timeout: 5x\nauth:\n  url: ftp://nowhere\n  pubkey: true\n';
  const report = migrateText(text, 'old.yaml');
  assert.equal(report.valid, false);
  const duration = report.issues.find((issue) => issue.code === 'CONFIG_DURATION');
  assert.deepEqual([duration?.file, duration?.line, duration?.column], ['old.yaml', 9, 14]);
  const url = report.issues.find((issue) => issue.code === 'CONFIG_URL_INVALID');
  assert.deepEqual([url?.file, url?.line], ['old.yaml', 11]);
  assert.equal(report.output.split('\n')[url?.line === undefined ? 0 : url.line - 1]?.includes('ftp://'), false, 'the output has moved that line');
  assert.equal(report.issues.filter((issue) => issue.code === 'CONFIG_DURATION').length, 1, 'one source value copied to six timeouts is one issue');
});
