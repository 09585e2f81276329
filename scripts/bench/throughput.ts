// Benchmark (not a test): 256 MiB client→container and container→client through cssh, through `docker exec -i`,
// and through OpenSSH's sshd on loopback (same client, same machine, one run). Usage:
//   node --import tsx scripts/bench/throughput.ts [--mib 256] [--runs 3] [--cipher aes128-gcm@openssh.com]
//        [--producer head|dd] [--cpu]
// --producer dd makes the container side cheap (dd with 1 MiB blocks instead of head), so the transports dominate;
// --cpu adds one more run of each measurement and prints the CPU seconds each command used during it.
import { execFileSync } from 'node:child_process';
import { parseFlags, positiveInteger } from '../script-args.js';
import { startServe } from '../../test/support/serve-harness.js';
import { startCpuSampler } from './cpu-sampler.js';
import { interleavedMedians, quote, startSshd, timeShell } from './throughput.lib.js';

const { values } = parseFlags({
  options: {
    mib: { type: 'string', default: '256' }, runs: { type: 'string', default: '3' }, cipher: { type: 'string' },
    producer: { type: 'string', default: 'head' }, cpu: { type: 'boolean', default: false },
  },
});
const bytes = positiveInteger('mib', values.mib) * 1024 * 1024;
const runs = positiveInteger('runs', values.runs);
const image = 'cssh-test/busybox:latest';
const cipher = values.cipher === undefined ? [] : ['-c', values.cipher];

interface Row {
  path: string;
  up: number;
  down: number;
}

const produce = values.producer === 'dd' ? `dd if=/dev/zero bs=1M count=${values.mib} 2>/dev/null` : `head -c ${bytes} /dev/zero`;

/** One more run of `script` with the CPU seconds of every command printed. */
async function cpuRun(label: string, script: string): Promise<void> {
  const sampler = startCpuSampler();
  const ms = await timeShell(script);
  const usage = sampler.stop().slice(0, 7).map(([comm, cpu]) => `${comm} ${cpu.toFixed(2)}`).join(', ');
  console.log(`  cpu ${label}: ${(ms / 1000).toFixed(2)} s wall; CPU s: ${usage}`);
}

/** Upload and download times of every path, interleaved round by round; with --cpu, one more run each with CPU seconds. */
async function measure(paths: { path: string; prefix: string }[]): Promise<Row[]> {
  const upScripts = paths.map(({ prefix }) => `${produce} | ${prefix} ${quote(['cat > /dev/null'])}`);
  const downScripts = paths.map(({ prefix }) => `${prefix} ${quote([produce])} > /dev/null`);
  const byIndex = (scripts: string[]): Record<string, string> => Object.fromEntries(scripts.map((script, i) => [String(i), script]));
  const up = await interleavedMedians(byIndex(upScripts), runs);
  const down = await interleavedMedians(byIndex(downScripts), runs);
  if (values.cpu) {
    for (const [i, { path }] of paths.entries()) {
      await cpuRun(`${path} up`, upScripts[i] ?? '');
      await cpuRun(`${path} down`, downScripts[i] ?? '');
    }
  }
  return paths.map(({ path }, i) => ({ path, up: up[String(i)] ?? NaN, down: down[String(i)] ?? NaN }));
}

async function main(): Promise<void> {
  const srv = await startServe({ image, mode: 'connection', config: { log: { level: 'warning' } } });
  const rows: Row[] = [];
  const container = execFileSync('docker', ['run', '-d', '--network', 'none', image, 'sleep', '3600'], { encoding: 'utf8' }).trim();
  const sshd = await startSshd(srv.publicKey);
  try {
    const sshdArgs = srv.sshArgs().slice(0, -3).concat(['-p', String(sshd.port), 'root@127.0.0.1']);
    rows.push(...await measure([
      { path: 'cssh (ssh → cssh → docker exec)', prefix: `ssh ${quote([...cipher, ...srv.sshArgs()])}` },
      { path: 'docker exec -i (no SSH)', prefix: `docker exec -i ${container} sh -c` },
      { path: 'OpenSSH sshd on loopback (no container)', prefix: `ssh ${quote([...cipher, ...sshdArgs])}` },
    ]));
  } finally {
    sshd.stop();
    execFileSync('docker', ['rm', '-f', container], { stdio: 'ignore' });
    await srv.stop();
  }
  report(rows);
}

function report(rows: Row[]): void {
  const mibps = (ms: number): string => ((bytes / 1024 / 1024) / (ms / 1000)).toFixed(1);
  console.log(`${values.mib} MiB each way, median of ${runs} interleaved rounds (after one warm-up), cipher: ${values.cipher ?? 'client default'}, producer: ${values.producer}`);
  console.log('path | client→container MiB/s | container→client MiB/s');
  for (const row of rows) console.log(`${row.path} | ${mibps(row.up)} | ${mibps(row.down)}`);
  const [cssh, exec] = rows;
  if (cssh && exec) console.log(`cssh / docker exec: up ${(exec.up / cssh.up).toFixed(2)}x, down ${(exec.down / cssh.down).toFixed(2)}x (target ≥ 0.9x)`);
}

await main();
