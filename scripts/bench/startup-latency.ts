// Benchmark (not a test): time of `ssh host true` through cssh (a fresh container per connection, or with --pool N one
// from the warm pool) against `docker run --rm IMAGE true`, median of several runs. Usage:
//   node --import tsx scripts/bench/startup-latency.ts [--runs 7] [--mode connection|session] [--pool N]
// With --pool the two commands run interleaved (one of each per round, so both see the same machine load), each round
// starting once the pool is full again; the pool's hit and miss counters are read from the metrics endpoint.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { executionMode, nonNegativeInteger, parseFlags, positiveInteger } from '../script-args.js';
import { startServe, type ServeHandle } from '../../test/support/serve-harness.js';
import { METRICS_ON, metricsAddress, scrapeMetrics } from '../../test/support/serve-metrics.js';
import { interleavedMedians, median, quote, timeShell } from './throughput.lib.js';

const { values } = parseFlags({ options: {
  runs: { type: 'string', default: '7' }, mode: { type: 'string', default: 'connection' }, pool: { type: 'string', default: '0' },
} });
const runs = positiveInteger('runs', values.runs);
const pool = nonNegativeInteger('pool', values.pool);
const image = 'cssh-test/busybox:latest';
const mode = pool > 0 ? 'connection' : executionMode(values.mode);
const dockerRun = `docker run --rm --network none ${image} true`;

/** Ready (not yet handed-out) pool containers of `srv`. */
function ready(srv: ServeHandle): number {
  const out = execFileSync('docker', ['ps', '--filter', `label=cssh.instance=${srv.instanceId}`, '--filter', 'label=cssh.pool', '--format', '{{.Names}}'], { encoding: 'utf8' });
  return out.split('\n').filter((name) => name !== '' && !name.startsWith('cssh-')).length;
}

async function poolFull(srv: ServeHandle): Promise<void> {
  for (let i = 0; i < 600 && ready(srv) < pool; i++) await sleep(100);
}

// info: the metrics endpoint is announced at that level (the pool logs little at info).
const config = pool > 0 ? { log: { level: 'info' }, ...METRICS_ON, docker: { pool: { size: pool } } } : { log: { level: 'warning' } };
const srv = await startServe({ image, mode, config });
try {
  if (pool > 0) {
    const ssh = `ssh ${quote(srv.sshArgs())} true`;
    const viaCssh: number[] = [];
    const viaDocker: number[] = [];
    await poolFull(srv);
    await timeShell(ssh);
    await timeShell(dockerRun);
    for (let i = 0; i < runs; i++) {
      await poolFull(srv);
      viaCssh.push(await timeShell(ssh));
      viaDocker.push(await timeShell(dockerRun));
    }
    const metrics = await scrapeMetrics(metricsAddress(srv));
    const [a, b] = [median(viaCssh), median(viaDocker)];
    console.log(`median of ${runs} interleaved rounds (after one warm-up), connection mode, warm pool of ${pool}, image ${image}`);
    console.log(`ssh host true through cssh (pooled): ${a.toFixed(0)} ms   [${viaCssh.map((t) => t.toFixed(0)).join(' ')}]`);
    console.log(`docker run --rm IMAGE true:         ${b.toFixed(0)} ms   [${viaDocker.map((t) => t.toFixed(0)).join(' ')}]`);
    console.log(`ratio: ${(a / b).toFixed(2)}x (target ≤ 0.5x); pool hits ${metrics.get('cssh_pool_hits_total') ?? 0}, misses ${metrics.get('cssh_pool_misses_total') ?? 0}`);
  } else {
    const { viaCssh, viaDocker } = await interleavedMedians({ viaCssh: `ssh ${quote(srv.sshArgs())} true`, viaDocker: dockerRun }, runs);
    console.log(`median of ${runs} interleaved rounds (after one warm-up), ${mode} mode, image ${image}`);
    console.log(`ssh host true through cssh: ${viaCssh.toFixed(0)} ms`);
    console.log(`docker run --rm IMAGE true: ${viaDocker.toFixed(0)} ms`);
    console.log(`ratio: ${(viaCssh / viaDocker).toFixed(2)}x (target ≤ 1.1x)`);
  }
} catch (error) {
  // What the server logged (warnings and errors) says why a run failed.
  console.error(srv.output().split('\n').filter((line) => /"level":"(warning|error|crit)/.test(line)).join('\n'));
  throw error;
} finally {
  await srv.stop();
}
