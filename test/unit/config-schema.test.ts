// The schema is the single source: its static type equals AppConfig, the TypeBox-free copy is current, defaults match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Static } from '@sinclair/typebox';
import { AppConfigSchema } from '../../src/config/schema.js';
import { APP_SCHEMA } from '../../src/config/schema-data.js';
import { renderSchemaData } from '../../src/config/generate-schema-data.js';
import { readFileSync } from 'node:fs';
import { defaultConfig } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { DEFAULT_TLS_CIPHERS, DEFAULT_TLS_CURVES } from '../../src/core/tls-options.js';

type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesTypes: Equal<Static<typeof AppConfigSchema>, AppConfig> = true;

test('the static type of the schema is AppConfig', () => {
  assert.equal(schemaMatchesTypes, true);
});

test('schema-data.ts is regenerated from schema.ts (npx tsx src/config/generate-schema-data.ts)', () => {
  const onDisk = readFileSync(new URL('../../src/config/schema-data.ts', import.meta.url), 'utf8');
  assert.equal(onDisk, renderSchemaData());
  assert.deepEqual(APP_SCHEMA, JSON.parse(JSON.stringify(AppConfigSchema)));
});

test('defaults follow the reference and cssh decisions', () => {
  const config = defaultConfig();
  assert.equal(config.backend, 'docker');
  assert.equal(config.ssh.listen, '0.0.0.0:2222');
  assert.equal(config.ssh.serverVersion, 'SSH-2.0-ContainerSSH');
  assert.equal(config.ssh.shutdownTimeout, 30_000);
  assert.equal(config.ssh.clientAliveCountMax, 3);
  assert.equal(config.docker.connection.host, '');
  assert.deepEqual(config.docker.execution.container, { Image: 'containerssh/containerssh-guest-image' });
  assert.equal(config.docker.execution.host, null);
  assert.equal(config.docker.execution.mode, 'connection');
  assert.deepEqual(config.docker.execution.idleCommand, ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while true; do sleep 1000 & wait $!; done"]);
  assert.deepEqual(config.docker.execution.shellCommand, ['/bin/bash']);
  assert.deepEqual(config.docker.execution.subsystems, { sftp: '/usr/lib/openssh/sftp-server' });
  assert.equal(config.docker.execution.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(config.docker.timeouts, { containerStart: 60_000, containerStop: 60_000, commandStart: 60_000, signal: 60_000, window: 60_000, http: 15_000 });
  assert.equal(config.auth.password.webhook.timeout, 2000);
  assert.equal(config.auth.password.webhook.authTimeout, 60_000);
  assert.equal(config.security.maxSessions, 10);
  assert.equal(config.security.maxEnvRequests, 128);
  assert.equal(config.security.maxEnvBytes, 65536);
  assert.equal(config.security.maxPendingSignals, 8);
  assert.equal(config.security.maxConnections, -1);
  assert.equal(config.security.forwarding.x11ForwardingMode, 'disable');
  assert.deepEqual(config.security.timeoutWarning, { message: 'cssh: session ending: {reason}', leadTime: 30_000 });
  assert.equal(config.security.terminateGracePeriod, 10_000);
  assert.deepEqual(config.log, { level: 'info', format: 'ljson', destination: 'stdout', file: '' });
  const tls = { cert: '', key: '', clientcacert: '', tlsVersion: '1.3', curves: DEFAULT_TLS_CURVES, cipher: DEFAULT_TLS_CIPHERS };
  assert.deepEqual(config.metrics, { enable: false, listen: '0.0.0.0:9100', path: '/metrics', ...tls });
  const healthClient = { url: '', timeout: 2000, cacert: '', cert: '', key: '', allowRedirects: false, tlsVersion: '1.3', curves: DEFAULT_TLS_CURVES, cipher: DEFAULT_TLS_CIPHERS };
  assert.deepEqual(config.health, { enable: false, listen: '0.0.0.0:7000', ...tls, client: healthClient });
  assert.deepEqual(config.auth.password.webhook.curves, ['x25519', 'secp256r1', 'secp384r1', 'secp521r1']);
  assert.equal(config.configserver.transmitSensitiveMetadata, false);
});

test('defaultConfig returns a fresh copy each time', () => {
  const a = defaultConfig();
  a.docker.execution.idleCommand.push('x');
  assert.equal(defaultConfig().docker.execution.idleCommand.length, 3);
});

test('the editor JSON Schema requires nothing (every option has a default) and lists the ignored sections', async () => {
  const { configJsonSchema } = await import('../../src/config/json-schema.js');
  const text = JSON.stringify(configJsonSchema());
  assert.doesNotMatch(text, /"required"/);
  const schema = configJsonSchema() as { properties: Record<string, { description?: string }> };
  assert.match(schema.properties.kubernetes?.description ?? '', /ignored/);
  assert.match(schema.properties.docker?.description ?? '', /Docker/);
});
