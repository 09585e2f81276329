// Config-server merging (as ContainerSSH does): non-zero values override, maps merge, lists replace, Docker keys any case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, mergeConfig } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/index.js';

function base(): AppConfig {
  const config = defaultConfig();
  config.docker.execution.container = { Image: 'busybox', Env: ['A=1'], Labels: { team: 'a' } };
  config.docker.execution.host = { NetworkMode: 'none', Memory: 100 };
  return config;
}

test('non-zero values override; zero values (false, "", 0) cannot', () => {
  const original = base();
  original.metrics.enable = true;
  const { config, issues } = mergeConfig(original, {
    docker: { execution: { mode: 'session', imagePullPolicy: '' }, timeouts: { containerStart: '10s', signal: 0 } },
    metrics: { enable: false },
    security: { maxSessions: 0 },
  });
  assert.deepEqual(issues.filter((issue) => issue.severity === 'error'), []);
  assert.equal(config.docker.execution.mode, 'session');
  assert.equal(config.docker.execution.imagePullPolicy, 'IfNotPresent');
  assert.equal(config.docker.timeouts.containerStart, 10_000);
  assert.equal(config.docker.timeouts.signal, 60_000);
  assert.equal(config.metrics.enable, true);
  assert.equal(config.security.maxSessions, 10);
});

test('the base is not modified', () => {
  const original = base();
  const snapshot = structuredClone(original);
  mergeConfig(original, { docker: { execution: { container: { image: 'alpine' } } } });
  assert.deepEqual(original, snapshot);
});

test('Docker blocks merge field by field with keys matched case-insensitively', () => {
  const { config } = mergeConfig(base(), { docker: { execution: { container: { image: 'alpine', labels: { env: 'prod' } }, host: { networkmode: 'bridge' } } } });
  assert.deepEqual(config.docker.execution.container, { Image: 'alpine', Env: ['A=1'], Labels: { team: 'a', env: 'prod' } });
  assert.deepEqual(config.docker.execution.host, { NetworkMode: 'bridge', Memory: 100 });
});

test('non-empty lists replace lists; empty lists do not', () => {
  const { config } = mergeConfig(base(), { docker: { execution: { shellCommand: ['/bin/sh'], idleCommand: [] } }, security: { env: { allow: ['LANG'] } } });
  assert.deepEqual(config.docker.execution.shellCommand, ['/bin/sh']);
  assert.equal(config.docker.execution.idleCommand.length, 3);
  assert.deepEqual(config.security.env.allow, ['LANG']);
});

test('maps merge key by key', () => {
  const { config } = mergeConfig(base(), { docker: { execution: { subsystems: { other: '/bin/other' } } } });
  assert.deepEqual(config.docker.execution.subsystems, { sftp: '/usr/lib/openssh/sftp-server', other: '/bin/other' });
});

test('the merged result is validated', () => {
  const { issues } = mergeConfig(base(), { docker: { execution: { mode: 'session', host: { restartpolicy: { name: 'always' } } } } });
  assert.equal(issues.find((issue) => issue.severity === 'error')?.path, 'docker.execution.host.RestartPolicy');
  const bad = mergeConfig(base(), { docker: { execution: { mode: 'pod' } }, bogus: 1 });
  assert.deepEqual(bad.issues.filter((issue) => issue.severity === 'error').map((issue) => issue.path).sort(), ['bogus', 'docker.execution.mode']);
  assert.equal(bad.config.docker.execution.mode, 'connection');
});

test('a non-mapping override is an error; null changes nothing', () => {
  assert.equal(mergeConfig(base(), [1]).issues[0]?.code, 'CONFIG_TYPE');
  assert.deepEqual(mergeConfig(base(), null).config, base());
});
