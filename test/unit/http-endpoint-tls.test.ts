// TLS on the metrics and health endpoints with real clients (Node https, curl, openssl s_client): HTTPS only,
// client certificates required with clientcacert, versions and suites honoured, unusable settings refused.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isCsshError } from '../../src/core/errors.js';
import { createNullLogger } from '../../src/core/logger.js';
import { startHealthServer } from '../../src/observability/health.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { run } from '../support/serve-harness.js';

interface Pki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  rogueCert: string;
  rogueKey: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate signed by it, and a self-signed "rogue" client. */
function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-http-tls-'));
  const p = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=cssh test CA', '-keyout', p('ca.key'), '-out', p('ca.pem')]);
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, subject, ext] of [['server', '/CN=127.0.0.1', p('server.ext')], ['client', '/CN=prometheus', undefined]] as const) {
    openssl(['req', ...ec, '-subj', subject, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`)]);
    openssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2',
      '-out', p(`${name}.pem`), ...(ext === undefined ? [] : ['-extfile', ext])]);
  }
  openssl(['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=rogue', '-keyout', p('rogue.key'), '-out', p('rogue.pem')]);
  return {
    dir, caCert: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'),
    clientCert: p('client.pem'), clientKey: p('client.key'), rogueCert: p('rogue.pem'), rogueKey: p('rogue.key'),
  };
}

interface Answer {
  status?: number;
  body?: string;
  error?: string;
}

/** GET over Node's https client; never rejects (a refused handshake is `error`). */
function httpsGet(address: string, path: string, tls: { ca: string; cert?: string; key?: string; maxVersion?: 'TLSv1.2' }): Promise<Answer> {
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1', port, path, agent: false, ca: readFileSync(tls.ca),
      ...(tls.cert === undefined ? {} : { cert: readFileSync(tls.cert), key: readFileSync(tls.key ?? '') }),
      ...(tls.maxVersion === undefined ? {} : { maxVersion: tls.maxVersion }),
    }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    req.on('error', (error) => resolve({ error: error.message }));
    req.setTimeout(10_000, () => req.destroy(new Error('hang guard')));
    req.end();
  });
}

const hasCurl = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;

/** openssl s_client sends one HTTP/1.0 request for /health (asynchronously: the server runs in this process). */
async function sClient(address: string, ca: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const result = await run('openssl', ['s_client', '-connect', address, '-CAfile', ca, '-quiet', '-ign_eof', ...args], {
    input: 'GET /health HTTP/1.0\r\n\r\n',
    timeoutMs: 15_000,
  });
  return { stdout: result.stdout.toString(), stderr: result.stderr };
}

test('metrics over HTTPS: served to a client that trusts the certificate, plain HTTP gets nothing', async (t) => {
  const pki = makePki();
  t.after(() => rmSync(pki.dir, { recursive: true, force: true }));
  const metrics = await createMetrics(
    { enable: true, listen: '127.0.0.1:0', path: '/metrics', cert: pki.serverCert, key: readFileSync(pki.serverKey, 'utf8') },
    { logger: createNullLogger() },
  );
  t.after(() => metrics.close());
  const address = metrics.address ?? '';
  const ok = await httpsGet(address, '/metrics', { ca: pki.caCert });
  assert.equal(ok.status, 200, ok.error);
  assert.match(ok.body ?? '', /containerssh_ssh_current_connections/);
  const plain = await fetch(`http://${address}/metrics`).then((r) => `HTTP ${r.status}`, (error: Error) => `refused: ${error.message}`);
  assert.match(plain, /^refused/, 'no plain-HTTP answer on a TLS endpoint');
  const untrusted = await httpsGet(address, '/metrics', { ca: pki.rogueCert });
  assert.match(untrusted.error ?? '', /certificate/i, 'the client verifies the server');
});

test('health with clientcacert: only clients with a certificate from that CA get an answer', async (t) => {
  const pki = makePki();
  t.after(() => rmSync(pki.dir, { recursive: true, force: true }));
  const health = await startHealthServer(
    { enable: true, listen: '127.0.0.1:0', cert: pki.serverCert, key: pki.serverKey, clientcacert: pki.caCert },
    { ready: async () => true, logger: createNullLogger() },
  );
  t.after(() => health.close());
  const mutual = await httpsGet(health.address, '/health', { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey });
  assert.deepEqual(mutual, { status: 200, body: 'ok\n' });
  const anonymous = await httpsGet(health.address, '/health', { ca: pki.caCert });
  assert.ok(anonymous.error !== undefined, `no certificate, no answer (got ${JSON.stringify(anonymous)})`);
  const rogue = await httpsGet(health.address, '/health', { ca: pki.caCert, cert: pki.rogueCert, key: pki.rogueKey });
  assert.ok(rogue.error !== undefined, `a certificate from another CA is refused (got ${JSON.stringify(rogue)})`);

  // openssl s_client without a certificate: the handshake is refused and no HTTP answer comes back.
  const sclient = await sClient(health.address, pki.caCert, []);
  assert.doesNotMatch(sclient.stdout, /200 OK/);
  assert.match(sclient.stderr, /alert|certificate required|handshake failure/i);
  const withCert = await sClient(health.address, pki.caCert, ['-cert', pki.clientCert, '-key', pki.clientKey]);
  assert.match(withCert.stdout, /HTTP\/1\.1 200 OK/, withCert.stderr);

  if (hasCurl) {
    const curl = (extra: string[]) => run('curl', ['-sS', '--max-time', '10', '--cacert', pki.caCert, ...extra, `https://${health.address}/`], { timeoutMs: 15_000 });
    const curlWithCert = await curl(['--cert', pki.clientCert, '--key', pki.clientKey]);
    assert.equal(curlWithCert.code, 0, curlWithCert.stderr);
    assert.equal(curlWithCert.stdout.toString(), '"ok"', 'ContainerSSH\'s answer on /');
    assert.notEqual((await curl([])).code, 0, 'curl without a client certificate is refused');
  }
  assert.equal((await httpsGet(health.address, '/health', { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey })).status, 200, 'still serving');
});

test('tlsVersion and cipher are honoured: an older protocol or another suite is refused', async (t) => {
  const pki = makePki();
  t.after(() => rmSync(pki.dir, { recursive: true, force: true }));
  const strict = await startHealthServer(
    { enable: true, listen: '127.0.0.1:0', cert: pki.serverCert, key: pki.serverKey, tlsVersion: '1.3' },
    { ready: async () => true, logger: createNullLogger() },
  );
  t.after(() => strict.close());
  assert.equal((await httpsGet(strict.address, '/health', { ca: pki.caCert })).status, 200);
  assert.match((await httpsGet(strict.address, '/health', { ca: pki.caCert, maxVersion: 'TLSv1.2' })).error ?? '', /version|alert/i);

  const tls12 = await startHealthServer(
    { enable: true, listen: '127.0.0.1:0', cert: pki.serverCert, key: pki.serverKey, tlsVersion: '1.2', cipher: ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'], curves: ['secp256r1'] },
    { ready: async () => true, logger: createNullLogger() },
  );
  t.after(() => tls12.close());
  const listed = await sClient(tls12.address, pki.caCert, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384']);
  assert.match(listed.stdout, /HTTP\/1\.1 200 OK/, listed.stderr);
  const other = await sClient(tls12.address, pki.caCert, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256']);
  assert.doesNotMatch(other.stdout, /200 OK/, 'a suite not listed is refused');
  assert.doesNotMatch((await sClient(tls12.address, pki.caCert, ['-tls1_3'])).stdout, /200 OK/, 'no TLS 1.3 suite listed: TLS 1.3 is off');
});

test('TLS settings that cannot be honoured stop the endpoint from starting (never plain HTTP instead)', async (t) => {
  const pki = makePki();
  t.after(() => rmSync(pki.dir, { recursive: true, force: true }));
  const logger = createNullLogger();
  const refuses = async (tls: Record<string, unknown>, pattern: RegExp) => {
    await assert.rejects(
      startHealthServer({ enable: true, listen: '127.0.0.1:0', ...tls }, { ready: async () => true, logger }),
      (error: unknown) => isCsshError(error) && error.code === 'HTTP_TLS_INVALID' && pattern.test(error.message),
      JSON.stringify(tls),
    );
  };
  await refuses({ cert: pki.serverCert }, /health\.key: TLS needs both cert and key/);
  await refuses({ clientcacert: pki.caCert }, /health\.cert: TLS needs both cert and key/);
  await refuses({ cert: pki.serverCert, key: pki.clientKey }, /cannot use the TLS material/);
  await refuses({ cert: pki.serverCert, key: join(pki.dir, 'missing.key') }, /health\.key: cannot read/);
  await refuses({ cert: pki.serverCert, key: pki.serverKey, curves: ['x448'] }, /curves: unsupported ECDH curve "x448"/);
  await refuses({ cert: pki.serverCert, key: pki.serverKey, cipher: ['ECDHE-RSA-AES128-GCM-SHA256'] }, /needs at least one TLS 1\.3 suite/);
  await refuses({ cert: pki.serverCert, key: pki.serverKey, clientcacert: pki.serverKey }, /clientcacert is not a certificate: it holds a PRIVATE KEY/);
  await assert.rejects(
    createMetrics({ enable: true, listen: '127.0.0.1:0', path: '/metrics', key: pki.serverKey }, { logger }),
    (error: unknown) => isCsshError(error) && error.code === 'HTTP_TLS_INVALID' && /metrics\.cert/.test(error.message),
  );
});
