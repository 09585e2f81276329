// Unit tests of the health endpoint over real HTTP: liveness (/ as ContainerSSH answers it, /health), readiness
// following the injected probe, and refusals that stay with the one bad request.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { createNullLogger } from '../../src/core/logger.js';
import { startHealthServer } from '../../src/observability/health.js';

async function get(address: string, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${address}${path}`);
  return { status: res.status, body: await res.text() };
}

test('liveness is always ok; readiness flips with ready()', async (t) => {
  let engineUp = true;
  const health = await startHealthServer(
    { enable: true, listen: '127.0.0.1:0' },
    { ready: async () => engineUp, logger: createNullLogger() },
  );
  t.after(() => health.close());
  assert.deepEqual(await get(health.address, '/health'), { status: 200, body: 'ok\n' });
  assert.deepEqual(await get(health.address, '/ready'), { status: 200, body: 'ready\n' });
  engineUp = false;
  assert.deepEqual(await get(health.address, '/ready'), { status: 503, body: 'not ready\n' });
  assert.deepEqual(await get(health.address, '/health'), { status: 200, body: 'ok\n' });
  engineUp = true;
  assert.equal((await get(health.address, '/ready')).status, 200);
  assert.equal((await get(health.address, '/nope')).status, 404);
});

test('a probe that rejects or hangs means not ready', async (t) => {
  let mode: 'reject' | 'hang' = 'reject';
  const health = await startHealthServer(
    { enable: true, listen: '127.0.0.1:0' },
    {
      ready: () => (mode === 'reject' ? Promise.reject(new Error('connect ENOENT')) : new Promise<boolean>(() => undefined)),
      logger: createNullLogger(),
      readyTimeoutMs: 50,
    },
  );
  t.after(() => health.close());
  assert.equal((await get(health.address, '/ready')).status, 503);
  mode = 'hang';
  assert.equal((await get(health.address, '/ready')).status, 503);
});

test('disabled health opens no port', async () => {
  const health = await startHealthServer({ enable: false, listen: '127.0.0.1:0' }, { ready: async () => true, logger: createNullLogger() });
  assert.equal(health.address, '');
  await health.close();
});

test('/ answers like ContainerSSH\'s health service: 200 with the JSON string "ok", or plain ok for text/plain', async (t) => {
  const health = await startHealthServer({ enable: true, listen: '127.0.0.1:0' }, { ready: async () => false, logger: createNullLogger() });
  t.after(() => health.close());
  const json = await fetch(`http://${health.address}/`);
  assert.equal(json.status, 200, 'liveness: / does not follow readiness');
  assert.equal(json.headers.get('content-type'), 'application/json');
  assert.equal(await json.text(), '"ok"');
  const text = await fetch(`http://${health.address}/?probe=1`, { headers: { accept: 'text/plain' } });
  assert.deepEqual([text.status, text.headers.get('content-type'), await text.text()], [200, 'text/plain; charset=utf-8', 'ok']);
  const head = await fetch(`http://${health.address}/`, { method: 'HEAD' });
  assert.equal(head.status, 200);
});

/** One raw HTTP/1.1 exchange: writes `request`, resolves with the status line the server answered (or '' on close). */
function raw(address: string, request: string | Buffer): Promise<string> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = connect(port, host);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.end(request);
  });
}

test('bad requests get a 4xx of their own and the endpoint keeps answering', async (t) => {
  const health = await startHealthServer({ enable: true, listen: '127.0.0.1:0' }, { ready: async () => true, logger: createNullLogger() });
  t.after(() => health.close());
  const cases: [string | Buffer, RegExp][] = [
    ['GET // HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 404/], // ended the process through new URL() before
    ['GET /% HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 404/],
    ['GET //evil.example/health HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 404/],
    ['GET http://x/health HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400/],
    ['GET * HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400/],
    [`GET /${'a'.repeat(3000)} HTTP/1.1\r\nHost: x\r\n\r\n`, /^HTTP\/1\.1 414/],
    [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(10_000)}\r\n\r\n`, /^HTTP\/1\.1 431/],
    ['POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello', /^HTTP\/1\.1 405/],
    ['GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello', /^HTTP\/1\.1 413/],
    ['GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', /^HTTP\/1\.1 413/],
    ['BREW /health HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400/],
    [Buffer.from('GET /he\0alth HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 400/],
    ['\x16\x03\x01\x02\x00garbage\r\n\r\n', /^HTTP\/1\.1 400/],
  ];
  for (const [request, expected] of cases) {
    assert.match(await raw(health.address, request), expected, JSON.stringify(request.toString().slice(0, 60)));
    assert.equal((await fetch(`http://${health.address}/health`)).status, 200, 'still serving');
  }
});
