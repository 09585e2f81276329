// Warm pool against the real engine and OpenSSH: a login runs in a pooled container, the pool refills, stop leaves nothing.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { startServe, type ServeHandle } from '../support/serve-harness.js';
import { METRICS_ON, metricsAddress, scrapeMetrics } from '../support/serve-metrics.js';
import { startWebhookStub } from '../support/webhook-stub.js';

const EAGER_RECONCILER = { instance: { reconcileInterval: '1s', reconcileGrace: '0s' } };

/** Ids (12 characters) of this server's warm pool containers that are not handed out yet (no connection name). */
function readyIds(srv: ServeHandle): string[] {
  const out = execFileSync('docker', ['ps', '-a', '--filter', `label=cssh.instance=${srv.instanceId}`, '--filter', 'label=cssh.pool', '--format', '{{.ID}} {{.Names}} {{.State}}'], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((line) => line.split(' ')).filter(([, name, state]) => !(name ?? '').startsWith('cssh-') && state === 'running').map(([id]) => id ?? '');
}

/** Polls the engine until `check` holds (the pool fills in the background; there is no event to wait on from outside). */
async function until<T>(what: string, check: () => T | undefined | false, seconds = 120): Promise<T> {
  for (let i = 0; i < seconds * 5; i++) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    await sleep(200);
  }
  throw new Error(`timed out waiting for: ${what}`);
}

dockerTest('warm pool: a login runs in a pooled container with exact output and exit code, the pool refills, stop leaves nothing', async () => {
  // The reconciler runs every second with no grace: it must tell ready and handed-out containers from orphans.
  const srv = await startServe({ image: TEST_IMAGES.busybox, config: { ...METRICS_ON, ...EAGER_RECONCILER, docker: { pool: { size: 2, maxIdle: '10m' } } } });
  try {
    const ready = await until('two ready containers', () => { const ids = readyIds(srv); return ids.length === 2 ? ids : undefined; });
    // Docker gives a container its short id as host name: the program shows which container it ran in.
    const result = await srv.ssh(['cat /etc/hostname; echo out; echo err >&2; exit 3']);
    const [hostname, ...rest] = result.stdout.toString().split('\n');
    assert.ok(ready.includes(hostname ?? ''), `ran in ${hostname}, not one of the ready containers ${ready.join(' ')}`);
    assert.equal(rest.join('\n'), 'out\n');
    assert.match(result.stderr, /^err$/m);
    assert.equal(result.code, 3);
    // The handed-out container went at logout; the pool is back to two, one of them new.
    const refilled = await until('the pool refilled', () => {
      const ids = readyIds(srv);
      return ids.length === 2 && !ids.includes(hostname ?? '') && srv.containers().length === 2 ? ids : undefined;
    });
    assert.ok(refilled.some((id) => !ready.includes(id)), 'a new container was made');
    // A live session: the container carries the connection's name while it is in use.
    const child = spawn('ssh', [...srv.sshArgs(), 'cat /etc/hostname; read line; echo got $line'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const inUse = await until('the session printed its host name', () => /^([0-9a-f]{12})\n/.exec(text)?.[1]);
    assert.ok(refilled.includes(inUse));
    const name = await until('the container was renamed', () => {
      const n = execFileSync('docker', ['inspect', '--format', '{{.Name}}', inUse], { encoding: 'utf8' }).trim();
      return n.startsWith('/cssh-tester-') ? n : undefined;
    });
    assert.match(name, /^\/cssh-tester-[0-9a-f]+$/);
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stdin.end('hello\n');
    assert.equal(await exit, 0);
    assert.match(text, /got hello\n$/);
    assert.doesNotMatch(srv.output(), /DOCKER_ORPHAN_REMOVED/, 'the reconciler removed no ready or handed-out container');
    const metrics = await scrapeMetrics(metricsAddress(srv));
    assert.equal(metrics.get('cssh_pool_hits_total'), 2);
    assert.equal(metrics.get('cssh_pool_misses_total') ?? 0, 0);
    assert.ok((metrics.get('cssh_pool_idle_containers') ?? -1) >= 0);
  } finally {
    await srv.stop();
  }
  assert.deepEqual(srv.containers(), [], 'stop removed the ready containers');
  assert.match(srv.output(), /DOCKER_POOL_DRAINED/);
}, { timeout: 300_000 });

dockerTest('warm pool: a missing image is logged and retried, logins fail as without a pool, and nothing is left', async () => {
  const srv = await startServe({ image: 'cssh-test/absent-for-pool:never', config: { docker: { pool: { size: 1 } } } });
  try {
    await until('a fill failure with its code', () => /DOCKER_POOL_FILL_FAILED[\s\S]*DOCKER_IMAGE_NOT_FOUND/.test(srv.output()));
    const result = await srv.ssh(['true']);
    assert.notEqual(result.code, 0);
    assert.equal(srv.process.exitCode, null, 'serve is still running');
  } finally {
    await srv.stop();
  }
  assert.deepEqual(srv.containers(), []);
}, { timeout: 180_000 });

dockerTest('warm pool with serve --workers 2: each worker keeps its own ready container; stop leaves nothing', async () => {
  const srv = await startServe({ image: TEST_IMAGES.busybox, workers: 2, config: { ...EAGER_RECONCILER, docker: { pool: { size: 1 } } } });
  try {
    await until('one ready container per worker', () => readyIds(srv).length === 2);
    const result = await srv.ssh(['echo pooled']);
    assert.equal(result.stdout.toString(), 'pooled\n');
    assert.equal(result.code, 0);
    // The primary's reconciler (every second, no grace) knows the workers' pool slots as live: none is an orphan.
    await until('refilled', () => readyIds(srv).length === 2 && srv.containers().length === 2);
    await until('a few reconciler passes', () => (srv.output().match(/DOCKER_RECONCILE\b/g) ?? []).length >= 3);
    assert.doesNotMatch(srv.output(), /DOCKER_ORPHAN_REMOVED/);
  } finally {
    await srv.stop();
  }
  assert.deepEqual(srv.containers(), []);
}, { timeout: 300_000 });

dockerTest('warm pool: a user whose config server answer changes the container never gets a pooled one', async () => {
  const stub = await startWebhookStub({
    '/config': (req) => {
      const user = (req.body as { username?: string }).username;
      return { body: { config: user === 'alice' ? { docker: { execution: { container: { Env: ['ONLY_ALICE=yes'] } } } } : {} } };
    },
  });
  const srv = await startServe({ image: TEST_IMAGES.busybox, config: { ...METRICS_ON, configserver: { url: `${stub.url}/config` }, docker: { pool: { size: 1 } } } });
  try {
    const [ready] = await until('a ready container', () => { const ids = readyIds(srv); return ids.length === 1 ? ids : undefined; });
    const alice = await srv.ssh(['cat /etc/hostname; echo "$ONLY_ALICE"'], { user: 'alice' });
    assert.equal(alice.code, 0, alice.stderr);
    const [aliceHost, aliceEnv] = alice.stdout.toString().split('\n');
    assert.notEqual(aliceHost, ready, 'alice got the pooled container although her container differs');
    assert.equal(aliceEnv, 'yes');
    assert.deepEqual(readyIds(srv), [ready], 'the ready container is still there');
    const bob = await srv.ssh(['cat /etc/hostname; echo "[$ONLY_ALICE]"'], { user: 'bob' });
    assert.deepEqual(bob.stdout.toString().split('\n').slice(0, 2), [ready, '[]']);
    const metrics = await scrapeMetrics(metricsAddress(srv));
    assert.equal(metrics.get('cssh_pool_hits_total'), 1);
    assert.equal(metrics.get('cssh_pool_misses_total'), 1);
    assert.match(srv.output(), /DOCKER_POOL_MISS[^\n]*"reason":"spec"/);
  } finally {
    await srv.stop();
    await stub.close();
  }
  assert.deepEqual(srv.containers(), []);
}, { timeout: 300_000 });
