// A real `cssh serve` takes hostile HTTP on its metrics and health ports (garbage, odd paths and methods, huge,
// slow and reset requests, floods) and afterwards still lives, serves a real OpenSSH login and leaves no container.
import assert from 'node:assert/strict';
import { dockerTest } from '../support/docker.js';
import { openIdle, prng, rawExchange, resetAfter, rssBytes, slowSender, type Exchange } from '../support/raw-http.js';
import { containersOfUser, eventually, ssh, startServer, uniqueUser, type ProductionServer } from '../e2e/production-helpers.js';

/** The serve process may grow by at most this while under attack (measured: about 9 MiB; the rest is room for GC timing). */
const RSS_GROWTH_BOUND = 32 * 1024 * 1024;
/**
 * A login after the attack must finish within this, ms, or (on a loaded machine where even an undisturbed login
 * is slower) within twice the time the same login took before the attack.
 */
const LOGIN_BOUND_MS = 5_000;
const FUZZ_SEED = 0x5eed_c55;

/** Requests no well-behaved client sends; each must get a 4xx or a closed connection, never a 5xx or a hang. */
function hostileRequests(): (string | Buffer)[] {
  const line = (target: string, method = 'GET') => `${method} ${target} HTTP/1.1\r\nHost: x\r\n\r\n`;
  const manyHeaders = Array.from({ length: 5000 }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
  return [
    line('//'), line('/%'), line('/%00'), line('//evil.example/metrics'), line('/metrics?%'), line('/..%2f..%2fetc/passwd'),
    line(`/${'a'.repeat(100_000)}`), line('*'), line('http://x/metrics'), line('/metrics#frag'),
    Buffer.from('GET /met\0rics HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.from('GET /metrics HTTP/1.1\r\nHost: \0\r\n\r\n'),
    `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(1_000_000)}\r\n\r\n`,
    `GET /metrics HTTP/1.1\r\nHost: x\r\n${manyHeaders}\r\n`,
    line('/metrics', 'BREW'), line('/metrics', 'DELETE'), line('/metrics', 'OPTIONS'), line('/metrics', 'TRACE'),
    line('127.0.0.1:1', 'CONNECT'), line('/metrics', 'G\x01T'), line('/metrics', ''),
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'GET /\r\n', 'GET / HTTP/9.9\r\n\r\n', '\r\n\r\n\r\n', 'HTTP/1.1 200 OK\r\n\r\n',
    'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\nstart of a body that never ends',
    'GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n',
    'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
    'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    `GET /metrics HTTP/1.1\r\nHost: x\r\n${'Cookie: ' + 'c'.repeat(4000) + '\r\n'.repeat(1)}${'X: y\r\n'.repeat(200)}\r\n`,
    'GET /metrics HTTP/1.1\r\n Host: folded\r\n\r\n',
    Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), Buffer.alloc(300, 0x41)]),
    Buffer.alloc(70_000, 0xff),
    `${line('/metrics')}${line('//')}${line('/nope', 'BREW')}`.repeat(20), // pipelined
  ];
}

/** Valid requests mutated at random: flipped bytes, cut short, bytes inserted. */
function mutatedRequests(seed: number, count: number): Buffer[] {
  const next = prng(seed);
  const base = Buffer.from('GET /metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\nUser-Agent: fuzz\r\n\r\n');
  return Array.from({ length: count }, () => {
    let bytes = Buffer.from(base);
    const edits = 1 + (next() % 8);
    for (let i = 0; i < edits; i++) {
      const at = next() % bytes.length;
      const kind = next() % 3;
      if (kind === 0) bytes[at] = next() % 256;
      else if (kind === 1) bytes = bytes.subarray(0, at);
      else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([next() % 256, next() % 256]), bytes.subarray(at)]);
      if (bytes.length === 0) bytes = Buffer.from([next() % 256]);
    }
    return bytes;
  });
}

function acceptable(answer: Exchange, what: string): void {
  assert.ok(answer.closed, `${what}: the server held the connection open past the guard`);
  assert.ok(answer.status === '' || /^HTTP\/1\.1 [1-4]\d\d /.test(answer.status) || /^HTTP\/1\.1 200 /.test(answer.status),
    `${what}: answered ${JSON.stringify(answer.status)} (a 5xx means a handler broke)`);
}

/** `ssh host true` with the real OpenSSH client as a fresh user; resolves with its duration once its container is gone. */
async function timedLogin(server: ProductionServer): Promise<number> {
  const user = uniqueUser('sec-http');
  const started = Date.now();
  const login = await ssh(server, user, ['true']);
  const took = Date.now() - started;
  assert.equal(login.code, 0, login.stderr);
  await eventually(() => containersOfUser(user).length === 0, 'the login\'s container removed');
  return took;
}

async function alive(server: ProductionServer): Promise<void> {
  assert.equal(server.srv.process.exitCode, null, `the server exited:\n${server.srv.output().slice(-3000)}`);
  assert.equal((await fetch(`http://${server.healthAddress ?? ''}/health`)).status, 200);
  assert.equal((await fetch(`http://${server.metricsAddress}/metrics`)).status, 200);
}

dockerTest('hostile HTTP on the metrics and health ports never takes cssh down', async (t) => {
  const server = await startServer({ health: { enable: true, listen: '127.0.0.1:0' } });
  t.after(() => server.stop());
  const pid = server.srv.process.pid ?? 0;
  const ports = { metrics: server.metricsAddress, health: server.healthAddress ?? '' };
  await alive(server);
  const before = await timedLogin(server);
  const baseline = rssBytes(pid);
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 100);
  t.after(() => clearInterval(sampler));

  await t.test('garbage, odd paths, odd methods, huge requests and header floods: a 4xx or a close each', async () => {
    for (const [name, address] of Object.entries(ports)) {
      for (const request of hostileRequests()) {
        const what = `${name}: ${JSON.stringify(request.toString('latin1').slice(0, 50))}`;
        acceptable(await rawExchange(address, request, { guardMs: 30_000 }), what);
      }
      assert.match((await rawExchange(address, 'GET // HTTP/1.1\r\nHost: x\r\n\r\n')).status, /^HTTP\/1\.1 404 /, `${name}: GET // is a 404`);
      await alive(server);
    }
  });

  await t.test(`randomly mutated requests (seed ${FUZZ_SEED.toString(16)})`, async () => {
    for (const [name, address] of Object.entries(ports)) {
      const cases = mutatedRequests(FUZZ_SEED, 150);
      for (let i = 0; i < cases.length; i += 10) {
        const batch = cases.slice(i, i + 10);
        const answers = await Promise.all(batch.map((bytes) => rawExchange(address, bytes, { guardMs: 30_000 })));
        answers.forEach((answer, j) => acceptable(answer, `${name} case ${i + j}: ${JSON.stringify(batch[j]?.toString('latin1'))}`));
      }
      await alive(server);
    }
  });

  await t.test('abrupt resets mid-request and mid-answer', async () => {
    for (const address of Object.values(ports)) {
      await Promise.all(Array.from({ length: 40 }, (_, i) =>
        resetAfter(address, i % 2 === 0 ? 'GET /metr' : 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n')));
    }
    await alive(server);
  });

  await t.test('a connection flood from one address is capped there; other clients are still served', async () => {
    const flood = await openIdle(ports.health, 100, { from: '127.0.0.2' });
    try {
      await eventually(() => flood.accepted() <= 16, 'at most 16 connections held for one address', 10_000);
      assert.equal((await fetch(`http://${ports.health}/health`)).status, 200, 'a probe from another address is answered');
      const floods = await Promise.all(['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7'].map((from) => openIdle(ports.metrics, 20, { from })));
      try {
        await eventually(() => floods.reduce((sum, f) => sum + f.accepted(), 0) <= 64, 'at most 64 connections held in all', 10_000);
      } finally {
        floods.forEach((f) => f.close());
      }
    } finally {
      flood.close();
    }
    await alive(server);
  });

  await t.test('slowloris: a byte a second never completes a request; each such connection is cut off', async () => {
    const slow = Array.from({ length: 12 }, (_, i) => slowSender(i % 2 === 0 ? ports.health : ports.metrics, { from: '127.0.0.8', intervalMs: 1000 }));
    try {
      assert.equal((await fetch(`http://${ports.health}/health`)).status, 200, 'served while the slow clients dribble');
      const held = await Promise.race([
        Promise.all(slow.map((s) => s.closed)),
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000)), // hang guard, far above the 10 s bound
      ]);
      assert.notEqual(held, 'hung', 'slow connections were never cut off');
      for (const ms of held as number[]) assert.ok(ms < 20_000, `a slow connection lived ${ms} ms (headers must arrive within 10 s)`);
    } finally {
      slow.forEach((s) => s.stop());
    }
    await alive(server);
  });

  await t.test(`afterwards a real OpenSSH login works within ${LOGIN_BOUND_MS} ms, leaves no container, and RSS stayed bounded`, async () => {
    await alive(server);
    const took = await timedLogin(server);
    t.diagnostic(`ssh host true: ${took} ms after the attack, ${before} ms before it`);
    assert.ok(took < Math.max(LOGIN_BOUND_MS, 2 * before), `ssh host true took ${took} ms (${before} ms before the attack)`);
    clearInterval(sampler);
    const growth = peak - baseline;
    t.diagnostic(`serve RSS: baseline ${(baseline / 2 ** 20).toFixed(1)} MiB, peak ${(peak / 2 ** 20).toFixed(1)} MiB, growth ${(growth / 2 ** 20).toFixed(1)} MiB (bound ${RSS_GROWTH_BOUND / 2 ** 20} MiB)`);
    assert.ok(growth < RSS_GROWTH_BOUND, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB under attack`);
    assert.doesNotMatch(server.srv.output(), /Uncaught|unhandled|TypeError|ERR_INVALID_URL/);
  });
}, { timeout: 300_000 });
