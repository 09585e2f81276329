// Warm pool over FakeEngine: hit, miss on a differing spec, refill, maxIdle recycling, drain on stop, fill backoff, reconciler.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseImageReference } from '../../../src/backend/docker/image/image-name.js';
import { createDockerBackend, startContainerJanitor, startWarmPool, type WarmPool } from '../../../src/backend/docker/index.js';
import { CONNECTION_LABELS, LABEL_CREATE, LABEL_POOL } from '../../../src/backend/docker/lifecycle/container-spec.js';
import type { AppConfig } from '../../../src/config/types.js';
import type { CsshEvent } from '../../../src/core/events.js';
import { testConfig, testContext } from '../../support/backend.js';
import { FakeEngine } from '../../support/fake-engine.js';
import { recordingLogger } from '../../support/recording-logger.js';

const IMAGE = 'cssh-test/fake:latest';
const CANONICAL = parseImageReference(IMAGE).canonical;

function engineWithImage(): FakeEngine {
  const fake = new FakeEngine('1.47');
  fake.images.set(CANONICAL, { present: true, id: 'sha256:one', size: 1, created: '', repoTags: [IMAGE] });
  return fake;
}

function poolConfig(size: number, maxIdle = 600_000): AppConfig {
  const c = testConfig('connection', IMAGE);
  c.docker.timeouts = { ...c.docker.timeouts, containerStop: 1_000 };
  c.docker.execution.container = { Image: IMAGE, Env: ['FROM_CONFIG=1'], Labels: { team: 'blue' } };
  c.docker.pool = { size, maxIdle };
  return c;
}

interface Conn {
  id: string;
  close(): Promise<void>;
}

interface Setup {
  fake: FakeEngine;
  config: AppConfig;
  pool: WarmPool;
  logger: ReturnType<typeof recordingLogger>;
  events: CsshEvent[];
  /** Logs in; `id` is the connection's container (created for it, or handed out by the pool). */
  connect(config?: AppConfig, edit?: (ctx: ReturnType<typeof testContext>) => void): Promise<Conn>;
  reconcile(): Promise<number>;
  stop(): Promise<void>;
}

/** Janitor (reconciler with no grace), warm pool and backend on one fake engine, wired as serve wires them. */
async function setUp(config: AppConfig, o: { fake?: FakeEngine; backoffMs?: number[]; checkEveryMs?: number } = {}): Promise<Setup> {
  const fake = o.fake ?? engineWithImage();
  const stateDir = await mkdtemp(join(tmpdir(), 'cssh-fake-pool-'));
  const logger = recordingLogger();
  const events: CsshEvent[] = [];
  const onEvent = (e: CsshEvent): void => void events.push(e);
  const janitor = await startContainerJanitor({
    stateDir, instanceFlag: `pool-${Date.now().toString(36)}`, instance: { id: '', reconcileInterval: 0, reconcileGrace: 0, workers: 1 },
    primary: { engine: fake, connection: config.docker.connection }, attemptMs: 1_000, logger, onEvent,
  });
  const pool = startWarmPool({
    config, engine: fake, instanceId: janitor.instanceId, logger, onEvent: janitor.primaryEvents(onEvent),
    track: (id) => janitor.track(id), backoffMs: o.backoffMs, checkEveryMs: o.checkEveryMs,
  });
  assert.ok(pool !== undefined);
  const backend = janitor.wrap(createDockerBackend({ instanceId: janitor.instanceId, openClient: async () => fake, pool }));
  return {
    fake, config, pool, logger, events,
    connect: async (c = config, edit) => {
      const own: CsshEvent[] = [];
      const ctx = testContext(c, own);
      ctx.onEvent = (e) => {
        own.push(e);
        events.push(e);
      };
      ctx.logger = logger;
      edit?.(ctx);
      const handler = await backend.connect(ctx, AbortSignal.timeout(10_000));
      return { id: containerOf(own, logger, ctx.info.connectionId), close: () => handler.close() };
    },
    reconcile: () => janitor.reconcile(),
    stop: async () => {
      await pool.stop();
      await janitor.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

const poolContainers = (fake: FakeEngine): string[] => [...fake.containers.values()].filter((c) => LABEL_POOL in c.labels).map((c) => c.id);
const misses = (events: CsshEvent[]): string[] => events.flatMap((e) => (e.type === 'pool-miss' ? [e.reason] : []));
const hits = (events: CsshEvent[]): number => events.filter((e) => e.type === 'pool-hit').length;

/** The connection's container: the one created under its events, else the one the pool handed it (DOCKER_POOL_HIT). */
function containerOf(own: CsshEvent[], logger: ReturnType<typeof recordingLogger>, connectionId: string): string {
  const created = own.find((e) => e.type === 'container-created');
  if (created?.type === 'container-created') return created.id;
  const hit = logger.lines.find((l) => l.code === 'DOCKER_POOL_HIT' && l.labels?.connectionId === connectionId);
  if (typeof hit?.labels?.containerId === 'string') return hit.labels.containerId;
  throw new Error('no container for this connection');
}

test('a login takes a ready container without creating one; the pool refills behind it', { timeout: 20_000 }, async () => {
  const s = await setUp(poolConfig(2));
  try {
    await s.logger.waitFor('DOCKER_POOL_FILL', 2);
    const ready = poolContainers(s.fake);
    assert.equal(ready.length, 2);
    const conn = await s.connect();
    const created = s.fake.callsOf('createContainer').map((c) => (c.args[0] as { Labels?: Record<string, string> }).Labels ?? {});
    assert.ok(created.every((labels) => LABEL_POOL in labels), 'the login itself created no container (only the pool did)');
    const id = conn.id;
    assert.ok(ready.includes(id), 'the login got one of the ready containers');
    assert.equal(hits(s.events), 1);
    assert.equal(s.fake.containers.get(id)?.state, 'running');
    await s.logger.waitFor('DOCKER_POOL_FILL', 3);
    assert.equal(s.pool.ready, 2, 'refilled to its size');
    await s.logger.waitFor('DOCKER_POOL_HIT');
    assert.match(s.fake.containers.get(id)?.name ?? '', /^cssh-tester-[0-9a-f]+$/, 'renamed after its user and connection');
    await conn.close();
    assert.ok(!s.fake.containers.has(id), 'removed at logout like any other');
    const sizes = s.events.flatMap((e) => (e.type === 'pool-size' ? [e.idle] : []));
    assert.equal(sizes.at(-1), 2);
  } finally {
    await s.stop();
  }
  assert.deepEqual([...s.fake.containers.keys()], [], 'nothing left');
});

test('a pooled container is created exactly as a fresh one would be, apart from the labels naming the connection', { timeout: 20_000 }, async () => {
  const s = await setUp(poolConfig(1));
  try {
    await s.logger.waitFor('DOCKER_POOL_FILL');
    const pooled = s.fake.containers.get(poolContainers(s.fake)[0] ?? '');
    assert.ok(pooled !== undefined);
    const fresh = createDockerBackend({ instanceId: pooled.labels['cssh.instance'] ?? '', openClient: async () => s.fake });
    const own: CsshEvent[] = [];
    const conn = await fresh.connect(testContext(s.config, own), AbortSignal.timeout(10_000));
    const created = s.fake.containers.get(containerOf(own, s.logger, ''));
    assert.ok(created !== undefined);
    const strip = (spec: Record<string, unknown>): Record<string, unknown> => {
      const labels = { ...(spec.Labels as Record<string, string>) };
      for (const key of [...CONNECTION_LABELS, LABEL_POOL, LABEL_CREATE]) delete labels[key];
      return { ...spec, Labels: labels };
    };
    assert.deepEqual(strip(pooled.spec), strip(created.spec));
    assert.equal(created.labels.team, 'blue');
    assert.deepEqual(pooled.spec.Env, ['FROM_CONFIG=1']);
    await conn.close();
  } finally {
    await s.stop();
  }
});

test('a login whose spec differs (auth metadata env, config server result) misses and gets a container of its own', { timeout: 20_000 }, async () => {
  const s = await setUp(poolConfig(1));
  try {
    await s.logger.waitFor('DOCKER_POOL_FILL');
    const [ready] = poolContainers(s.fake);
    const withEnv = await s.connect(undefined, (ctx) => {
      ctx.info.environment = { SECRET: { value: 'alice-only', sensitive: false } };
    });
    const perUser = structuredClone(s.config);
    perUser.docker.execution.container = { ...perUser.docker.execution.container, Env: ['FROM_CONFIG=2'] };
    const fromConfigServer = await s.connect(perUser);
    const metadataConfig = structuredClone(s.config);
    metadataConfig.docker.execution.exposeAuthMetadataAsEnv = true;
    const withMetadata = await s.connect(metadataConfig, (ctx) => {
      ctx.info.metadata = { GROUP: { value: 'admins', sensitive: false } };
    });
    assert.deepEqual(misses(s.events), ['spec', 'spec', 'spec']);
    assert.equal(hits(s.events), 0);
    for (const conn of [withEnv, fromConfigServer, withMetadata]) assert.notEqual(conn.id, ready);
    assert.deepEqual(s.fake.containers.get(withEnv.id)?.spec.Env, ['FROM_CONFIG=1', 'SECRET=alice-only']);
    assert.deepEqual(s.fake.containers.get(fromConfigServer.id)?.spec.Env, ['FROM_CONFIG=2']);
    assert.deepEqual(poolContainers(s.fake), [ready], 'the ready container is still there for a matching login');
    await Promise.all([withEnv, fromConfigServer, withMetadata].map((c) => c.close()));
  } finally {
    await s.stop();
  }
});

test('an empty pool is a miss, not a wait; a stopped or re-tagged ready container is never handed out', { timeout: 20_000 }, async () => {
  const fake = engineWithImage();
  const hold = fake.hold('createContainer');
  const s = await setUp(poolConfig(1), { fake });
  try {
    await hold.entered;
    const conn = await s.connect();
    assert.deepEqual(misses(s.events), ['empty']);
    hold.release();
    await s.logger.waitFor('DOCKER_POOL_FILL');
    await conn.close();
    // Someone stops the ready container: the login discards it and creates its own.
    const [first] = poolContainers(s.fake);
    await s.fake.killContainer(first ?? '', 'KILL', AbortSignal.timeout(1_000));
    const second = await s.connect();
    assert.notEqual(second.id, first);
    assert.deepEqual(misses(s.events), ['empty', 'stale']);
    await second.close();
    // The image name now points at another image: the ready container made from the old one is discarded.
    await s.logger.waitFor('DOCKER_POOL_FILL', 2);
    s.fake.images.set(CANONICAL, { present: true, id: 'sha256:two', size: 1, created: '', repoTags: [IMAGE] });
    const [old] = poolContainers(s.fake);
    const third = await s.connect();
    assert.notEqual(third.id, old);
    assert.deepEqual(misses(s.events), ['empty', 'stale', 'stale']);
    assert.ok(s.logger.lines.some((l) => l.code === 'DOCKER_POOL_RECYCLED' && /image changed/.test(l.message)));
    await third.close();
    // Refilled from the new image, and that one is handed out.
    await s.logger.waitFor('DOCKER_POOL_FILL', 3);
    const fourth = await s.connect();
    assert.equal(hits(s.events), 1);
    await fourth.close();
  } finally {
    await s.stop();
  }
  assert.deepEqual([...fake.containers.keys()], []);
});

test('a ready container unused for maxIdle is replaced by a fresh one', { timeout: 20_000 }, async () => {
  const s = await setUp(poolConfig(1, 50), { checkEveryMs: 20 });
  try {
    await s.logger.waitFor('DOCKER_POOL_FILL');
    const [first] = poolContainers(s.fake);
    await s.logger.waitFor('DOCKER_POOL_RECYCLED');
    await s.logger.waitFor('DOCKER_POOL_FILL', 2);
    assert.ok(!s.fake.containers.has(first ?? ''), 'the old one was removed');
    assert.equal(poolContainers(s.fake).length >= 1, true);
    assert.match(s.logger.lines.find((l) => l.code === 'DOCKER_POOL_RECYCLED')?.message ?? '', /maxIdle/);
  } finally {
    await s.stop();
  }
});

test('stop removes every ready container; a handed-out one stays with its connection until logout', { timeout: 20_000 }, async () => {
  const s = await setUp(poolConfig(3));
  await s.logger.waitFor('DOCKER_POOL_FILL', 3);
  const conn = await s.connect();
  const mine = conn.id;
  await s.pool.stop();
  assert.deepEqual([...s.fake.containers.keys()], [mine], 'only the handed-out container is left');
  assert.equal(s.pool.ready, 0);
  assert.ok(s.logger.lines.some((l) => l.code === 'DOCKER_POOL_DRAINED' && l.labels?.removed === 2));
  const afterStop = await s.connect();
  assert.deepEqual(misses(s.events), ['empty'], 'a stopped pool hands nothing out');
  await Promise.all([conn.close(), afterStop.close()]);
  await s.stop();
  assert.deepEqual([...s.fake.containers.keys()], []);
});

test('a failing fill (image missing, create refused) is logged with its code and retried with backoff', { timeout: 20_000 }, async () => {
  const fake = engineWithImage();
  fake.images.delete(CANONICAL);
  const config = poolConfig(1);
  config.docker.execution.imagePullPolicy = 'Never';
  const s = await setUp(config, { fake, backoffMs: [40, 80] });
  try {
    await s.logger.waitFor('DOCKER_POOL_FILL_FAILED', 3);
    const failures = s.logger.lines.filter((l) => l.code === 'DOCKER_POOL_FILL_FAILED');
    assert.deepEqual(failures.map((l) => l.labels?.cause), ['DOCKER_IMAGE_NOT_FOUND', 'DOCKER_IMAGE_NOT_FOUND', 'DOCKER_IMAGE_NOT_FOUND']);
    assert.deepEqual(failures.map((l) => l.labels?.retryInMs), [40, 80, 80]);
    assert.equal(failures[0]?.level, 'warning');
    const checks = fake.callsOf('inspectImage');
    for (let i = 1; i < checks.length; i += 1) {
      const gap = (checks[i]?.at ?? 0) - (checks[i - 1]?.at ?? 0);
      assert.ok(gap >= 38, `attempt ${i} came ${gap} ms after the one before, sooner than the backoff`);
    }
    assert.equal(s.events.filter((e) => e.type === 'pool-fill-failed').length >= 3, true);
    // The image arrives: the pool fills, and a login gets it.
    fake.images.set(CANONICAL, { present: true, id: 'sha256:one', size: 1, created: '', repoTags: [IMAGE] });
    await s.logger.waitFor('DOCKER_POOL_FILL');
    const conn = await s.connect();
    assert.equal(hits(s.events), 1);
    await conn.close();
    await s.logger.waitFor('DOCKER_POOL_FILL', 2);
    // An engine refusing creates while the pool refills: logged with the create's code, backed off, then filled.
    const failed = s.logger.count('DOCKER_POOL_FILL_FAILED');
    fake.fail('createContainer', 2, () => Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' }));
    const second = await s.connect();
    assert.equal(hits(s.events), 2);
    await s.logger.waitFor('DOCKER_POOL_FILL_FAILED', failed + 2);
    assert.equal(s.logger.lines.filter((l) => l.code === 'DOCKER_POOL_FILL_FAILED').at(-1)?.labels?.cause, 'DOCKER_CONTAINER_CREATE_FAILED');
    await s.logger.waitFor('DOCKER_POOL_FILL', 3);
    await second.close();
    await s.logger.waitFor('DOCKER_POOL_FILL', 2);
  } finally {
    await s.stop();
  }
  assert.deepEqual([...fake.containers.keys()], []);
});

test('the reconciler spares ready and handed-out containers, and removes a pool container nobody vouches for', { timeout: 20_000 }, async () => {
  const s = await setUp(poolConfig(2));
  try {
    await s.logger.waitFor('DOCKER_POOL_FILL', 2);
    const conn = await s.connect();
    await s.logger.waitFor('DOCKER_POOL_FILL', 3);
    // A pool container of this instance left by a crashed process (its slot id is live nowhere).
    const [template] = [...s.fake.containers.values()];
    const stray = await s.fake.createContainer({ ...template?.spec, Labels: { ...template?.labels, 'cssh.connection': 'pool-deadbeef' } }, AbortSignal.timeout(1_000));
    assert.equal(await s.reconcile(), 1);
    assert.ok(!s.fake.containers.has(stray));
    assert.equal(s.fake.containers.size, 3, 'two ready and the handed-out one are left');
    await conn.close();
  } finally {
    await s.stop();
  }
  assert.deepEqual([...s.fake.containers.keys()], []);
});

test('no pool for size 0, session mode or a fixed container name (a warning says why)', { timeout: 20_000 }, () => {
  const logger = recordingLogger();
  const base = { engine: new FakeEngine(), instanceId: 'x', logger, track: () => () => undefined };
  assert.equal(startWarmPool({ ...base, config: poolConfig(0) }), undefined);
  const session = poolConfig(1);
  session.docker.execution.mode = 'session';
  assert.equal(startWarmPool({ ...base, config: session }), undefined);
  const named = poolConfig(1);
  named.docker.execution.containername = 'fixed';
  assert.equal(startWarmPool({ ...base, config: named }), undefined);
  assert.equal(logger.count('DOCKER_POOL_UNUSED'), 2);
});
