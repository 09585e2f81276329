// TLS endpoints (PEM text and file paths, client certificates) and version pinning, against a local HTTPS stand-in engine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDockerEngine } from '../../src/backend/docker/engine/open-engine.js';
import { isCsshError } from '../../src/core/errors.js';

const TIMEOUTS = { containerStart: 60_000, containerStop: 60_000, commandStart: 60_000, signal: 60_000, window: 60_000, http: 15_000 };
const dir = mkdtempSync(join(tmpdir(), 'cssh-tls-'));
const paths: string[] = [];
let tlsServer: Server;
let plainServer: Server;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function makeCertificates(): void {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=cssh-test-ca']);
  for (const name of ['server', 'client']) {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `ext-${name}.cnf`]);
  }
}

/** A stand-in engine: answers GET /version like a current Docker (API 1.52, minimum 1.44) and records paths. */
function engine(req: IncomingMessage, res: ServerResponse): void {
  paths.push(req.url ?? '');
  res.setHeader('content-type', 'application/json');
  if (req.url === '/version') res.end(JSON.stringify({ Version: '29.0.0', ApiVersion: '1.52', MinAPIVersion: '1.44' }));
  else res.end('"OK"');
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const pem = (name: string): string => readFileSync(join(dir, name), 'utf8');
let tlsPort = 0;
let plainPort = 0;

before(async () => {
  execFileSync('sh', ['-c', "echo 'subjectAltName=IP:127.0.0.1' > ext-server.cnf; echo 'extendedKeyUsage=clientAuth' > ext-client.cnf"], { cwd: dir });
  makeCertificates();
  tlsServer = createHttpsServer({ key: pem('server-key.pem'), cert: pem('server.pem'), ca: pem('ca.pem'), requestCert: true, rejectUnauthorized: true }, engine);
  plainServer = createHttpServer((req, res) => {
    res.statusCode = 404;
    res.end('not a docker engine');
  });
  tlsPort = await listen(tlsServer);
  plainPort = await listen(plainServer);
});

after(() => {
  tlsServer.close();
  plainServer.close();
  rmSync(dir, { recursive: true, force: true });
});

test('TLS with PEM text: negotiates min(engine 1.52, client 1.47) and pins later calls to it', async () => {
  const conn = { host: `tcp://127.0.0.1:${tlsPort}`, cacert: pem('ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') };
  const handle = await openDockerEngine(conn, TIMEOUTS, AbortSignal.timeout(20_000));
  assert.equal(handle.apiVersion, '1.47');
  assert.equal(handle.endpoint, `tcp://127.0.0.1:${tlsPort}`);
  await handle.ping();
  assert.equal(paths.at(-1), '/v1.47/_ping');
});

test('TLS with file paths works the same', async () => {
  const conn = {
    host: `https://127.0.0.1:${tlsPort}`,
    cacert: join(dir, 'ca.pem'),
    cert: join(dir, 'client.pem'),
    key: join(dir, 'client-key.pem'),
  };
  const handle = await openDockerEngine(conn, TIMEOUTS, AbortSignal.timeout(20_000));
  assert.equal(handle.apiVersion, '1.47');
});

test('a server certificate from another CA is rejected as DOCKER_UNAVAILABLE, not retried', async () => {
  const conn = { host: `tcp://127.0.0.1:${tlsPort}`, cacert: pem('client.pem'), cert: pem('client.pem'), key: pem('client-key.pem') };
  await assert.rejects(openDockerEngine(conn, TIMEOUTS, AbortSignal.timeout(20_000)), (error: unknown) => {
    return isCsshError(error) && error.code === 'DOCKER_UNAVAILABLE' && error.permanent && /TLS|certificate/i.test(error.message);
  });
});

test('an HTTP server that is not a Docker engine is a clear DOCKER_UNAVAILABLE', async () => {
  await assert.rejects(
    openDockerEngine({ host: `http://127.0.0.1:${plainPort}`, cacert: '', cert: '', key: '' }, TIMEOUTS, AbortSignal.timeout(20_000)),
    (error: unknown) => isCsshError(error) && error.code === 'DOCKER_UNAVAILABLE' && error.message.includes(`127.0.0.1:${plainPort}`),
  );
});

test('placeholder or wrong PEM material is DOCKER_CONFIG_ERROR naming the option, at once, before any connection', async () => {
  const placeholder = (label: string, text: string): string => `-----BEGIN ${label}-----\n${text}\n-----END ${label}-----\n`;
  const good = { host: `tcp://127.0.0.1:${tlsPort}`, cacert: pem('ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') };
  const cases: Array<[Partial<typeof good>, RegExp]> = [
    [{ cert: placeholder('CERTIFICATE', '<client certificate here>') }, /docker\.connection\.cert is not a certificate: .*"<client certificate here>".*placeholder/],
    [{ key: placeholder('RSA PRIVATE KEY', '') }, /docker\.connection\.key is not a private key: the RSA PRIVATE KEY block is empty/],
    [{ cacert: pem('client-key.pem') }, /docker\.connection\.cacert is not a certificate: it holds a PRIVATE KEY/],
    [{ key: pem('server-key.pem') }, /docker\.connection\.cert and docker\.connection\.key cannot be used together/],
  ];
  const before = paths.length;
  for (const [change, message] of cases) {
    await assert.rejects(openDockerEngine({ ...good, ...change }, TIMEOUTS, AbortSignal.timeout(20_000)), (error: unknown) =>
      isCsshError(error) && error.code === 'DOCKER_CONFIG_ERROR' && error.permanent && message.test(error.message) && !/start the Docker engine/.test(error.message));
  }
  assert.equal(paths.length, before, 'nothing was sent to the engine');
});

test('repeated engine probes on one signal leave no abort listeners behind (no MaxListenersExceededWarning)', async () => {
  const { dockerodeEngine } = await import('../../src/backend/docker/engine/dockerode-engine.js');
  const { EventEmitter } = await import('node:events');
  // Requests that fail before reaching the server (a TLS context that cannot be built) are where listeners piled up.
  const broken = await dockerodeEngine({
    url: `https://127.0.0.1:${tlsPort}`, source: 'config', hostname: '127.0.0.1', port: tlsPort, protocol: 'https',
    tls: { ca: '', cert: 'not pem', key: 'not pem', verify: true },
  });
  const plain = await dockerodeEngine({ url: `http://127.0.0.1:${plainPort}`, source: 'config', hostname: '127.0.0.1', port: plainPort, protocol: 'http' });
  const signal = new AbortController().signal;
  for (let i = 0; i < 12; i++) {
    await broken.version(signal).then(() => assert.fail('must fail'), () => undefined);
    await plain.version(signal).catch(() => undefined);
  }
  assert.equal(EventEmitter.getEventListeners(signal, 'abort').length, 0);
});
