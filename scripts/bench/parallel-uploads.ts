// Benchmark (not a test): aggregate throughput of N parallel uploads into containers through `cssh serve --workers W`
// for each W, and the CPU time each server process spent on them. Usage:
//   node --import tsx scripts/bench/parallel-uploads.ts [--uploads 8] [--min-mib 64] [--max-mib 256]
//        [--workers 1,<cores>] [--runs 1] [--cipher aes128-gcm@openssh.com]
// Upload i carries min + (max - min) * i / (uploads - 1) MiB (rounded), all started at once; the remote `wc -c` must
// count every byte. CPU time is utime + stime of each server process from /proc, read before and after the uploads.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseFlags, positiveInteger, positiveIntegerList } from '../script-args.js';
import { startServe, type ServeHandle } from '../../test/support/serve-harness.js';
import { median, quote } from './throughput.lib.js';

const { values } = parseFlags({
  options: {
    uploads: { type: 'string', default: '8' },
    'min-mib': { type: 'string', default: '64' },
    'max-mib': { type: 'string', default: '256' },
    workers: { type: 'string', default: `1,${availableParallelism()}` },
    runs: { type: 'string', default: '1' },
    cipher: { type: 'string' },
  },
});
const uploads = positiveInteger('uploads', values.uploads);
const minMib = positiveInteger('min-mib', values['min-mib']);
const maxMib = positiveInteger('max-mib', values['max-mib']);
const runs = positiveInteger('runs', values.runs);
const workerCounts = positiveIntegerList('workers', values.workers);
const cipher = values.cipher === undefined ? [] : ['-c', values.cipher];
const image = 'cssh-test/busybox:latest';
const MIB = 1024 * 1024;
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

if (minMib > maxMib) {
  console.error(`--min-mib (${minMib}) must not be above --max-mib (${maxMib})`);
  process.exit(2);
}

const sizesMib = Array.from({ length: uploads }, (_, i) => Math.round(minMib + (uploads === 1 ? 0 : ((maxMib - minMib) * i) / (uploads - 1))));

/** utime + stime of `pid` in seconds (0 when it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** The processes that serve SSH: the workers (children of the primary), or the one process with --workers 1. */
function serverPids(srv: ServeHandle, workers: number): number[] {
  const primary = srv.process.pid ?? 0;
  if (workers === 1) return [primary];
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]) === primary;
    } catch {
      return false;
    }
  });
}

/** One upload of `mib` MiB; resolves once the remote side has counted every byte. */
function upload(srv: ServeHandle, mib: number): Promise<void> {
  const script = `head -c ${mib * MIB} /dev/zero | ssh ${quote([...cipher, ...srv.sshArgs()])} 'wc -c'`;
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      if (code === 0 && Number(out.trim()) === mib * MIB) resolve();
      else reject(new Error(`upload of ${mib} MiB failed (exit ${code}, counted "${out.trim()}"): ${err}`));
    });
  });
}

interface Result {
  workers: number;
  seconds: number;
  cpu: number[];
  primaryCpu: number;
}

/** One run of the uploads through `srv`, with the CPU its processes spent. */
async function runOnce(srv: ServeHandle, workers: number): Promise<Result> {
  const pids = serverPids(srv, workers);
  const primary = srv.process.pid ?? 0;
  const before = pids.map(cpuSeconds);
  const primaryBefore = cpuSeconds(primary);
  const started = process.hrtime.bigint();
  await Promise.all(sizesMib.map((mib) => upload(srv, mib)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = pids.map((pid, i) => cpuSeconds(pid) - (before[i] ?? 0));
  return { workers, seconds, cpu, primaryCpu: workers === 1 ? 0 : cpuSeconds(primary) - primaryBefore };
}

/**
 * The median run of each worker count. Every server is started first and the runs are interleaved (one run of each
 * server per round), so a machine whose speed drifts treats every worker count alike.
 */
async function measureAll(counts: number[]): Promise<Result[]> {
  const servers: ServeHandle[] = [];
  try {
    for (const workers of counts) servers.push(await startServe({ image, mode: 'connection', workers, config: { log: { level: 'warning' } } }));
    for (const srv of servers) await upload(srv, 1); // warm-up: image, code paths, one container on each side of the run
    const results: Result[][] = counts.map(() => []);
    for (let run = 0; run < runs; run++) {
      for (const [i, srv] of servers.entries()) results[i]?.push(await runOnce(srv, counts[i] ?? 1));
    }
    return results.map((list, i) => {
      const mid = median(list.map((r) => r.seconds));
      return list.find((r) => r.seconds === mid) ?? list[0] ?? { workers: counts[i] ?? 1, seconds: NaN, cpu: [], primaryCpu: 0 };
    });
  } finally {
    for (const srv of servers) await srv.stop();
  }
}

function row(r: Result, totalMib: number, baseline: number | undefined): string {
  const mean = r.cpu.reduce((a, b) => a + b, 0) / Math.max(1, r.cpu.length);
  const spread = mean === 0 ? 0 : Math.max(...r.cpu.map((c) => Math.abs(c - mean) / mean)) * 100;
  const rate = totalMib / r.seconds;
  return [
    String(r.workers),
    `${r.seconds.toFixed(2)}`,
    `${rate.toFixed(1)}`,
    baseline === undefined ? '1.00x' : `${(rate / baseline).toFixed(2)}x`,
    r.cpu.map((c) => c.toFixed(2)).join(' / '),
    r.workers === 1 ? '-' : `${spread.toFixed(0)} %${spread <= 25 ? '' : ' (over 25 %)'}`,
    r.workers === 1 ? '-' : r.primaryCpu.toFixed(2),
    `${((r.cpu.reduce((a, b) => a + b, 0) / totalMib) * 1000).toFixed(1)}`,
  ].join(' | ');
}

async function main(): Promise<void> {
  const totalMib = sizesMib.reduce((a, b) => a + b, 0);
  console.log(`${uploads} parallel uploads (${sizesMib.join(', ')} MiB; ${totalMib} MiB in all), ${availableParallelism()} cores, median of ${runs} interleaved run(s)${cipher.length > 0 ? `, cipher ${values.cipher}` : ''}\n`);
  console.log('| workers | wall s | aggregate MiB/s | vs 1st row | CPU s per worker | largest deviation from the mean | primary CPU s | server CPU ms per MiB |');
  console.log('|---|---|---|---|---|---|---|---|');
  let baseline: number | undefined;
  for (const r of await measureAll(workerCounts)) {
    console.log(`| ${row(r, totalMib, baseline)} |`);
    baseline ??= totalMib / r.seconds;
  }
}

await main();
