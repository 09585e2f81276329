// Connection churn against a real `cssh serve` with the real OpenSSH client while sampling the server's RSS, open file
// descriptors and containers; shared by scripts/soak.ts (the long run) and test/e2e/soak-churn.test.ts (a short one).
//
//   const report = await runSoak({ connections: 500, warmup: 50, concurrency: 4, mode: 'connection' });
//   console.log(formatSoakReport(report, SOAK_BOUNDS));  // from soak-report.ts, with soakProblems()
//
// Every connection runs `cat` over the real `ssh` client; every `killEvery`-th one (5: 20 %) prints `up`, and once
// that arrived the client is SIGKILLed mid-session, the others send a line and must get it back with status 0. The
// warm baseline is taken after the warm-up connections, the final figures after the last one, each once the server
// is quiet: its metrics show no connection, session or container, and the engine lists no container of its instance.
import { TEST_IMAGES } from './docker.js';
import { mib, processUsage, untilUnixSocketsAtMost, type ProcessUsage } from './process-usage.js';
import { startServe, type ServeHandle } from './serve-harness.js';
import { countContainers, METRICS_ON, metricsAddress, untilQuiet } from './serve-metrics.js';
import type { SoakLeak, SoakReport, SoakSample } from './soak-report.js';
import { spawnSsh, untilStdout, type SshProcess } from './ssh-process.js';

export interface SoakOptions {
  /** Connections measured, after the warm-up. */
  connections: number;
  /** Connections run first so the baseline is a warm server (code compiled, pools and heap grown); not measured. */
  warmup: number;
  /** Clients at once. */
  concurrency: number;
  mode: 'connection' | 'session';
  /** Every killEvery-th connection is SIGKILLed mid-session; default 5 (20 %). */
  killEvery?: number;
  /** Default cssh-test/busybox. */
  image?: string;
  /** Makes the server leak per accepted connection (test/support/soak-leak-preload.ts), to show the checks fail. */
  leak?: SoakLeak;
  /** Called with a progress line about every 10 % of the run. */
  progress?: (line: string) => void;
}

const SAMPLE_EVERY_MS = 500;
const CLIENT_HANG_MS = 120_000;
/** Node's HTTP agent closes an idle engine connection after 5 s; this only bounds the wait for that. */
const ENGINE_IDLE_MS = 30_000;

/**
 * The server's usage once it is quiet (see untilQuiet) and the engine connections its HTTP agent kept for reuse have
 * closed (no more Unix sockets than at start-up), so pooled sockets are not mistaken for leaked ones; if some are
 * still open after ENGINE_IDLE_MS, the figures include them (and the fd bound judges them).
 */
async function settledUsage(srv: ServeHandle, metrics: string, unixAtStart: number): Promise<ProcessUsage> {
  const pid = srv.process.pid ?? NaN;
  await untilQuiet(srv, metrics);
  await untilUnixSocketsAtMost(pid, unixAtStart, ENGINE_IDLE_MS);
  return processUsage(pid);
}

/** Starts one client; resolves with a failure reason, or undefined when it behaved. */
async function oneClient(srv: ServeHandle, index: number, kill: boolean, live: Set<SshProcess>): Promise<string | undefined> {
  const client = spawnSsh([...srv.sshArgs(), kill ? 'echo up; exec cat' : 'cat']);
  live.add(client);
  const hang = setTimeout(() => client.child.kill('SIGKILL'), CLIENT_HANG_MS);
  try {
    if (kill) {
      const up = await untilStdout(client, 'up\n');
      if (!up) return `#${index} (to be killed) ended before its program ran: ${client.stderr().trim()}`;
      client.child.kill('SIGKILL');
      await client.exited;
      return undefined;
    }
    const input = `connection ${index} `.repeat(200) + '\n';
    client.child.stdin.end(input);
    const end = await client.exited;
    if (end.code !== 0) return `#${index} exited ${end.code}: ${client.stderr().trim()}`;
    if (client.stdout() !== input) return `#${index} got ${client.stdout().length} bytes back, not the ${input.length} it sent`;
    return undefined;
  } finally {
    clearTimeout(hang);
    live.delete(client);
  }
}

/** Runs connections [from, to) with `concurrency` clients at once. */
async function churn(
  srv: ServeHandle,
  from: number,
  to: number,
  o: { concurrency: number; killEvery: number; live: Set<SshProcess>; failures: string[]; onDone: () => void },
): Promise<number> {
  let next = from;
  let killed = 0;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const index = next++;
      const kill = index % o.killEvery === o.killEvery - 1;
      if (kill) killed++;
      const failure = await oneClient(srv, index, kill, o.live);
      if (failure !== undefined) o.failures.push(failure);
      o.onDone();
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return killed;
}

/** Node options that load soak-leak-preload.ts with `leak` (none when undefined). */
export function leakArgs(leak: SoakLeak | undefined): string[] {
  if (leak === undefined) return [];
  const url = new URL('./soak-leak-preload.ts', import.meta.url);
  url.searchParams.set('kind', leak.kind);
  if (leak.kind === 'memory') url.searchParams.set('kib', String(leak.kib));
  return ['--import', 'tsx', '--import', url.href];
}

/** Starts a server, churns warmup + connections through it, stops it; throws only when the run itself cannot go on. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const killEvery = options.killEvery ?? 5;
  const total = options.warmup + options.connections;
  const progress = options.progress ?? ((): void => undefined);
  const srv = await startServe({
    mode: options.mode,
    image: options.image ?? TEST_IMAGES.busybox,
    config: { log: { level: 'info' }, ...METRICS_ON },
    nodeArgs: leakArgs(options.leak),
  });
  const live = new Set<SshProcess>();
  let sampler: NodeJS.Timeout | undefined;
  try {
    const pid = srv.process.pid;
    if (pid === undefined) throw new Error('cssh serve has no pid');
    const metrics = metricsAddress(srv);
    await untilQuiet(srv, metrics);
    const start = processUsage(pid);

    const samples: SoakSample[] = [];
    const failures: string[] = [];
    const began = performance.now();
    let done = 0;
    let containers = 0;
    let counting = false;
    const sample = (): void => {
      samples.push({ ms: Math.round(performance.now() - began), done, containers, ...processUsage(pid) });
      if (counting) return;
      counting = true;
      countContainers(srv.instanceId)
        .then((n) => (containers = n))
        .catch(() => undefined)
        .finally(() => (counting = false));
    };
    sampler = setInterval(sample, SAMPLE_EVERY_MS);
    const step = Math.max(1, Math.round(total / 10));
    const onDone = (): void => {
      done++;
      if (done % step === 0 || done === total) {
        const now = processUsage(pid);
        progress(`${done}/${total} connections, ${((performance.now() - began) / 1000).toFixed(0)} s: ` +
          `RSS ${mib(now.rssKiB)} MiB, ${now.fds} fds, ${containers} containers, ${failures.length} failures`);
      }
    };
    const churnOptions = { concurrency: options.concurrency, killEvery, live, failures, onDone };

    let killed = await churn(srv, 0, options.warmup, churnOptions);
    const warm = await settledUsage(srv, metrics, start.unixSockets);
    progress(`warm baseline after ${options.warmup} connections: RSS ${mib(warm.rssKiB)} MiB, ${warm.fds} fds`);

    killed += await churn(srv, options.warmup, total, churnOptions);
    const final = await settledUsage(srv, metrics, start.unixSockets);
    clearInterval(sampler);
    sample();
    const containersLeft = await countContainers(srv.instanceId);
    const all = [...samples, { ...start, containers: 0 }, { ...warm, containers: 0 }, { ...final, containers: containersLeft }];
    return {
      mode: options.mode,
      connections: options.connections,
      warmup: options.warmup,
      concurrency: options.concurrency,
      killed,
      failures,
      durationMs: Math.round(performance.now() - began),
      start,
      warm,
      final,
      peak: {
        rssKiB: Math.max(...all.map((s) => s.rssKiB)),
        fds: Math.max(...all.map((s) => s.fds)),
        unixSockets: Math.max(...all.map((s) => s.unixSockets)),
        containers: Math.max(...all.map((s) => s.containers)),
      },
      containersLeft,
      samples,
      ...(options.leak === undefined ? {} : { leak: options.leak }),
    };
  } finally {
    if (sampler !== undefined) clearInterval(sampler);
    for (const client of live) client.child.kill('SIGKILL');
    await srv.stop();
  }
}
