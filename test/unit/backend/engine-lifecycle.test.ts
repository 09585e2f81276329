// Lifecycle paths over FakeEngine: close during start, removal retry with backoff, reconciler grace, ConsoleSize on API >= 1.42.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { parseImageReference } from '../../../src/backend/docker/image/image-name.js';
import { createDockerBackend, startContainerJanitor, type ContainerJanitor } from '../../../src/backend/docker/index.js';
import type { AppConfig, ExecutionMode } from '../../../src/config/types.js';
import type { ConnectionContext, PtyRequest } from '../../../src/core/contracts.js';
import type { CsshEvent } from '../../../src/core/events.js';
import { Collector, runOnce, testConfig, testContext } from '../../support/backend.js';
import { FakeEngine } from '../../support/fake-engine.js';
import { recordingLogger } from '../../support/recording-logger.js';

const IMAGE = 'cssh-test/fake:latest';
const PTY: PtyRequest = { term: 'xterm', rows: 31, cols: 101 };

/** A fake engine that has the test image, speaking `apiVersion`. */
function engineWithImage(apiVersion = '1.47'): FakeEngine {
  const fake = new FakeEngine(apiVersion);
  fake.images.set(parseImageReference(IMAGE).canonical, { present: true, id: 'sha256:fake', size: 1, created: '', repoTags: [IMAGE] });
  return fake;
}

function config(mode: ExecutionMode): AppConfig {
  const c = testConfig(mode, IMAGE);
  // Short bounds: a failing call gives up at once instead of waiting for the 10 s retry interval.
  c.docker.timeouts = { ...c.docker.timeouts, containerStop: 100 };
  return c;
}

function backendOn(fake: FakeEngine, instanceId = 'fake-instance') {
  return createDockerBackend({ instanceId, openClient: async () => fake });
}

test('connection closed while the container is being created: the container is still removed, nothing is left', async () => {
  const fake = engineWithImage();
  const events: CsshEvent[] = [];
  const ctx = testContext(config('connection'), events);
  const create = fake.hold('createContainer');
  const closed = new AbortController();
  const connecting = backendOn(fake).connect(ctx, closed.signal);
  await create.entered;
  closed.abort(new Error('connection closed'));
  create.release();
  await assert.rejects(connecting);
  assert.equal(fake.callsOf('createContainer').length, 1, 'the create reached the engine');
  assert.equal(fake.callsOf('startContainer').length, 0, 'a cancelled connection is not started');
  assert.deepEqual([...fake.containers.keys()], [], 'the container created after the close was removed');
  const created = events.find((e) => e.type === 'container-created');
  assert.ok(created !== undefined && events.some((e) => e.type === 'container-removed' && e.id === created.id));
});

test('connection closed while the container is starting: the container is removed, nothing is left', async () => {
  const fake = engineWithImage();
  const ctx = testContext(config('connection'));
  const start = fake.hold('startContainer');
  const closed = new AbortController();
  const connecting = backendOn(fake).connect(ctx, closed.signal);
  await start.entered;
  closed.abort(new Error('connection closed'));
  await assert.rejects(connecting);
  start.release();
  assert.equal(fake.callsOf('removeContainer').length, 1);
  assert.deepEqual([...fake.containers.keys()], []);
});

test('session mode: a program start cancelled while its container is created leaves no container', async () => {
  const fake = engineWithImage();
  const conn = await backendOn(fake).connect(testContext(config('session')), AbortSignal.timeout(10_000));
  const session = await conn.openSession({ channelId: 1 });
  const create = fake.hold('createContainer');
  const cancelled = new AbortController();
  const io = { stdin: new PassThrough(), stdout: new Collector(), stderr: new Collector() };
  const starting = session.start({ kind: 'shell' }, io, cancelled.signal);
  await create.entered;
  cancelled.abort(new Error('channel closed'));
  create.release();
  await assert.rejects(starting);
  await session.close();
  await conn.close();
  assert.deepEqual([...fake.containers.keys()], []);
});

/** Starts the janitor on `fake` with its own state directory; `stop()` also removes the directory. */
async function janitorOn(fake: FakeEngine, o: { grace?: number; delays?: number[] } = {}) {
  const stateDir = await mkdtemp(join(tmpdir(), 'cssh-fake-janitor-'));
  const logger = recordingLogger();
  const events: CsshEvent[] = [];
  const janitor: ContainerJanitor = await startContainerJanitor({
    stateDir, instanceFlag: `fake-${Date.now().toString(36)}`, instance: { id: '', reconcileInterval: 0, reconcileGrace: o.grace ?? 60_000, workers: 1 },
    primary: { engine: fake, connection: config('connection').docker.connection }, attemptMs: 1_000, logger,
    onEvent: (e) => events.push(e), retryDelaysMs: o.delays,
  });
  const backend = janitor.wrap(backendOn(fake, janitor.instanceId));
  const stop = async (): Promise<void> => {
    await janitor.stop();
    await rm(stateDir, { recursive: true, force: true });
  };
  return { janitor, backend, logger, events, stop };
}

test('a removal that fails is retried with backoff until it succeeds; every retry is logged and counted', { timeout: 20_000 }, async () => {
  const fake = engineWithImage();
  const delays = [20, 40, 80, 160];
  const j = await janitorOn(fake, { delays });
  try {
    const conn = await j.backend.connect(testContext(config('connection')), AbortSignal.timeout(10_000));
    const [id] = [...fake.containers.keys()];
    fake.fail('removeContainer', 3);
    await conn.close();
    await j.logger.waitFor('DOCKER_CONTAINER_REMOVE_SUCCESSFUL');
    assert.deepEqual([...fake.containers.keys()], [], 'removed in the end');
    const removes = fake.callsOf('removeContainer');
    assert.equal(removes.length, 4, 'the close, two failed retries, one successful retry');
    assert.ok(removes.every((r) => r.args[0] === id));
    // Retries 2 and 3 waited at least the 2nd and 3rd delays after the attempt before them.
    for (const i of [2, 3]) {
      const gap = (removes[i]?.at ?? 0) - (removes[i - 1]?.at ?? 0);
      assert.ok(gap >= (delays[i - 1] ?? 0) - 2, `retry ${i} came ${gap} ms after the one before, sooner than the backoff`);
    }
    const retries = j.logger.lines.filter((l) => l.code === 'DOCKER_REMOVE_RETRY');
    assert.deepEqual(retries.map((l) => [l.labels?.attempt, l.labels?.nextInMs]), [[1, 40], [2, 80]]);
    const counted = j.events.filter((e) => e.type === 'container-remove-retry').map((e) => (e.type === 'container-remove-retry' ? e.ok : undefined));
    assert.deepEqual(counted, [false, false, true]);
  } finally {
    await j.stop();
  }
});

test('reconciler: a young orphan is spared (grace), an old one removed, a live connection\'s kept, another instance\'s never touched', async () => {
  const fake = engineWithImage();
  const j = await janitorOn(fake, { grace: 60_000 });
  try {
    const ctx: ConnectionContext = testContext(config('connection'));
    const live = await j.backend.connect(ctx, AbortSignal.timeout(10_000));
    const [liveId = ''] = [...fake.containers.keys()];
    const longAgo = Date.now() - 10 * 60_000;
    const seed = async (instance: string, connection: string, createdMs: number): Promise<string> => {
      const id = await fake.createContainer({ Image: IMAGE, Labels: { 'cssh.instance': instance, 'cssh.connection': connection } }, AbortSignal.timeout(1_000));
      const c = fake.containers.get(id);
      if (c !== undefined) c.createdMs = createdMs;
      return id;
    };
    const liveContainer = fake.containers.get(liveId);
    if (liveContainer !== undefined) liveContainer.createdMs = longAgo;
    const young = await seed(j.janitor.instanceId, 'gone-young', Date.now());
    const old = await seed(j.janitor.instanceId, 'gone-old', longAgo);
    const foreign = await seed('another-instance', 'theirs', longAgo);

    assert.equal(await j.janitor.reconcile(), 1);
    assert.deepEqual(new Set(fake.containers.keys()), new Set([liveId, young, foreign]));
    const orphanLines = j.logger.lines.filter((l) => l.code === 'DOCKER_ORPHAN_REMOVED');
    assert.deepEqual(orphanLines.map((l) => l.labels?.containerId), [old]);
    assert.ok(j.events.some((e) => e.type === 'container-removed' && e.id === old && e.orphan));

    await live.close();
    assert.ok(!fake.containers.has(liveId), 'the connection removed its own container');
    await j.janitor.stop();
    assert.deepEqual([...fake.containers.keys()], [foreign], 'shutdown swept the young orphan too, and nothing of another instance');
  } finally {
    await j.stop();
  }
});

for (const [apiVersion, sent] of [['1.41', false], ['1.42', true], ['1.47', true]] as const) {
  test(`API ${apiVersion}: ConsoleSize ${sent ? 'is' : 'is not'} sent on container create (session mode) and exec create (connection mode)`, async () => {
    const fake = engineWithImage(apiVersion);
    fake.program = { mode: 'exit', exitCode: 3, output: 'hello' };
    const session = await backendOn(fake).connect(testContext(config('session')), AbortSignal.timeout(10_000));
    const ran = await runOnce(session, { kind: 'exec', command: 'true' }, { pty: PTY });
    assert.deepEqual([ran.code, ran.stdout], [3, 'hello'], 'the program ran on the fake');
    await session.close();
    const created = fake.callsOf('createContainer').map((c) => c.args[0] as { HostConfig?: { ConsoleSize?: unknown } });
    assert.equal(created.length, 1);
    assert.deepEqual(created[0]?.HostConfig?.ConsoleSize, sent ? [PTY.rows, PTY.cols] : undefined);

    const conn = await backendOn(fake).connect(testContext(config('connection')), AbortSignal.timeout(10_000));
    await runOnce(conn, { kind: 'exec', command: 'true' }, { pty: PTY });
    await runOnce(conn, { kind: 'exec', command: 'true' });
    await conn.close();
    const execs = [...fake.execs.values()].map((e) => e.body.ConsoleSize);
    assert.deepEqual(execs, [sent ? [PTY.rows, PTY.cols] : undefined, undefined], 'with a TTY only');
    assert.deepEqual([...fake.containers.keys()], []);
  });
}
