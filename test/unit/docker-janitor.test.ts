// Removal retry queue and reconciler over a fake engine (cssh's own JanitorEngine): backoff, bounds, grace, live connections.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LabelledContainer } from '../../src/backend/docker/engine/docker-engine.js';
import { LiveConnections, Reconciler } from '../../src/backend/docker/lifecycle/reconciler.js';
import { RemovalQueue, type JanitorEngine } from '../../src/backend/docker/lifecycle/removal-queue.js';
import type { CsshEvent } from '../../src/core/events.js';
import { recordingLogger } from '../support/recording-logger.js';

/** An engine whose containers live in a map; `down` makes every call fail like a stopped engine. */
function fakeEngine(containers: LabelledContainer[] = []) {
  const state = { down: false, removes: [] as string[], containers: new Map(containers.map((c) => [c.id, c])) };
  const refused = (): Error => Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' });
  const engine: JanitorEngine = {
    name: 'fake',
    list: async (label) => {
      if (state.down) throw refused();
      const [key = '', value] = label.split('=');
      return [...state.containers.values()].filter((c) => c.labels[key] === value);
    },
    remove: async (id) => {
      state.removes.push(id);
      if (state.down) throw refused();
      state.containers.delete(id);
    },
  };
  return { engine, state };
}

const container = (id: string, connection: string, createdMs: number, instance = 'me'): LabelledContainer => ({
  id, labels: { 'cssh.instance': instance, 'cssh.connection': connection }, createdMs, state: 'running',
});

test('a failed removal is retried with backoff until it succeeds; every retry is logged and counted', async () => {
  const logger = recordingLogger();
  const events: CsshEvent[] = [];
  const { engine, state } = fakeEngine([container('c1', 'x', 0)]);
  state.down = true;
  const queue = new RemovalQueue({ logger, onEvent: (e) => events.push(e), attemptMs: 1_000, delaysMs: [5, 5, 5, 5] });
  queue.add(engine, 'c1');
  queue.add(engine, 'c1'); // already queued: one entry
  assert.equal(queue.size, 1);
  await logger.waitFor('DOCKER_REMOVE_RETRY', 2);
  state.down = false;
  await logger.waitFor('DOCKER_CONTAINER_REMOVE_SUCCESSFUL');
  assert.equal(queue.size, 0);
  assert.ok(!state.containers.has('c1'));
  const retries = events.filter((e) => e.type === 'container-remove-retry');
  assert.ok(retries.length >= 3);
  assert.deepEqual(retries.at(-1), { type: 'container-remove-retry', ok: true });
  assert.ok(events.some((e) => e.type === 'container-removed' && e.id === 'c1' && !e.orphan));
  const attempts = logger.lines.filter((l) => l.code === 'DOCKER_REMOVE_RETRY').map((l) => l.labels?.attempt);
  assert.deepEqual(attempts, attempts.map((_, i) => i + 1));
});

test('the retry queue is bounded: it gives up after its last delay, and refuses entries beyond its size', async () => {
  const logger = recordingLogger();
  const { engine, state } = fakeEngine();
  state.down = true;
  const queue = new RemovalQueue({ logger, attemptMs: 1_000, delaysMs: [1, 1], maxQueued: 1 });
  queue.add(engine, 'a');
  queue.add(engine, 'b');
  assert.equal(queue.size, 1);
  await logger.waitFor('DOCKER_REMOVE_GAVE_UP', 2);
  assert.equal(queue.size, 0);
  assert.deepEqual(state.removes, ['a', 'a']);
});

test('drain makes one last attempt for each queued container and reports what is left', async () => {
  const logger = recordingLogger();
  const { engine, state } = fakeEngine([container('c1', 'x', 0)]);
  const queue = new RemovalQueue({ logger, attemptMs: 1_000, delaysMs: [60_000] });
  queue.add(engine, 'c1');
  queue.add(engine, 'c2');
  state.down = true;
  assert.deepEqual((await queue.drain(AbortSignal.timeout(5_000))).sort(), ['c1', 'c2']);
  assert.equal(queue.size, 0);
  queue.add(engine, 'c3'); // closed: ignored
  assert.equal(queue.size, 0);
});

test('a periodic pass spares live connections and young containers; sweeps remove everything of the instance only', async () => {
  const logger = recordingLogger();
  const now = 1_000_000;
  const { engine, state } = fakeEngine([
    container('live', 'conn-live', now - 600_000),
    container('young', 'conn-gone', now - 1_000),
    container('orphan', 'conn-gone', now - 600_000),
    container('other', 'conn-gone', now - 600_000, 'someone-else'),
  ]);
  const live = new LiveConnections();
  const release = live.track('conn-live');
  const events: CsshEvent[] = [];
  const queue = new RemovalQueue({ logger, attemptMs: 1_000, delaysMs: [60_000] });
  queue.add(engine, 'orphan');
  const reconciler = new Reconciler({ instanceId: 'me', live, queue, logger, onEvent: (e) => events.push(e), graceMs: 60_000, attemptMs: 1_000, now: () => now });
  assert.equal(await reconciler.pass([engine], 'periodic'), 1);
  assert.deepEqual([...state.containers.keys()].sort(), ['live', 'other', 'young']);
  assert.equal(queue.size, 0, 'a container the queue waited for left it once removed');
  assert.ok(events.some((e) => e.type === 'container-removed' && e.id === 'orphan' && e.orphan));
  assert.ok(logger.lines.some((l) => l.code === 'DOCKER_ORPHAN_REMOVED' && l.labels?.containerId === 'orphan'));
  release();
  release(); // idempotent
  assert.equal(live.size, 0);
  assert.equal(await reconciler.pass([engine], 'periodic'), 1, 'the connection ended: its container goes');
  assert.deepEqual([...state.containers.keys()].sort(), ['other', 'young']);
  assert.equal(await reconciler.pass([engine], 'shutdown'), 1, 'a sweep ignores the grace period');
  assert.deepEqual([...state.containers.keys()], ['other'], 'another instance\'s container is never touched');
});

test('an unreachable engine makes a pass log and count a failure, and the next pass succeeds', async () => {
  const logger = recordingLogger();
  const events: CsshEvent[] = [];
  const { engine, state } = fakeEngine([container('c', 'gone', 0)]);
  const live = new LiveConnections();
  const queue = new RemovalQueue({ logger, attemptMs: 1_000 });
  const reconciler = new Reconciler({ instanceId: 'me', live, queue, logger, onEvent: (e) => events.push(e), graceMs: 0, attemptMs: 1_000 });
  state.down = true;
  assert.equal(await reconciler.pass([engine], 'periodic'), 0);
  assert.ok(logger.lines.some((l) => l.code === 'DOCKER_RECONCILE_FAILED' && l.level === 'warning'));
  state.down = false;
  assert.equal(await reconciler.pass([engine], 'periodic'), 1);
  assert.deepEqual(events.filter((e) => e.type === 'reconcile-pass'), [{ type: 'reconcile-pass', ok: false }, { type: 'reconcile-pass', ok: true }]);
});
