// Conformance: 20 concurrent sessions, a killed client, a failed start, shutdown with TERM; nothing is left behind.
import assert from 'node:assert/strict';
import { createDockerBackend } from '../../src/backend/docker/index.js';
import type { ExecutionMode } from '../../src/config/types.js';
import { containersOf, eventually, runOnce, startInteractive, testConfig, testContext } from '../support/backend.js';
import { dockerTest } from '../support/docker.js';

for (const mode of ['connection', 'session'] as ExecutionMode[]) {
  dockerTest(`${mode} mode: 20 concurrent sessions each get their own output`, async () => {
    const backend = createDockerBackend({ instanceId: 'test-concurrency' });
    const ctx = testContext(testConfig(mode));
    const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runOnce(conn, { kind: 'exec', command: `echo session-${i}; exit ${i}` })));
      results.forEach((r, i) => assert.deepEqual(r, { code: i, stdout: `session-${i}\n`, stderr: '' }));
    } finally {
      await conn.close();
    }
    assert.deepEqual(containersOf(ctx.info.connectionId), []);
  }, { timeout: 240_000 });

  dockerTest(`${mode} mode: a client killed mid-program leaves nothing behind`, async () => {
    const backend = createDockerBackend({ instanceId: 'test-killed' });
    const ctx = testContext(testConfig(mode));
    const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
    const running = await startInteractive(conn, { kind: 'exec', command: 'echo up; sleep 120' });
    await eventually(() => running.stdout.text.includes('up'));
    assert.equal(containersOf(ctx.info.connectionId).length, 1);
    // The client vanishes: the front end closes everything without waiting for the program.
    await Promise.all([running.session.close(), conn.close()]);
    const exit = await running.program.exited;
    assert.ok(exit.code !== 0);
    assert.deepEqual(containersOf(ctx.info.connectionId), []);
  });

  dockerTest(`${mode} mode: shutdown sends TERM, waits for the program, then removes the container`, async () => {
    const backend = createDockerBackend({ instanceId: 'test-shutdown' });
    const ctx = testContext(testConfig(mode));
    const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
    const running = await startInteractive(conn, { kind: 'exec', command: "trap 'echo bye; exit 3' TERM; echo up; while true; do sleep 1; done" });
    await eventually(() => running.stdout.text.includes('up'));
    await conn.shutdown(AbortSignal.timeout(30_000));
    assert.equal((await running.program.exited).code, 3);
    assert.match(running.stdout.text, /bye/);
    assert.deepEqual(containersOf(ctx.info.connectionId), []);
  });
}

dockerTest('session mode: a program that cannot start fails with its code and its container is removed', async () => {
  const backend = createDockerBackend({ instanceId: 'test-failed-start' });
  // Without an init the engine itself fails the start when the program is missing.
  const ctx = testContext(testConfig('session', undefined, { host: { NetworkMode: 'none', Init: false } }));
  const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
  try {
    const session = await conn.openSession({ channelId: 1 });
    const { PassThrough } = await import('node:stream');
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
    await assert.rejects(session.start({ kind: 'exec', command: '/does/not/exist' }, io, AbortSignal.timeout(60_000)), { code: 'DOCKER_CONTAINER_START_FAILED' });
    await session.close();
  } finally {
    await conn.close();
  }
  assert.deepEqual(containersOf(ctx.info.connectionId), []);
});

dockerTest('connection mode: a container that cannot start fails the connect and is removed', async () => {
  const backend = createDockerBackend({ instanceId: 'test-failed-start' });
  const ctx = testContext(testConfig('connection', undefined, { idleCommand: ['/does/not/exist'] }));
  await assert.rejects(backend.connect(ctx, AbortSignal.timeout(60_000)), { code: 'DOCKER_CONTAINER_START_FAILED' });
  assert.deepEqual(containersOf(ctx.info.connectionId), []);
});

dockerTest('connection mode: an exec of a missing binary reports 127 or 126 and the connection goes on', async () => {
  const backend = createDockerBackend({ instanceId: 'test-missing-binary' });
  const ctx = testContext(testConfig('connection'));
  const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
  try {
    const r = await runOnce(conn, { kind: 'exec', command: '/does/not/exist' });
    assert.ok([126, 127].includes(r.code), `got ${r.code}`);
    assert.equal((await runOnce(conn, { kind: 'exec', command: 'echo still here' })).stdout, 'still here\n');
  } finally {
    await conn.close();
  }
  assert.deepEqual(containersOf(ctx.info.connectionId), []);
});

dockerTest('session mode: closing while a program is starting leaves nothing behind', async () => {
  const backend = createDockerBackend({ instanceId: 'test-close-race' });
  const ctx = testContext(testConfig('session'));
  const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
  const session = await conn.openSession({ channelId: 1 });
  const { PassThrough } = await import('node:stream');
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
  const starting = session.start({ kind: 'exec', command: 'sleep 60' }, io, AbortSignal.timeout(60_000))
    .then(() => 'started', (e: unknown) => (e as { code?: string }).code);
  await Promise.all([session.close(), conn.close()]);
  assert.equal(await starting, 'DOCKER_CONTAINER_SHUTTING_DOWN');
  assert.deepEqual(containersOf(ctx.info.connectionId), []);
});

for (const phase of ['create', 'start'] as const) {
  dockerTest(`connection mode: a client that gives up during ${phase} leaves nothing behind`, async () => {
    const backend = createDockerBackend({ instanceId: 'test-abort-connect' });
    const ctx = testContext(testConfig('connection'));
    const controller = new AbortController();
    ctx.onEvent = (e) => { if (e.type === 'phase-start' && e.phase === phase) controller.abort(new Error('client gone')); };
    await assert.rejects(backend.connect(ctx, controller.signal));
    assert.deepEqual(containersOf(ctx.info.connectionId), []);
  });
}
