// Benchmark (not a test): time of `ssh host true` through cssh (a fresh container per connection) against
// `docker run --rm IMAGE true`, median of several runs. Usage:
//   node --import tsx scripts/bench/startup-latency.ts [--runs 7] [--mode connection|session]
import { parseArgs } from 'node:util';
import { startServe } from '../../test/support/serve-harness.js';
import { medianOf, quote } from './throughput.lib.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, mode: { type: 'string', default: 'connection' } } });
const runs = Number(values.runs);
const image = 'cssh-test/busybox:latest';
const mode = values.mode === 'session' ? 'session' : 'connection';

const srv = await startServe({ image, mode, config: { log: { level: 'warning' } } });
try {
  const viaCssh = await medianOf(`ssh ${quote(srv.sshArgs())} true`, runs);
  const viaDocker = await medianOf(`docker run --rm --network none ${image} true`, runs);
  console.log(`median of ${runs} runs (after one warm-up), ${mode} mode, image ${image}`);
  console.log(`ssh host true through cssh: ${viaCssh.toFixed(0)} ms`);
  console.log(`docker run --rm IMAGE true: ${viaDocker.toFixed(0)} ms`);
  console.log(`ratio: ${(viaCssh / viaDocker).toFixed(2)}x (target ≤ 1.3x)`);
} finally {
  await srv.stop();
}
