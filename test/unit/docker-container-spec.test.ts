// The create body: config pass-through, labels (ContainerSSH's and cssh's win), env order, session-mode flags.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCreateOptions, clientIp, connectionEnv } from '../../src/backend/docker/lifecycle/container-spec.js';
import { testConfig, testContext } from '../support/backend.js';

test('labels carry the connection, instance and user; config labels stay unless overridden', () => {
  const config = testConfig('connection');
  config.docker.execution.container = { Image: 'img', Labels: { team: 'a', 'cssh.instance': 'spoofed' }, Env: ['A=1'], Cmd: ['ignored'] };
  const ctx = testContext(config);
  const body = buildCreateOptions({ info: ctx.info, execution: config.docker.execution, instanceId: 'inst', cmd: ['/idle'], env: ['B=2'] }) as Record<string, unknown>;
  const labels = body.Labels as Record<string, string>;
  assert.equal(labels.team, 'a');
  assert.equal(labels['cssh.instance'], 'inst');
  assert.equal(labels['cssh.connection'], ctx.info.connectionId);
  assert.equal(labels['cssh.user'], 'tester');
  assert.equal(labels.containerssh_connection_id, ctx.info.connectionId);
  assert.equal(labels.containerssh_ip, '127.0.0.1');
  assert.equal(labels.containerssh_username, 'tester');
  assert.deepEqual(body.Cmd, ['/idle']);
  assert.deepEqual(body.Env, ['A=1', 'B=2']);
  assert.deepEqual(body.HostConfig, { NetworkMode: 'none' });
  assert.equal(body.Tty, undefined);
});

test('session mode attaches all streams, adds an init unless configured, and keeps Tty from the pty request', () => {
  const config = testConfig('session');
  const ctx = testContext(config);
  const body = buildCreateOptions({
    info: ctx.info, execution: config.docker.execution, instanceId: 'i', cmd: ['/bin/sh'], env: [], session: { tty: true, consoleSize: false },
  }) as Record<string, unknown>;
  assert.equal(body.Tty, true);
  assert.equal(body.OpenStdin, true);
  assert.equal(body.StdinOnce, true);
  assert.deepEqual(body.HostConfig, { NetworkMode: 'none', Init: true });
  config.docker.execution.host = { NetworkMode: 'none', init: false };
  const own = buildCreateOptions({ info: ctx.info, execution: config.docker.execution, instanceId: 'i', cmd: [], env: [], session: { tty: false, consoleSize: false } }) as Record<string, unknown>;
  assert.deepEqual(own.HostConfig, { NetworkMode: 'none', init: false });
  assert.equal(own.Cmd, undefined, 'an empty program leaves the image CMD');
});

test('connection env: metadata only when exposed, environment wins', () => {
  const config = testConfig('connection');
  const ctx = testContext(config);
  ctx.info.metadata = { A: { value: 'meta', sensitive: false }, B: { value: 'meta', sensitive: true } };
  ctx.info.environment = { A: { value: 'env', sensitive: false } };
  assert.deepEqual(connectionEnv(ctx.info, config.docker.execution), ['A=env']);
  assert.deepEqual(connectionEnv(ctx.info, { ...config.docker.execution, exposeAuthMetadataAsEnv: true }), ['A=env', 'B=meta']);
});

test('client ip from remote addresses', () => {
  assert.equal(clientIp('10.0.0.1:2222'), '10.0.0.1');
  assert.equal(clientIp('[::1]:2222'), '::1');
  assert.equal(clientIp('::1'), '::1');
});
