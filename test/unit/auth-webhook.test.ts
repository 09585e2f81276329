// Auth webhook client against a real HTTP server on 127.0.0.1: ContainerSSH fields, retries, fail-closed, strictness.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createAuthenticator, type AuthRequest } from '../../src/auth/index.js';
import type { ConnectionInfo } from '../../src/core/contracts.js';
import { isCsshError } from '../../src/core/errors.js';
import type { CsshEvent } from '../../src/core/events.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { WebhookClientConfig } from '../../src/config/types.js';
import { acceptKeys, acceptPasswords, allow, authConfig, startWebhookStub, webhookClientConfig } from '../support/webhook-stub.js';
import { captureLogs } from '../support/captured-logger.js';

const capture = captureLogs;

const req: AuthRequest = {
  connectionId: '0123456789abcdef0123456789abcdef',
  remoteAddress: '127.0.0.1:50000',
  clientVersion: 'SSH-2.0-OpenSSH_9.2p1',
  username: 'alice',
};

const never = new AbortController().signal;

function passwordAuth(url: string, hook: Partial<WebhookClientConfig> = {}) {
  return authConfig({ password: { method: 'webhook', webhook: webhookClientConfig(url, hook) } });
}

test('password webhook: exact request body, and success carries metadata, environment and authenticatedUsername', async (t) => {
  const stub = await startWebhookStub({
    '/password': acceptPasswords(
      { alice: 'pässword' },
      {
        authenticatedUsername: 'alice@corp',
        metadata: { team: { value: 'blue', sensitive: false } },
        environment: { GREETING: { value: 'hi there', sensitive: false } },
        files: { '/etc/motd': { value: Buffer.from('hello').toString('base64'), sensitive: false } },
      },
    ),
  });
  t.after(() => stub.close());
  const events: CsshEvent[] = [];
  const { logger, lines } = capture();
  const auth = createAuthenticator(passwordAuth(stub.url), { logger, onEvent: (e) => events.push(e) });
  assert.deepEqual(auth.methods, ['password']);

  const outcome = await auth.password(req, Buffer.from('pässword'), never);
  assert.deepEqual(outcome, {
    success: true,
    authenticatedUsername: 'alice@corp',
    metadata: { team: { value: 'blue', sensitive: false } },
    environment: { GREETING: { value: 'hi there', sensitive: false } },
    files: { '/etc/motd': { value: 'aGVsbG8=', sensitive: false } },
  });
  const [sent] = stub.requestsTo('/password');
  assert.equal(sent?.method, 'POST');
  assert.match(String(sent?.headers['content-type']), /application\/json/);
  assert.deepEqual(sent?.body, {
    username: 'alice',
    remoteAddress: '127.0.0.1:50000',
    connectionId: '0123456789abcdef0123456789abcdef',
    clientVersion: 'SSH-2.0-OpenSSH_9.2p1',
    passwordBase64: Buffer.from('pässword').toString('base64'),
  });
  assert.deepEqual(events, [
    { type: 'auth-request', authtype: 'password', retry: false },
    { type: 'auth-result', authtype: 'password', ok: true },
  ]);
  const ok = lines.find((l) => l.code === 'AUTH_SUCCESSFUL');
  assert.equal(ok?.details?.connectionId, req.connectionId);
  assert.ok(!lines.some((l) => JSON.stringify(l).includes('pässword')), 'the password never reaches the log');
});

test('password webhook: wrong credentials are refused without retrying', async (t) => {
  const stub = await startWebhookStub({ '/password': acceptPasswords({ alice: 'right' }) });
  t.after(() => stub.close());
  const { logger, lines } = capture();
  const auth = createAuthenticator(passwordAuth(stub.url), { logger, retryIntervalMs: 5 });
  const outcome = await auth.password(req, Buffer.from('wrong'), never);
  assert.deepEqual(outcome, { success: false });
  assert.equal(stub.requests.length, 1);
  assert.ok(lines.some((l) => l.code === 'AUTH_FAILED'));
});

test('public key webhook: posts to /pubkey with the trimmed key, and a trailing slash in url is harmless', async (t) => {
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly0000000000000000000000';
  const stub = await startWebhookStub({ '/pubkey': acceptKeys({ alice: [key] }, { authenticatedUsername: 'alice' }) });
  t.after(() => stub.close());
  const config = authConfig({ publicKey: { method: 'webhook', webhook: webhookClientConfig(`${stub.url}/`) } });
  const auth = createAuthenticator(config, { logger: capture().logger });
  assert.deepEqual(auth.methods, ['publickey']);
  assert.deepEqual(await auth.publicKey(req, ` ${key} `, never), { success: true, authenticatedUsername: 'alice' });
  assert.deepEqual(await auth.publicKey({ ...req, username: 'bob' }, key, never), { success: false });
  assert.deepEqual(stub.requestsTo('/pubkey')[0]?.body, {
    username: 'alice',
    remoteAddress: req.remoteAddress,
    connectionId: req.connectionId,
    clientVersion: req.clientVersion,
    publicKey: key,
  });
});

const info: ConnectionInfo = {
  ...req,
  authenticatedUsername: 'alice@corp',
  metadata: { team: { value: 'blue', sensitive: false }, token: { value: 's3cret', sensitive: true } },
  environment: { SECRET_ENV: { value: 'x', sensitive: true } },
  files: {},
};

/** A login method for tests about something else (createAuthenticator refuses a config nobody could log in with). */
const SOME_KEYS = { method: 'authorizedkeys' as const, authorizedKeys: { path: '/nonexistent/cssh-test/{username}' } };

test('authz webhook: sends authenticatedUsername and non-sensitive metadata, returns its additions', async (t) => {
  const stub = await startWebhookStub({ '/authz': allow({ environment: { ROLE: { value: 'admin', sensitive: false } } }) });
  t.after(() => stub.close());
  const events: CsshEvent[] = [];
  const config = authConfig({ publicKey: SOME_KEYS, authz: { method: 'webhook', webhook: webhookClientConfig(stub.url) } });
  const auth = createAuthenticator(config, { logger: capture().logger, onEvent: (e) => events.push(e) });
  const outcome = await auth.authorize(info, never);
  assert.deepEqual(outcome, { success: true, environment: { ROLE: { value: 'admin', sensitive: false } } });
  assert.deepEqual(stub.requestsTo('/authz')[0]?.body, {
    username: 'alice',
    authenticatedUsername: 'alice@corp',
    remoteAddress: req.remoteAddress,
    connectionId: req.connectionId,
    clientVersion: req.clientVersion,
    metadata: { team: { value: 'blue', sensitive: false } },
  });
  assert.deepEqual(events.at(-1), { type: 'auth-result', authtype: 'authorization', ok: true });
});

test('authz: refusal is a failure, and without authz configured everyone is authorized with nothing added', async (t) => {
  const stub = await startWebhookStub({ '/authz': { body: { success: false } } });
  t.after(() => stub.close());
  const { logger, lines } = capture();
  const withAuthz = createAuthenticator(authConfig({ publicKey: SOME_KEYS, authz: { method: 'webhook', webhook: webhookClientConfig(stub.url) } }), { logger });
  assert.deepEqual(await withAuthz.authorize(info, never), { success: false });
  assert.ok(lines.some((l) => l.code === 'AUTHZ_FAILED'));
  const without = createAuthenticator(authConfig({ publicKey: SOME_KEYS }), { logger });
  assert.deepEqual(without.methods, ['publickey']);
  assert.deepEqual(await without.authorize(info, never), { success: true });
  assert.deepEqual(await without.password(req, Buffer.from('x'), never), { success: false });
});

test('non-200 answers and transport trouble are retried until the server answers', async (t) => {
  const stub = await startWebhookStub({
    '/password': [{ status: 500 }, { status: 503, body: 'busy' }, acceptPasswords({ alice: 'pw' })],
  });
  t.after(() => stub.close());
  const events: CsshEvent[] = [];
  const { logger, lines } = capture();
  const auth = createAuthenticator(passwordAuth(stub.url), { logger, onEvent: (e) => events.push(e), retryIntervalMs: 10 });
  assert.equal((await auth.password(req, Buffer.from('pw'), never)).success, true);
  assert.equal(stub.requests.length, 3);
  assert.deepEqual(
    events.filter((e) => e.type === 'auth-request').map((e) => (e.type === 'auth-request' ? e.retry : undefined)),
    [false, true, true],
  );
  assert.deepEqual(
    events.filter((e) => e.type === 'auth-request-failure'),
    [
      { type: 'auth-request-failure', authtype: 'password', retry: false, hard: false, reason: 'AUTH_INVALID_STATUS' },
      { type: 'auth-request-failure', authtype: 'password', retry: true, hard: false, reason: 'AUTH_INVALID_STATUS' },
    ],
  );
  assert.equal(lines.filter((l) => l.code === 'AUTH_INVALID_STATUS').length, 2);
});

test('a slow answer is cut off by the per-attempt timeout and the next attempt succeeds', async (t) => {
  const stub = await startWebhookStub({ '/password': [{ delayMs: 1000, body: { success: true } }, acceptPasswords({ alice: 'pw' })] });
  t.after(() => stub.close());
  const auth = createAuthenticator(passwordAuth(stub.url, { timeout: 300 }), { logger: capture().logger, retryIntervalMs: 10 });
  assert.equal((await auth.password(req, Buffer.from('pw'), never)).success, true);
  assert.equal(stub.requests.length, 2);
});

test('a server that keeps answering 500 fails closed at authTimeout, counted as a server failure, not a rejected user', async (t) => {
  const stub = await startWebhookStub({ '/password': { status: 500 } });
  t.after(() => stub.close());
  const metrics = await createMetrics({ enable: true, listen: '127.0.0.1:0', path: '/metrics' }, { logger: capture().logger });
  t.after(() => metrics.close());
  const events: CsshEvent[] = [];
  const { logger, lines } = capture();
  const auth = createAuthenticator(passwordAuth(stub.url, { authTimeout: 300 }), {
    logger,
    onEvent: (e) => { events.push(e); metrics.sink(e); },
    retryIntervalMs: 20,
  });
  assert.deepEqual(await auth.password(req, Buffer.from('pw'), never), { success: false, backendFailed: true });
  assert.ok(stub.requests.length >= 1);
  assert.ok(lines.some((l) => l.code === 'AUTH_BACKEND_ERROR' && l.level === 'error'));
  assert.ok(!lines.some((l) => l.code === 'AUTH_FAILED'), 'the user was not rejected: the server failed');
  const hard = events.filter((e) => e.type === 'auth-request-failure' && e.hard);
  assert.equal(hard.length, 1);
  assert.equal(events.filter((e) => e.type === 'auth-result').length, 0);
  const text = await (await fetch(`http://${metrics.address ?? ''}/metrics`)).text();
  assert.match(text, /^containerssh_auth_server_failures_total\{type="hard",authtype="password",[^}]*\} 1$/m);
  assert.doesNotMatch(text, /^containerssh_auth_failures_total\{/m);
});

test('unknown response fields are a decode error, so even "success: true" is not accepted', async (t) => {
  const stub = await startWebhookStub({ '/password': { body: { success: true, admin: true } } });
  t.after(() => stub.close());
  const { logger, lines } = capture();
  // authTimeout leaves room for at least one answer on a busy machine; every answer fails to decode.
  const auth = createAuthenticator(passwordAuth(stub.url, { authTimeout: 2_000 }), { logger, retryIntervalMs: 20 });
  assert.deepEqual(await auth.password(req, Buffer.from('pw'), never), { success: false, backendFailed: true });
  const decode = lines.find((l) => l.code === 'AUTH_RESPONSE_DECODE_FAILED');
  assert.match(decode?.message ?? '', /unknown field "admin"/);
});

test('malformed metadata entries and non-JSON bodies are decode errors, retried like any other failure', async (t) => {
  const stub = await startWebhookStub({
    '/password': [
      { body: { success: true, metadata: { a: { value: 1 } } } },
      { body: 'not json' },
      { body: { success: 'yes' } },
      acceptPasswords({ alice: 'pw' }),
    ],
  });
  t.after(() => stub.close());
  const { logger, lines } = capture();
  const auth = createAuthenticator(passwordAuth(stub.url), { logger, retryIntervalMs: 5 });
  assert.equal((await auth.password(req, Buffer.from('pw'), never)).success, true);
  const reasons = lines.filter((l) => l.code === 'AUTH_RESPONSE_DECODE_FAILED').map((l) => l.message);
  assert.equal(reasons.length, 3);
  assert.match(reasons[0] ?? '', /metadata\.a\.value/);
  assert.match(reasons[1] ?? '', /not JSON/);
  assert.match(reasons[2] ?? '', /success/);
});

test('an auth server that is down fails closed quickly with a short authTimeout', async () => {
  const stub = await startWebhookStub();
  const url = stub.url;
  await stub.close();
  const { logger, lines } = capture();
  const auth = createAuthenticator(passwordAuth(url, { authTimeout: 300 }), { logger, retryIntervalMs: 20 });
  assert.deepEqual(await auth.password(req, Buffer.from('pw'), never), { success: false, backendFailed: true });
  assert.ok(lines.some((l) => l.code === 'AUTH_BACKEND_ERROR' && /ECONNREFUSED|no answer/.test(l.message)));
});

test('an aborted signal ends the attempt as a refusal', async (t) => {
  const stub = await startWebhookStub({ '/password': { status: 500 } });
  t.after(() => stub.close());
  const auth = createAuthenticator(passwordAuth(stub.url), { logger: capture().logger, retryIntervalMs: 10_000 });
  const controller = new AbortController();
  const pending = auth.password(req, Buffer.from('pw'), controller.signal);
  setTimeout(() => controller.abort(), 50);
  assert.deepEqual(await pending, { success: false, backendFailed: true });
});

test('redirects are followed only with allowRedirects, and only within the same origin', async (t) => {
  const stub = await startWebhookStub({
    '/password': { status: 307, headers: { location: '/elsewhere/password' } },
    '/elsewhere/password': acceptPasswords({ alice: 'pw' }),
  });
  t.after(() => stub.close());
  const { logger } = capture();
  const strict = createAuthenticator(passwordAuth(stub.url, { authTimeout: 150 }), { logger, retryIntervalMs: 20 });
  assert.equal((await strict.password(req, Buffer.from('pw'), never)).success, false);
  assert.equal(stub.requestsTo('/elsewhere/password').length, 0);
  const lenient = createAuthenticator(passwordAuth(stub.url, { allowRedirects: true }), { logger });
  assert.equal((await lenient.password(req, Buffer.from('pw'), never)).success, true);
  assert.equal(stub.requestsTo('/elsewhere/password').length, 1, 'a same-origin redirect carries the body on');
});

test('a redirect to another origin is refused at once: the password never reaches it', async (t) => {
  const other = await startWebhookStub({ '/password': acceptPasswords({ alice: 'pw' }) });
  t.after(() => other.close());
  const stub = await startWebhookStub({ '/password': { status: 308, headers: { location: `${other.url}/password` } } });
  t.after(() => stub.close());
  const { logger, lines } = capture();
  const events: CsshEvent[] = [];
  const auth = createAuthenticator(passwordAuth(stub.url, { allowRedirects: true }), {
    logger,
    retryIntervalMs: 10_000, // a retry would outlast the test's patience: the refusal must not be retried
    onEvent: (e) => events.push(e),
  });
  assert.equal((await auth.password(req, Buffer.from('pw'), never)).success, false);
  assert.equal(other.requests.length, 0, 'nothing was sent to the other origin');
  assert.equal(stub.requests.length, 1, 'no retry');
  const refusal = lines.find((l) => l.code === 'WEBHOOK_REDIRECT_REFUSED');
  assert.ok(refusal !== undefined && refusal.level === 'error', 'logged as an error');
  assert.match(refusal.message, /another origin \(http:\/\/127\.0\.0\.1:\d+\)/);
  assert.ok(events.some((e) => e.type === 'auth-request-failure' && e.hard && e.reason === 'WEBHOOK_REDIRECT_REFUSED'));
});

function selfSignedCert(dir: string, name = 'server'): { key: string; cert: string; certPath: string; keyPath: string } {
  const keyPath = join(dir, `${name}-key.pem`);
  const certPath = join(dir, `${name}-cert.pem`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath,
  ], { stdio: 'ignore' });
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath, keyPath };
}

test('TLS: the server is trusted through cacert (file path or PEM text), and refused without it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-auth-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { key, cert, certPath } = selfSignedCert(dir);
  const stub = await startWebhookStub({ '/password': acceptPasswords({ alice: 'pw' }) }, { tls: { key, cert } });
  t.after(() => stub.close());
  assert.match(stub.url, /^https:/);
  const { logger, lines } = capture();
  for (const cacert of [certPath, cert]) {
    const auth = createAuthenticator(passwordAuth(stub.url, { cacert }), { logger });
    assert.equal((await auth.password(req, Buffer.from('pw'), never)).success, true);
  }
  const untrusted = createAuthenticator(passwordAuth(stub.url, { authTimeout: 200 }), { logger, retryIntervalMs: 20 });
  assert.equal((await untrusted.password(req, Buffer.from('pw'), never)).success, false);
  assert.ok(lines.some((l) => l.code === 'AUTH_BACKEND_ERROR' && /certificate|no answer/i.test(l.message)));
});

test('TLS: a client certificate (cert and key) is presented when the server requires one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-auth-mtls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const server = selfSignedCert(dir, 'server');
  const client = selfSignedCert(dir, 'client');
  const stub = await startWebhookStub({ '/password': acceptPasswords({ alice: 'pw' }) }, { tls: { key: server.key, cert: server.cert, ca: client.cert } });
  t.after(() => stub.close());
  const { logger } = capture();
  const withCert = createAuthenticator(passwordAuth(stub.url, { cacert: server.certPath, cert: client.certPath, key: client.keyPath }), { logger });
  assert.equal((await withCert.password(req, Buffer.from('pw'), never)).success, true);
  const withoutCert = createAuthenticator(passwordAuth(stub.url, { cacert: server.cert, authTimeout: 200 }), { logger, retryIntervalMs: 20 });
  assert.equal((await withoutCert.password(req, Buffer.from('pw'), never)).success, false);
  assert.equal(stub.requests.length, 1, 'the server saw only the request with a certificate');
});

test('TLS: a redirect from https to plain http on the same host is refused, the password stays encrypted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-auth-downgrade-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { key, cert } = selfSignedCert(dir);
  const plain = await startWebhookStub({ '/password': acceptPasswords({ alice: 'pw' }) });
  t.after(() => plain.close());
  const secure = await startWebhookStub({ '/password': { status: 307, headers: { location: `${plain.url}/password` } } }, { tls: { key, cert } });
  t.after(() => secure.close());
  const { logger, lines } = capture();
  const auth = createAuthenticator(passwordAuth(secure.url, { cacert: cert, allowRedirects: true }), { logger, retryIntervalMs: 10_000 });
  assert.equal((await auth.password(req, Buffer.from('pw'), never)).success, false);
  assert.equal(plain.requests.length, 0, 'no byte of the body went over plain http');
  assert.ok(lines.some((l) => l.code === 'WEBHOOK_REDIRECT_REFUSED' && /from https to plain http/.test(l.message)));
});

test('TLS: curves and cipher are honoured; a server offering none of them is not talked to', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-auth-suites-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { key, cert } = selfSignedCert(dir);
  const stub = await startWebhookStub({ '/password': acceptPasswords({ alice: 'pw' }) }, { tls: { key, cert } });
  t.after(() => stub.close());
  const { logger } = capture();
  // TLS 1.2 only (no TLS 1.3 suite listed), colon-free names in IANA, OpenSSL and GnuTLS spelling.
  const tls12 = { cacert: cert, tlsVersion: '1.2', cipher: ['ECDHE-ECDSA-AES256-GCM-SHA384', 'TLS_ECDHE_ECDSA_AES_128_GCM_SHA256'], curves: ['prime256v1'], authTimeout: 2000 };
  const ok = createAuthenticator(passwordAuth(stub.url, tls12), { logger });
  assert.equal((await ok.password(req, Buffer.from('pw'), never)).success, true);
  // A P-256 ECDSA certificate cannot be used with RSA-only suites: the handshake fails and the login fails closed.
  const rsaOnly = { ...tls12, cipher: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], authTimeout: 200 };
  const refused = createAuthenticator(passwordAuth(stub.url, rsaOnly), { logger, retryIntervalMs: 20 });
  assert.equal((await refused.password(req, Buffer.from('pw'), never)).success, false);
  assert.equal(stub.requests.length, 1);
});

test('TLS settings that cannot work are reported when the authenticator is created', () => {
  const logger = capture().logger;
  const bad = (hook: Partial<WebhookClientConfig>) => () => createAuthenticator(passwordAuth('https://127.0.0.1:1', hook), { logger });
  assert.throws(bad({ cacert: '/nonexistent/ca.pem' }), (e: unknown) => isCsshError(e) && e.code === 'AUTH_CONFIG_ERROR' && /cacert/.test(e.message));
  assert.throws(bad({ tlsVersion: '1.0' }), /tlsVersion: expected "1\.2" or "1\.3"/);
  assert.throws(bad({ cert: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' }), /cert and key must be set together/);
  assert.doesNotThrow(bad({ tlsVersion: '1.2' }));
  assert.throws(bad({ curves: ['x448'] }), /curves: unsupported ECDH curve "x448"/);
  assert.throws(bad({ cipher: ['RC4-SHA'] }), /cipher: unsupported cipher suite "RC4-SHA"/);
  assert.throws(bad({ cipher: ['ECDHE-RSA-AES128-GCM-SHA256'] }), /tlsVersion 1\.3 needs at least one TLS 1\.3 suite/);
  assert.doesNotThrow(bad({ tlsVersion: '1.2', cipher: ['ECDHE-RSA-AES128-GCM-SHA256'] }));
  // Placeholders as in ContainerSSH's honeypot guide fail here, naming the option, not at each login.
  const placeholder = '-----BEGIN CERTIFICATE-----\n<CA certificate here>\n-----END CERTIFICATE-----\n';
  assert.throws(bad({ cacert: placeholder }), (e: unknown) => isCsshError(e) && e.code === 'AUTH_CONFIG_ERROR' && /auth\.password\.webhook\.cacert is not a certificate: .*placeholder/.test(e.message));
  assert.throws(bad({ cacert: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----' }), /cacert is not a certificate: the CERTIFICATE block is empty/);
});

test('kerberos (password and gssapi) and oauth2 are accepted but left disabled, with a warning each', () => {
  const { logger, lines } = capture();
  const config = authConfig({ password: { method: 'kerberos' }, publicKey: SOME_KEYS });
  config.keyboardInteractive.method = 'oauth2';
  config.gssapi.method = 'kerberos';
  const auth = createAuthenticator(config, { logger });
  assert.deepEqual(auth.methods, ['publickey']);
  assert.equal(lines.filter((l) => l.code === 'AUTH_UNSUPPORTED' && l.level === 'warning').length, 3);
});

test('a config nobody could log in with is refused when the authenticator is built (serve does not start)', () => {
  const logger = capture().logger;
  const unimplemented = authConfig({ password: { method: 'kerberos' } });
  unimplemented.gssapi.method = 'kerberos';
  assert.throws(() => createAuthenticator(unimplemented, { logger }), (e: unknown) => isCsshError(e) && e.code === 'AUTH_NO_USABLE_METHOD'
    && /auth\.password\.method \(kerberos\), auth\.gssapi\.method \(kerberos\) are not implemented/.test(e.message) && /auth\.publicKey\.method/.test(e.message));
  assert.throws(() => createAuthenticator(authConfig(), { logger }), (e: unknown) => isCsshError(e) && e.code === 'AUTH_NONE_CONFIGURED');
});
