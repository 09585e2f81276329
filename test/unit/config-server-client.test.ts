// The config-server client against a real HTTP server: exact URL and body, sensitive filtering, retries, failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchConnectionConfig } from '../../src/auth/index.js';
import type { AppConfig } from '../../src/config/types.js';
import type { ConnectionInfo } from '../../src/core/contracts.js';
import { isCsshError } from '../../src/core/errors.js';
import type { CsshEvent } from '../../src/core/events.js';
import { configResponse, startWebhookStub, webhookClientConfig } from '../support/webhook-stub.js';
import { captureLogs } from '../support/captured-logger.js';

const capture = captureLogs;

function configServer(url: string, overrides: Partial<AppConfig['configserver']> = {}): AppConfig['configserver'] {
  const { authTimeout: _unused, ...client } = webhookClientConfig(url);
  return { ...client, transmitSensitiveMetadata: false, ...overrides };
}

const info: ConnectionInfo = {
  connectionId: '0123456789abcdef0123456789abcdef',
  remoteAddress: '[::1]:2222',
  clientVersion: 'SSH-2.0-OpenSSH_9.2p1',
  username: 'alice',
  metadata: { team: { value: 'blue', sensitive: false }, token: { value: 's3cret', sensitive: true } },
  environment: { LANG: { value: 'C.UTF-8', sensitive: false } },
  files: { '/run/secret': { value: 'c2VjcmV0', sensitive: true } },
};

const partial = { docker: { execution: { container: { Image: 'cssh-test/bash:latest' } } }, security: { maxSessions: 3 } };

test('an empty url disables the config server', async () => {
  assert.equal(await fetchConnectionConfig(configServer(''), info, { logger: capture().logger }), undefined);
});

test('posts the connection to exactly url (no suffix), without sensitive entries, and returns config and maps', async (t) => {
  const stub = await startWebhookStub({
    '/per-user/config': configResponse(partial, { environment: { FROM_CONFIG: { value: '1', sensitive: false } } }),
  });
  t.after(() => stub.close());
  const events: CsshEvent[] = [];
  const answer = await fetchConnectionConfig(configServer(`${stub.url}/per-user/config`), info, {
    logger: capture().logger,
    onEvent: (e) => events.push(e),
  });
  assert.deepEqual(answer, { config: partial, environment: { FROM_CONFIG: { value: '1', sensitive: false } } });
  assert.equal(stub.requests.length, 1);
  assert.deepEqual(stub.requests[0]?.body, {
    username: 'alice',
    remoteAddress: '[::1]:2222',
    connectionId: '0123456789abcdef0123456789abcdef',
    clientVersion: 'SSH-2.0-OpenSSH_9.2p1',
    metadata: { team: { value: 'blue', sensitive: false } },
    environment: { LANG: { value: 'C.UTF-8', sensitive: false } },
  });
  assert.deepEqual(events, [{ type: 'config-request', retry: false }]);
});

test('transmitSensitiveMetadata sends sensitive entries, and authenticatedUsername when known', async (t) => {
  const stub = await startWebhookStub({ '/': configResponse({}) });
  t.after(() => stub.close());
  await fetchConnectionConfig(configServer(`${stub.url}/`, { transmitSensitiveMetadata: true }), { ...info, authenticatedUsername: 'alice@corp' }, {
    logger: capture().logger,
  });
  const body = stub.requests[0]?.body as Record<string, unknown>;
  assert.equal(body.authenticatedUsername, 'alice@corp');
  assert.deepEqual(body.metadata, info.metadata);
  assert.deepEqual(body.files, info.files);
});

test('non-200 answers and unknown fields are retried until a good answer arrives', async (t) => {
  const stub = await startWebhookStub({
    '/config': [{ status: 500 }, { body: { config: {}, extra: 1 } }, configResponse(partial)],
  });
  t.after(() => stub.close());
  const events: CsshEvent[] = [];
  const { logger, lines } = capture();
  const answer = await fetchConnectionConfig(configServer(`${stub.url}/config`), info, {
    logger,
    onEvent: (e) => events.push(e),
    retryIntervalMs: 10,
  });
  assert.deepEqual(answer?.config, partial);
  assert.equal(stub.requests.length, 3);
  assert.deepEqual(
    events.filter((e) => e.type === 'config-request-failure'),
    [
      { type: 'config-request-failure', retry: false, hard: false, reason: 'CONFIG_INVALID_STATUS_CODE' },
      { type: 'config-request-failure', retry: true, hard: false, reason: 'CONFIG_RESPONSE_DECODE_FAILED' },
    ],
  );
  assert.ok(lines.some((l) => l.code === 'CONFIG_RESPONSE'));
});

test('a config server that keeps failing ends in CONFIG_BACKEND_ERROR (here cut short by the caller\'s signal)', async (t) => {
  const stub = await startWebhookStub({ '/config': { status: 502 } });
  t.after(() => stub.close());
  const events: CsshEvent[] = [];
  const { logger, lines } = capture();
  await assert.rejects(
    fetchConnectionConfig(configServer(`${stub.url}/config`), info, {
      logger,
      onEvent: (e) => events.push(e),
      signal: AbortSignal.timeout(250),
      retryIntervalMs: 20,
    }),
    (error: unknown) => isCsshError(error) && error.code === 'CONFIG_BACKEND_ERROR' && /giving up/.test(error.message),
  );
  assert.ok(lines.some((l) => l.code === 'CONFIG_BACKEND_ERROR' && l.level === 'error'));
  assert.equal(events.filter((e) => e.type === 'config-request-failure' && e.hard).length, 1);
});

test('a config server that is down fails with CONFIG_BACKEND_ERROR', async () => {
  const stub = await startWebhookStub();
  const url = stub.url;
  await stub.close();
  await assert.rejects(
    fetchConnectionConfig(configServer(url), info, { logger: capture().logger, signal: AbortSignal.timeout(200), retryIntervalMs: 20 }),
    (error: unknown) => isCsshError(error) && error.code === 'CONFIG_BACKEND_ERROR',
  );
});

test('allowRedirects: a same-origin redirect is followed, one to another origin is refused without sending the body', async (t) => {
  const other = await startWebhookStub({ '/config': configResponse(partial) });
  t.after(() => other.close());
  const stub = await startWebhookStub({
    '/old': { status: 308, headers: { location: '/config' } },
    '/config': configResponse(partial),
    '/moved': { status: 307, headers: { location: `${other.url}/config` } },
  });
  t.after(() => stub.close());
  const { logger, lines } = capture();
  const followed = await fetchConnectionConfig(configServer(`${stub.url}/old`, { allowRedirects: true }), info, { logger });
  assert.deepEqual(followed?.config, partial);
  await assert.rejects(
    fetchConnectionConfig(configServer(`${stub.url}/moved`, { allowRedirects: true }), info, { logger, retryIntervalMs: 10_000 }),
    (error: unknown) => isCsshError(error) && error.code === 'CONFIG_BACKEND_ERROR',
  );
  assert.equal(other.requests.length, 0, 'the connection metadata never reached the other origin');
  assert.equal(stub.requestsTo('/moved').length, 1, 'refused at once, not retried');
  assert.ok(lines.some((l) => l.code === 'WEBHOOK_REDIRECT_REFUSED' && l.level === 'error'));
});
