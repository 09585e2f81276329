// Unit tests of the health endpoint over real HTTP: liveness, and readiness following the injected probe.
import assert from 'node:assert/strict';
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
