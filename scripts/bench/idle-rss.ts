// Benchmark (not a test): the server's resident memory per idle authenticated connection. Opens N real OpenSSH
// `ssh -N` clients (authenticated, no session) to one `cssh serve` and reads its RSS and fds before and after. Usage:
//   node --import tsx scripts/bench/idle-rss.ts [--connections 100] [--mode connection|session] [--batch 10]
// Connection mode starts a container per connection at login (so the figure includes cssh's state for it); session
// mode starts none for `ssh -N`, so it is the SSH connection alone.
import { parseArgs } from 'node:util';
import { TEST_IMAGES } from '../../test/support/docker.js';
import { mib, processUsage, type ProcessUsage } from '../../test/support/process-usage.js';
import { startServe } from '../../test/support/serve-harness.js';
import { countContainers, METRICS_ON, metricsAddress, scrapeMetrics, untilMetrics, untilQuiet } from '../../test/support/serve-metrics.js';
import { spawnSsh, type SshProcess } from '../../test/support/ssh-process.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '100' },
    mode: { type: 'string', default: 'connection' },
    batch: { type: 'string', default: '10' },
  },
});
const count = Number(values.connections);
const batch = Number(values.batch);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(batch) || batch < 1) {
  console.error('--connections and --batch must be whole numbers of at least 1');
  process.exit(2);
}
if (values.mode !== 'connection' && values.mode !== 'session') {
  console.error(`--mode must be connection or session, not "${values.mode}"`);
  process.exit(2);
}
const mode = values.mode;
const WARMUP = 10;

/** Median of 5 readings 200 ms apart: RSS moves with garbage collection even when the server is idle. */
async function settledUsage(pid: number): Promise<ProcessUsage> {
  const readings: ProcessUsage[] = [];
  for (let i = 0; i < 5; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    readings.push(processUsage(pid));
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  return { rssKiB: median(readings.map((r) => r.rssKiB)), fds: median(readings.map((r) => r.fds)) };
}

const srv = await startServe({ mode, image: TEST_IMAGES.busybox, config: { log: { level: 'info' }, ...METRICS_ON } });
const clients: SshProcess[] = [];
try {
  const pid = srv.process.pid ?? NaN;
  const metrics = metricsAddress(srv);
  const start = await settledUsage(pid);
  // Warm-up: the connection path compiled and the pools filled, as on a server that has been up a while.
  for (let i = 0; i < WARMUP; i++) {
    const r = await srv.ssh(['true']);
    if (r.code !== 0) throw new Error(`warm-up connection failed (${r.code}): ${r.stderr}`);
  }
  await untilQuiet(srv, metrics);
  const before = await settledUsage(pid);
  const handshakes = (m: Map<string, number>): number => m.get('containerssh_ssh_successful_handshakes_total') ?? 0;
  const base = handshakes(await scrapeMetrics(metrics));
  const openedAt = performance.now();
  // Batches, each waited for (its logins completed, containers started), so a loaded machine does not time them out.
  while (clients.length < count) {
    const n = Math.min(batch, count - clients.length);
    for (let i = 0; i < n; i++) clients.push(spawnSsh(['-N', ...srv.sshArgs()]));
    await untilMetrics(metrics, (m) => handshakes(m) >= base + clients.length, `${clients.length} logins`, 180_000);
  }
  const openMs = performance.now() - openedAt;
  const gone = clients.filter((c) => c.child.exitCode !== null || c.child.signalCode !== null);
  if (gone.length > 0) throw new Error(`${gone.length} client(s) ended: ${gone[0]?.stderr() ?? ''}`);
  const after = await settledUsage(pid);
  const containers = await countContainers(srv.instanceId);

  for (const c of clients) c.child.kill('SIGTERM');
  await Promise.all(clients.map((c) => c.exited));
  await untilQuiet(srv, metrics);
  const closed = await settledUsage(pid);

  const perConn = (after.rssKiB - before.rssKiB) / count;
  console.log(`idle connections: ${count} \`ssh -N\` clients (OpenSSH), ${mode} mode, image ${TEST_IMAGES.busybox}, ` +
    `${containers} containers while open, opened in ${(openMs / 1000).toFixed(1)} s`);
  console.log('  point                                RSS MiB   fds');
  console.log(`  after start-up                       ${mib(start.rssKiB).padStart(7)}  ${String(start.fds).padStart(4)}`);
  console.log(`  before (after ${WARMUP} warm-up logins)    ${mib(before.rssKiB).padStart(7)}  ${String(before.fds).padStart(4)}`);
  console.log(`  with ${count} idle connections           ${mib(after.rssKiB).padStart(7)}  ${String(after.fds).padStart(4)}`);
  console.log(`  after they closed                    ${mib(closed.rssKiB).padStart(7)}  ${String(closed.fds).padStart(4)}`);
  console.log(`RSS per idle connection: ${perConn.toFixed(0)} KiB (${mib(after.rssKiB - before.rssKiB)} MiB for ${count}); ` +
    `fds per connection: ${((after.fds - before.fds) / count).toFixed(2)}`);
} finally {
  for (const c of clients) c.child.kill('SIGKILL');
  await srv.stop();
}
