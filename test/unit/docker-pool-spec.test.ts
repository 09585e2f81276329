// The warm pool's spec key: every part of the config that shapes a container's create changes it; who logs in does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionBody } from '../../src/backend/docker/lifecycle/container-spec.js';
import { NEUTRAL_INFO, poolBody, specKey } from '../../src/backend/docker/lifecycle/pool-spec.js';
import type { AppConfig } from '../../src/config/types.js';
import type { ConnectionInfo } from '../../src/core/contracts.js';
import { testConfig } from '../support/backend.js';

const base = (): AppConfig => testConfig('connection', 'cssh-test/busybox:latest');
const keyOf = (config: AppConfig, info: ConnectionInfo = NEUTRAL_INFO): string => specKey(config, connectionBody(config, info, 'inst'));
const alice: ConnectionInfo = {
  connectionId: 'c0ffee', remoteAddress: '10.0.0.7:5555', clientVersion: 'SSH-2.0-x', username: 'alice', metadata: {}, environment: {}, files: {},
};

test('who logs in, from where, and the files they bring do not change the key', () => {
  const withFiles = { ...alice, files: { '/etc/motd': { value: 'aGk=', sensitive: false } } };
  assert.equal(keyOf(base(), alice), keyOf(base()));
  assert.equal(keyOf(base(), withFiles), keyOf(base()));
  // Metadata only reaches the container with exposeAuthMetadataAsEnv.
  assert.equal(keyOf(base(), { ...alice, metadata: { GROUP: { value: 'admins', sensitive: false } } }), keyOf(base()));
});

test('every create-shaping setting changes the key', () => {
  const edits: [string, (c: AppConfig) => void][] = [
    ['image', (c) => { c.docker.execution.container.Image = 'cssh-test/bash:latest'; }],
    ['Env', (c) => { c.docker.execution.container.Env = ['A=1']; }],
    ['User', (c) => { c.docker.execution.container.User = '1000'; }],
    ['config labels', (c) => { c.docker.execution.container.Labels = { team: 'blue' }; }],
    ['idle command', (c) => { c.docker.execution.idleCommand = ['/bin/sleep', 'infinity']; }],
    ['mounts', (c) => { c.docker.execution.host = { ...c.docker.execution.host, Binds: ['/srv:/srv:ro'] }; }],
    ['resources', (c) => { c.docker.execution.host = { ...c.docker.execution.host, Memory: 268435456 }; }],
    ['network mode', (c) => { c.docker.execution.host = { NetworkMode: 'bridge' }; }],
    ['networking config', (c) => { c.docker.execution.network = { EndpointsConfig: { net1: {} } }; }],
    ['platform', (c) => { c.docker.execution.platform = { os: 'linux', architecture: 'arm64' }; }],
    ['engine', (c) => { c.docker.connection.host = 'tcp://10.0.0.1:2375'; }],
    ['agent path', (c) => { c.docker.execution.agentPath = '/opt/agent'; }],
    ['agent disabled', (c) => { c.docker.execution.disableAgent = true; }],
  ];
  const keys = new Set([keyOf(base())]);
  for (const [name, edit] of edits) {
    const config = base();
    edit(config);
    const key = keyOf(config);
    assert.ok(!keys.has(key), `${name} did not change the key`);
    keys.add(key);
  }
});

test('auth environment, and metadata exposed as env, change the key', () => {
  assert.notEqual(keyOf(base(), { ...alice, environment: { TOKEN: { value: 'x', sensitive: true } } }), keyOf(base()));
  const exposed = base();
  exposed.docker.execution.exposeAuthMetadataAsEnv = true;
  assert.notEqual(keyOf(exposed, { ...alice, metadata: { GROUP: { value: 'admins', sensitive: false } } }), keyOf(exposed));
});

test('the order of keys in the config does not change the key', () => {
  const a = base();
  a.docker.execution.host = { NetworkMode: 'none', Memory: 1, PidsLimit: 5 };
  const b = base();
  b.docker.execution.host = { PidsLimit: 5, Memory: 1, NetworkMode: 'none' };
  assert.equal(keyOf(a), keyOf(b));
});

test('a pool body is the connection body with the pool labels instead of the connection labels', () => {
  const config = base();
  config.docker.execution.container.Labels = { team: 'blue', 'cssh.user': 'spoofed' };
  const pooled = poolBody(config, 'inst', 'pool-1', keyOf(config));
  assert.deepEqual(pooled.Labels, { team: 'blue', 'cssh.connection': 'pool-1', 'cssh.instance': 'inst', 'cssh.pool': keyOf(config) });
  assert.equal(specKey(config, pooled), keyOf(config), 'the pool body hashes to the key it was made for');
  const { Labels: _pl, ...pooledRest } = pooled;
  const { Labels: _cl, ...freshRest } = connectionBody(config, alice, 'inst');
  assert.deepEqual(pooledRest, freshRest);
});
