// `cssh healthcheck` through the real CLI against a real `cssh serve`: HTTPS health with client certificates, the SSH
// banner when health is off, unhealthy once the server is gone, and a bounded wait on an endpoint that never answers.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dockerTest } from '../support/docker.js';
import { freePort } from '../support/free-port.js';
import { startServe } from '../support/serve-harness.js';

const bin = new URL('../../bin/run.js', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function healthcheck(...args: string[]): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'healthcheck', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate it signed. */
function makePki(): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-healthcheck-pki-'));
  const p = (name: string): string => join(dir, name);
  const openssl = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=cssh healthcheck CA', '-keyout', p('ca.key'), '-out', p('ca.pem')]);
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, subject, ext] of [['server', '/CN=127.0.0.1', p('server.ext')], ['client', '/CN=healthcheck', undefined]] as const) {
    openssl(['req', ...ec, '-subj', subject, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`)]);
    openssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2',
      '-out', p(`${name}.pem`), ...(ext === undefined ? [] : ['-extfile', ext])]);
  }
  return { ca: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key') };
}

/** A copy of the server's JSON config with `edit` applied, for the cases the running server's own file cannot show. */
function variant(configPath: string, edit: (config: { health?: Record<string, unknown>; ssh?: Record<string, unknown> }) => void): string {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { health?: Record<string, unknown> };
  edit(config);
  const path = join(mkdtempSync(join(tmpdir(), 'cssh-healthcheck-')), 'variant.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

dockerTest('healthcheck: HTTPS health with a client certificate is healthy (0); without one, or once stopped, unhealthy (1)', async (t) => {
  const pki = makePki();
  const healthPort = await freePort();
  const srv = await startServe({
    config: {
      health: {
        enable: true, listen: `127.0.0.1:${healthPort}`, cert: pki.serverCert, key: pki.serverKey, clientcacert: pki.ca,
        client: { cert: pki.clientCert, key: pki.clientKey },
      },
    },
  });
  t.after(() => srv.stop());

  const healthy = await healthcheck('--config', srv.configPath);
  assert.equal(healthy.code, 0, healthy.stderr);
  assert.equal(healthy.stdout.trim(), `healthy: https://127.0.0.1:${healthPort}/health answered 200 "ok"`);

  const json = await healthcheck('--config', srv.configPath, '--json', '--ready');
  assert.equal(json.code, 0, json.stderr);
  const body = JSON.parse(json.stdout) as Record<string, unknown>;
  assert.deepEqual({ ok: body.ok, command: body.command, exitCode: body.exitCode, healthy: body.healthy, probe: body.probe, status: body.status },
    { ok: true, command: 'healthcheck', exitCode: 0, healthy: true, probe: 'http', status: 200 });
  assert.equal(body.target, `https://127.0.0.1:${healthPort}/ready`);

  const noClientCert = variant(srv.configPath, (c) => { delete c.health?.client; });
  const refused = await healthcheck('--config', noClientCert);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^unhealthy: .*set health\.client\.cert and health\.client\.key/m);

  const otherCa = variant(srv.configPath, (c) => { (c.health as Record<string, unknown>).cert = pki.clientCert; (c.health as Record<string, unknown>).key = pki.clientKey; });
  const impostor = await healthcheck('--config', otherCa);
  assert.equal(impostor.code, 1, 'a server that does not present health.cert is not trusted');
  assert.match(impostor.stderr, /certificate other than health\.cert/);

  assert.equal(await srv.stop(), 0);
  const gone = await healthcheck('--config', srv.configPath);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, new RegExp(`^unhealthy: https://127\\.0\\.0\\.1:${healthPort}/health: .*ECONNREFUSED`, 'm'));
});

dockerTest('healthcheck: with health off it reads the SSH identification line of ssh.listen', async (t) => {
  const sshPort = await freePort();
  const srv = await startServe({ config: { ssh: { listen: `127.0.0.1:${sshPort}` } } });
  t.after(() => srv.stop());
  const healthy = await healthcheck('--config', srv.configPath);
  assert.equal(healthy.code, 0, healthy.stderr);
  assert.match(healthy.stdout, new RegExp(`^healthy: ssh 127\\.0\\.0\\.1:${sshPort} answered "SSH-2\\.0-[^"]+"$`, 'm'));
  assert.equal(await srv.stop(), 0);
  const gone = await healthcheck('--config', srv.configPath);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /^unhealthy: ssh 127\.0\.0\.1:\d+: connect ECONNREFUSED/m);
});

/** A TCP server that accepts and never says a word. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0, sockets };
}

test('healthcheck: an endpoint that never answers is unhealthy after --timeout, not a hang', async (t) => {
  const silent = await silentServer();
  t.after(() => {
    for (const socket of silent.sockets) socket.destroy();
    silent.server.close();
  });
  const dir = mkdtempSync(join(tmpdir(), 'cssh-healthcheck-'));
  const httpConfig = join(dir, 'http.yaml');
  writeFileSync(httpConfig, `health:\n  enable: true\n  listen: 127.0.0.1:${silent.port}\n`);
  const sshConfig = join(dir, 'ssh.yaml');
  writeFileSync(sshConfig, `ssh:\n  listen: 127.0.0.1:${silent.port}\n`);

  const http = await healthcheck('--config', httpConfig, '--timeout', '1s');
  assert.equal(http.code, 1);
  assert.match(http.stderr, new RegExp(`^unhealthy: http://127\\.0\\.0\\.1:${silent.port}/health: no answer within 1000 ms$`, 'm'));
  const ssh = await healthcheck('--config', sshConfig, '--timeout', '1s', '--json');
  assert.equal(ssh.code, 1);
  const body = JSON.parse(ssh.stdout) as { ok: boolean; exitCode: number; healthy: boolean; reason: string; ms: number };
  assert.deepEqual([body.ok, body.exitCode, body.healthy], [false, 1, false]);
  assert.match(body.reason, /no identification line within 1000 ms/);
  assert.ok(body.ms >= 900 && body.ms < 5000, `the probe gave up after about 1 s (${body.ms} ms)`);
});
