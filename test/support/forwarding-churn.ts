// Forwarded-connection churn against a real `cssh serve`: many `ssh -L` connections to an echo server in the container,
// each cut off mid-transfer (FIN or RST), some ssh clients SIGKILLed mid-transfer, while the server's memory, fds and
// helper containers are read. Shared by test/e2e/forwarding-churn.test.ts and scripts/forwarding-churn.ts.
//
//   const report = await runForwardingChurn({ connections: 200, perClient: 40, mode: 'connection' });
//   forwardingChurnProblems(report, FORWARDING_CHURN_BOUNDS)  // [] when it passed; formatForwardingChurn(report) to print
//
// Every ssh client runs the echo server (`ssh -L PORT:127.0.0.1:8080 host ECHO_SERVER`) and carries `perClient`
// forwarded connections, `concurrency` at once. Each one sends 1 MiB and, once at least 64 KiB came back, is cut off:
// even ones with socket.destroy() (FIN), odd ones with socket.resetAndDestroy() (RST). Then one intact 256 KiB echo
// shows the helper still serves. Every `killClientEvery`-th client starts its last `concurrency` connections, waits
// until each is mid-transfer and is SIGKILLed; the others close their stdin and must exit 0.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { ECHO_SERVER, echoThrough, freePort, sha } from '../e2e/forwarding-helpers.js';
import { TEST_IMAGES } from './docker.js';
import { mib, processUsage, untilUnixSocketsAtMost } from './process-usage.js';
import { startServe, type ServeHandle } from './serve-harness.js';
import { collectGarbage, GC_PRELOAD_ARGS } from './server-gc.js';
import { countContainers, METRICS_ON, metricsAddress, scrapeMetrics, untilMetrics } from './serve-metrics.js';
import { leakArgs } from './soak-churn.js';
import type { SoakLeak } from './soak-report.js';
import { spawnSsh, untilStdout, type SshProcess } from './ssh-process.js';

export interface ForwardingChurnOptions {
  /** Forwarded connections measured (after the warm-up), cut off mid-transfer. */
  connections: number;
  /** Forwarded connections per ssh client. */
  perClient: number;
  /** Forwarded connections at once per client; default 4. */
  concurrency?: number;
  /** ssh clients at once; default 2. */
  clientsAtOnce?: number;
  /** Every killClientEvery-th client is SIGKILLed mid-transfer; default 2. */
  killClientEvery?: number;
  /** Forwarded connections of one client run before the baseline; default 20. */
  warmup?: number;
  mode: 'connection' | 'session';
  /** Makes the server leak per accepted SSH connection (test/support/soak-leak-preload.ts), to show the checks fail. */
  leak?: SoakLeak;
  progress?: (line: string) => void;
}

/** The server's usage at one point, read once it is quiet; gc* right after a full garbage collection. */
export interface ChurnPoint {
  rssKiB: number;
  gcRssKiB: number;
  gcHeapUsedKiB: number;
  gcExternalKiB: number;
  fds: number;
}

export interface ForwardingChurnReport {
  mode: 'connection' | 'session';
  /** Forwarded connections cut off mid-transfer, warm-up not included. */
  connections: number;
  /** Of those, closed with RST (resetAndDestroy), or taken down with their SIGKILLed ssh client. */
  resets: number;
  killedWithClient: number;
  clients: number;
  killedClients: number;
  /** Intact echoes (one per client) after the abrupt closes. */
  intactEchoes: number;
  failures: string[];
  durationMs: number;
  warm: ChurnPoint;
  final: ChurnPoint;
  peakRssKiB: number;
  /** Most helper containers of the run's user seen at once (sampled every 0.5 s). */
  peakHelpers: number;
  helpersLeft: number;
  containersLeft: number;
  /** cssh_active_containers at the end (0: untilIdle waits for it). */
  activeContainersGauge: number;
}

export interface ForwardingChurnBounds {
  /** Final RSS after GC may exceed the warm one by this many MiB. */
  rssMarginMiB: number;
  /** Final fds may exceed the warm ones by this many. */
  fdMargin: number;
}

/**
 * Measured on a 2-core machine heavily loaded by other work (Node 20, connection mode, 200 connections over 5 clients,
 * 2 of them SIGKILLed, after a 20-connection warm-up, 200 s): RSS after GC went from 139.6 MiB (warm) to 132.0 MiB
 * (final), V8 heap in use 21.7 -> 21.2 MiB, fds 26 -> 26, at most 2 helpers at once, none left. 16 MiB over 200
 * connections is 80 KiB per forwarded connection: keeping what the server holds per forwarded channel (its exec
 * stream, SSH channel and window buffers, 64 KiB and more) exceeds it, while the collector's noise (a few MiB between
 * runs, and start-up memory being returned, which makes the final figure lower) stays inside. A short warm-up makes
 * the check weaker: returned start-up memory can hide part of a leak. 8 fds, as in the soak bounds: engine sockets an
 * HTTP agent keeps idle, timers; a leak of one fd per forwarded connection exceeds it after 9.
 */
export const FORWARDING_CHURN_BOUNDS: ForwardingChurnBounds = { rssMarginMiB: 16, fdMargin: 8 };

const HANG_MS = 120_000;
const SEND_BYTES = 1024 * 1024;
const CUT_AFTER = 64 * 1024;

/** Helper containers (any state) of `user`, counted without blocking the event loop. */
function countHelpers(user: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['ps', '-aq', '--filter', `label=cssh.user=${user}`, '--filter', 'label=cssh.role=forwarding'], (error, stdout) => {
      if (error !== null) reject(new Error(`docker ps failed: ${error.message}`));
      else resolve(stdout.split('\n').filter(Boolean).length);
    });
  });
}

function countOfUser(user: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['ps', '-aq', '--filter', `label=cssh.user=${user}`], (error, stdout) => {
      if (error !== null) reject(new Error(`docker ps failed: ${error.message}`));
      else resolve(stdout.split('\n').filter(Boolean).length);
    });
  });
}

/**
 * One forwarded connection: sends SEND_BYTES and, once CUT_AFTER came back, cuts it off (RST when `reset`). With
 * `midTransfer`, it is left open once CUT_AFTER came back instead and `midTransfer` is called (its client is about
 * to be killed); it then resolves when the socket closes. Resolves with a failure reason, or undefined.
 */
function abruptConnection(port: number, reset: boolean, midTransfer?: () => void): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = 0;
    let cut = false;
    const hang = setTimeout(() => {
      socket.destroy();
      resolve(`a forwarded connection got ${received} bytes back and then nothing for ${HANG_MS / 1000} s`);
    }, HANG_MS);
    socket.on('connect', () => socket.write(randomBytes(SEND_BYTES)));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (cut || received < CUT_AFTER) return;
      cut = true;
      if (midTransfer !== undefined) return midTransfer();
      clearTimeout(hang);
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
      resolve(undefined);
    });
    socket.on('error', () => undefined); // the killed client's listener goes away: ECONNRESET, expected
    socket.on('close', () => {
      clearTimeout(hang);
      if (cut) return resolve(undefined);
      resolve(`a forwarded connection closed after ${received} bytes, before ${CUT_AFTER} came back`);
    });
  });
}

interface ClientResult {
  failures: string[];
  resets: number;
  killedWith: number;
  intact: boolean;
}

/** One ssh client with -L carrying `count` forwarded connections; SIGKILLed mid-transfer at the end when `kill`. */
async function oneClient(srv: ServeHandle, user: string, index: number, count: number, concurrency: number, kill: boolean, live: Set<SshProcess>): Promise<ClientResult> {
  const result: ClientResult = { failures: [], resets: 0, killedWith: 0, intact: false };
  const port = await freePort();
  const client = spawnSsh(['-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${port}:127.0.0.1:8080`, ...srv.sshArgs(user), ECHO_SERVER]);
  live.add(client);
  const hang = setTimeout(() => client.child.kill('SIGKILL'), 10 * HANG_MS);
  try {
    const ready = await untilStdout(client, 'ready');
    if (!ready) {
      result.failures.push(`client ${index}: ended before its echo server was ready: ${client.stderr().trim()}`);
      return result;
    }
    const last = kill ? Math.min(concurrency, count) : 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count - last) {
        const n = next++;
        const reset = n % 2 === 1;
        if (reset) result.resets++;
        const failure = await abruptConnection(port, reset);
        if (failure !== undefined) result.failures.push(`client ${index}, connection ${n}: ${failure}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));

    const data = randomBytes(256 * 1024);
    const echoed = await echoThrough(port, data).catch((error: unknown) => Buffer.from(String(error)));
    result.intact = sha(echoed) === sha(data);
    if (!result.intact) result.failures.push(`client ${index}: the intact echo after the abrupt closes came back as ${echoed.length} other bytes`);

    if (kill) {
      let midway = 0;
      let allMidway: () => void = () => undefined;
      const reached = new Promise<void>((resolve) => (allMidway = resolve));
      const ends = Array.from({ length: last }, () => abruptConnection(port, false, () => {
        if (++midway === last) allMidway();
      }));
      await Promise.race([reached, Promise.all(ends)]);
      client.child.kill('SIGKILL');
      result.killedWith = last;
      for (const failure of await Promise.all(ends)) if (failure !== undefined) result.failures.push(`client ${index} (killed): ${failure}`);
      await client.exited;
    } else {
      client.child.stdin.end('\n'); // ECHO_SERVER's `read x` gets a line: exit status 0
      const end = await client.exited;
      if (end.code !== 0) result.failures.push(`client ${index}: exited ${end.code}: ${client.stderr().trim()}`);
    }
    return result;
  } finally {
    clearTimeout(hang);
    live.delete(client);
  }
}

/**
 * Resolves once the server has no connection, session or counted container and the engine lists none of its
 * containers (helpers included: cssh_active_containers counts them in and out).
 */
function untilIdle(srv: ServeHandle, metrics: string): Promise<void> {
  return untilMetrics(metrics, async (m) =>
    (m.get('containerssh_ssh_current_connections') ?? NaN) === 0 && (m.get('cssh_active_sessions') ?? NaN) === 0 &&
    (m.get('cssh_active_containers') ?? NaN) === 0 && (await countContainers(srv.instanceId)) === 0,
  'the server has no connection, session or container');
}

async function point(srv: ServeHandle, metrics: string, unixAtStart: number): Promise<ChurnPoint> {
  const pid = srv.process.pid ?? NaN;
  await untilIdle(srv, metrics);
  // Node's HTTP agent keeps engine connections idle for 5 s: let them close, so they are not counted as leaked fds.
  await untilUnixSocketsAtMost(pid, unixAtStart, 30_000);
  const usage = processUsage(pid);
  const gc = await collectGarbage(srv);
  return { rssKiB: usage.rssKiB, fds: usage.fds, gcRssKiB: gc.rss / 1024, gcHeapUsedKiB: gc.heapUsed / 1024, gcExternalKiB: gc.external / 1024 };
}

/** Runs warm-up, then the measured clients, against a fresh server; stops it. Throws only when the run cannot go on. */
export async function runForwardingChurn(options: ForwardingChurnOptions): Promise<ForwardingChurnReport> {
  const concurrency = options.concurrency ?? 4;
  const clientsAtOnce = options.clientsAtOnce ?? 2;
  const killClientEvery = options.killClientEvery ?? 2;
  const warmup = options.warmup ?? 20;
  const progress = options.progress ?? ((): void => undefined);
  const user = `fwdchurn-${randomBytes(3).toString('hex')}`;
  const srv = await startServe({
    mode: options.mode,
    image: TEST_IMAGES.busybox,
    config: {
      log: { level: 'info' },
      ...METRICS_ON,
      security: { forwarding: { forwardingMode: 'enable' } },
      docker: { forwarding: { image: TEST_IMAGES.node } },
    },
    nodeArgs: [...GC_PRELOAD_ARGS, ...leakArgs(options.leak)],
  });
  const live = new Set<SshProcess>();
  let sampler: NodeJS.Timeout | undefined;
  try {
    const pid = srv.process.pid ?? NaN;
    const metrics = metricsAddress(srv);
    await untilIdle(srv, metrics);
    const unixAtStart = processUsage(pid).unixSockets;

    const warmRun = await oneClient(srv, user, -1, warmup, concurrency, false, live);
    if (warmRun.failures.length > 0) throw new Error(`the warm-up failed: ${warmRun.failures.join(' | ')}`);
    const warm = await point(srv, metrics, unixAtStart);
    progress(`warm baseline after ${warmup} forwarded connections: RSS ${mib(warm.rssKiB)} MiB, after GC ${mib(warm.gcRssKiB)} MiB, ${warm.fds} fds`);

    let peakRssKiB = warm.rssKiB;
    let peakHelpers = 0;
    let counting = false;
    sampler = setInterval(() => {
      peakRssKiB = Math.max(peakRssKiB, processUsage(pid).rssKiB);
      if (counting) return;
      counting = true;
      countHelpers(user).then((n) => (peakHelpers = Math.max(peakHelpers, n))).catch(() => undefined).finally(() => (counting = false));
    }, 500);

    const clients = Math.ceil(options.connections / options.perClient);
    const results: ClientResult[] = [];
    const began = performance.now();
    let nextClient = 0;
    let carried = 0;
    const driver = async (): Promise<void> => {
      while (nextClient < clients) {
        const index = nextClient++;
        const count = Math.min(options.perClient, options.connections - index * options.perClient);
        const kill = index % killClientEvery === killClientEvery - 1;
        results.push(await oneClient(srv, user, index, count, concurrency, kill, live));
        carried += count;
        const now = processUsage(pid);
        progress(`${carried}/${options.connections} forwarded connections, ${((performance.now() - began) / 1000).toFixed(0)} s: ` +
          `RSS ${mib(now.rssKiB)} MiB, ${now.fds} fds, peak ${peakHelpers} helpers`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(clientsAtOnce, clients) }, driver));
    const durationMs = Math.round(performance.now() - began);

    const final = await point(srv, metrics, unixAtStart);
    clearInterval(sampler);
    const failures = results.flatMap((r) => r.failures);
    return {
      mode: options.mode,
      connections: options.connections,
      resets: results.reduce((n, r) => n + r.resets, 0),
      killedWithClient: results.reduce((n, r) => n + r.killedWith, 0),
      clients,
      killedClients: results.filter((r) => r.killedWith > 0).length,
      intactEchoes: results.filter((r) => r.intact).length,
      failures,
      durationMs,
      warm,
      final,
      peakRssKiB,
      peakHelpers,
      helpersLeft: await countHelpers(user),
      containersLeft: await countOfUser(user),
      activeContainersGauge: (await scrapeMetrics(metrics)).get('cssh_active_containers') ?? NaN,
    };
  } finally {
    if (sampler !== undefined) clearInterval(sampler);
    for (const client of live) client.child.kill('SIGKILL');
    await srv.stop();
  }
}

/** What exceeds the bounds, one sentence each; empty when the run passed. */
export function forwardingChurnProblems(report: ForwardingChurnReport, bounds: ForwardingChurnBounds): string[] {
  const problems: string[] = [];
  if (report.failures.length > 0) problems.push(`${report.failures.length} failure(s), first: ${report.failures.slice(0, 3).join(' | ')}`);
  if (report.helpersLeft > 0) problems.push(`${report.helpersLeft} helper container(s) left`);
  if (report.containersLeft > 0) problems.push(`${report.containersLeft} container(s) of the run's user left`);
  if (report.final.fds > report.warm.fds + bounds.fdMargin) {
    problems.push(`open fds grew from ${report.warm.fds} (warm) to ${report.final.fds} (final), more than the margin of ${bounds.fdMargin}`);
  }
  if (report.final.gcRssKiB > report.warm.gcRssKiB + bounds.rssMarginMiB * 1024) {
    problems.push(`RSS after GC grew from ${mib(report.warm.gcRssKiB)} MiB (warm) to ${mib(report.final.gcRssKiB)} MiB (final), ` +
      `more than the margin of ${bounds.rssMarginMiB} MiB`);
  }
  return problems;
}

/** A plain-text report of a run and its verdict. */
export function formatForwardingChurn(report: ForwardingChurnReport, bounds: ForwardingChurnBounds): string {
  const row = (name: string, p: ChurnPoint): string =>
    `  ${name.padEnd(20)} ${mib(p.rssKiB).padStart(7)} ${mib(p.gcRssKiB).padStart(12)} ${mib(p.gcHeapUsedKiB).padStart(14)} ${mib(p.gcExternalKiB).padStart(9)} ${String(p.fds).padStart(5)}`;
  const problems = forwardingChurnProblems(report, bounds);
  return [
    `forwarding churn: ${report.connections} ssh -L connections cut off mid-transfer (${report.connections - report.resets - report.killedWithClient} FIN, ` +
      `${report.resets} RST, ${report.killedWithClient} with their SIGKILLed client), ${report.mode} mode`,
    `  ${report.clients} ssh clients, ${report.killedClients} SIGKILLed mid-transfer; ${report.intactEchoes} intact echoes after the cuts; ` +
      `${report.failures.length} failures; ${(report.durationMs / 1000).toFixed(0)} s`,
    `  peak during the run: RSS ${mib(report.peakRssKiB)} MiB, ${report.peakHelpers} helper containers; left at the end: ` +
      `${report.helpersLeft} helpers, ${report.containersLeft} containers (cssh_active_containers says ${report.activeContainersGauge})`,
    '  point                RSS MiB  RSS after GC  V8 heap in use  external   fds',
    row('warm (after warm-up)', report.warm),
    row('final (all quiet)', report.final),
    `  bounds: final RSS after GC <= warm + ${bounds.rssMarginMiB} MiB, fds <= warm + ${bounds.fdMargin}, no helper or container left`,
    problems.length === 0 ? '  PASS' : `  FAIL:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  ].join('\n');
}
