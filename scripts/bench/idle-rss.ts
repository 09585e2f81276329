// Benchmark (not a test): the server's resident memory per idle authenticated connection. Opens N real OpenSSH
// `ssh -N` clients (authenticated, no session) to one `cssh serve` and reads its RSS and fds before and after. Usage:
//   node --import tsx scripts/bench/idle-rss.ts [--connections 100] [--mode connection|session] [--batch 10]
// Connection mode starts a container per connection at login (so the figure includes cssh's state for it); session
// mode starts none for `ssh -N`, so it is the SSH connection alone. A first round of N idle connections is opened and
// closed before the baseline, so the heap has grown to its working size. RSS moves with garbage collection by more than
// 100 idle connections cost, so the server runs with test/support/gc-on-signal-preload.ts and each point is also read
// after a full collection (RSS, V8 heap in use, external memory); the engine connections Node's HTTP agent keeps idle for 5 s are
// let close first.
import { executionMode, parseFlags, positiveInteger } from '../script-args.js';
import { TEST_IMAGES } from '../../test/support/docker.js';
import { mib, processUsage, untilUnixSocketsAtMost, type ProcessUsage } from '../../test/support/process-usage.js';
import { startServe, type ServeHandle } from '../../test/support/serve-harness.js';
import { collectGarbage, GC_PRELOAD_ARGS } from '../../test/support/server-gc.js';
import { countContainers, METRICS_ON, metricsAddress, scrapeMetrics, untilMetrics, untilQuiet } from '../../test/support/serve-metrics.js';
import { spawnSsh, type SshProcess } from '../../test/support/ssh-process.js';

const { values } = parseFlags({
  options: {
    connections: { type: 'string', default: '100' },
    mode: { type: 'string', default: 'connection' },
    batch: { type: 'string', default: '10' },
  },
});
const count = positiveInteger('connections', values.connections);
const batch = positiveInteger('batch', values.batch);
const mode = executionMode(values.mode);
const WARMUP = 10;

interface Point extends ProcessUsage {
  /** After a full garbage collection. */
  gcRssKiB: number;
  gcHeapUsedKiB: number;
  /** Memory outside the V8 heap held by JS objects (Buffers: ssh2's packet and window buffers). */
  gcExternalKiB: number;
}

async function measure(srv: ServeHandle): Promise<Point> {
  const usage = processUsage(srv.process.pid ?? NaN);
  const gc = await collectGarbage(srv);
  return { ...usage, gcRssKiB: gc.rss / 1024, gcHeapUsedKiB: gc.heapUsed / 1024, gcExternalKiB: gc.external / 1024 };
}

/** Opens `n` idle `ssh -N` clients in batches, each batch waited for (its logins completed, containers started). */
async function openIdle(srv: ServeHandle, metrics: string, n: number, into: SshProcess[]): Promise<void> {
  const handshakes = (m: Map<string, number>): number => m.get('containerssh_ssh_successful_handshakes_total') ?? 0;
  const base = handshakes(await scrapeMetrics(metrics));
  const first = into.length;
  while (into.length - first < n) {
    const k = Math.min(batch, n - (into.length - first));
    for (let i = 0; i < k; i++) into.push(spawnSsh(['-N', ...srv.sshArgs()]));
    await untilMetrics(metrics, (m) => handshakes(m) >= base + into.length - first, `${into.length - first} logins`, 180_000);
  }
}

const srv = await startServe({
  mode,
  image: TEST_IMAGES.busybox,
  config: { log: { level: 'info' }, ...METRICS_ON },
  nodeArgs: GC_PRELOAD_ARGS,
});
const clients: SshProcess[] = [];
try {
  const pid = srv.process.pid ?? NaN;
  const metrics = metricsAddress(srv);
  await untilQuiet(srv, metrics);
  const unixAtStart = processUsage(pid).unixSockets;
  const start = await measure(srv);
  // Warm-up: the connection path compiled and the pools filled, as on a server that has been up a while.
  for (let i = 0; i < WARMUP; i++) {
    const r = await srv.ssh(['true']);
    if (r.code !== 0) throw new Error(`warm-up connection failed (${r.code}): ${r.stderr}`);
  }
  // A full round of `count` idle connections opened and closed first: the heap and the allocator reach the size the
  // server keeps once it has served that many, so RSS no longer falls while the measured round is opened.
  const warm: SshProcess[] = [];
  await openIdle(srv, metrics, count, warm);
  for (const c of warm) c.child.kill('SIGTERM');
  await Promise.all(warm.map((c) => c.exited));
  await untilQuiet(srv, metrics);
  await untilUnixSocketsAtMost(pid, unixAtStart, 30_000);
  const before = await measure(srv);
  const openedAt = performance.now();
  await openIdle(srv, metrics, count, clients);
  const openMs = performance.now() - openedAt;
  const gone = clients.filter((c) => c.child.exitCode !== null || c.child.signalCode !== null);
  if (gone.length > 0) throw new Error(`${gone.length} client(s) ended: ${gone[0]?.stderr() ?? ''}`);
  await untilUnixSocketsAtMost(pid, unixAtStart, 30_000); // the opening's idle engine connections closed
  const after = await measure(srv);
  const containers = await countContainers(srv.instanceId);

  for (const c of clients) c.child.kill('SIGTERM');
  await Promise.all(clients.map((c) => c.exited));
  await untilQuiet(srv, metrics);
  await untilUnixSocketsAtMost(pid, unixAtStart, 30_000);
  const closed = await measure(srv);

  const row = (name: string, p: Point): string =>
    `  ${name.padEnd(33)} ${mib(p.rssKiB).padStart(7)} ${mib(p.gcRssKiB).padStart(12)} ${mib(p.gcHeapUsedKiB).padStart(14)} ${mib(p.gcExternalKiB).padStart(9)} ${String(p.fds).padStart(5)}`;
  const per = (kib: number): string => `${(kib / count).toFixed(0)} KiB`;
  console.log(`idle connections: ${count} \`ssh -N\` clients (OpenSSH), ${mode} mode, image ${TEST_IMAGES.busybox}, ` +
    `${containers} containers while open, opened in ${(openMs / 1000).toFixed(1)} s`);
  console.log('  point                             RSS MiB  RSS after GC  V8 heap in use  external   fds');
  console.log(row('after start-up', start));
  console.log(row(`before (after ${WARMUP} logins, ${count} idle)`, before));
  console.log(row(`with ${count} idle connections`, after));
  console.log(row('after they closed', closed));
  console.log(`per idle connection: RSS ${per(after.rssKiB - before.rssKiB)}, RSS after GC ${per(after.gcRssKiB - before.gcRssKiB)}, ` +
    `V8 heap in use ${per(after.gcHeapUsedKiB - before.gcHeapUsedKiB)}, external ${per(after.gcExternalKiB - before.gcExternalKiB)}, fds ${((after.fds - before.fds) / count).toFixed(2)}`);
} finally {
  for (const c of clients) c.child.kill('SIGKILL');
  await srv.stop();
}
