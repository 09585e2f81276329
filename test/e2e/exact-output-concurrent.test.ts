// Several clients at once running short commands with known output: every byte arrives exactly once, in both modes
// and with the warm pool handing out containers.
import assert from 'node:assert/strict';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { startServe, type ServeHandle } from '../support/serve-harness.js';
import { METRICS_ON, metricsAddress, scrapeMetrics } from '../support/serve-metrics.js';

const CLIENTS = 4;
const RUNS_PER_CLIENT = 25;

/** What `seq 1 n` prints. */
function seqOutput(n: number): string {
  let out = '';
  for (let i = 1; i <= n; i++) out += `${i}\n`;
  return out;
}

interface Case {
  command: string[];
  stdout: string;
  stderr: string;
}

/** Alternates stdout-only, stderr-only and mixed programs so both streams are checked. */
function caseFor(client: number, run: number): Case {
  switch (run % 3) {
    case 0:
      return { command: ['seq', '1', '3000'], stdout: seqOutput(3000), stderr: '' };
    case 1:
      return { command: [`echo c${client}r${run}`], stdout: `c${client}r${run}\n`, stderr: '' };
    default:
      return { command: [`echo out${run}; echo err${run} >&2`], stdout: `out${run}\n`, stderr: `err${run}\n` };
  }
}

async function clientLoop(srv: ServeHandle, client: number): Promise<string[]> {
  const failures: string[] = [];
  for (let run = 0; run < RUNS_PER_CLIENT; run++) {
    const expected = caseFor(client, run);
    const result = await srv.ssh(expected.command, { timeoutMs: 120_000 });
    const stdout = result.stdout.toString();
    // ssh may add its own warnings on stderr; the program's line must be there exactly once.
    const stderrOk = expected.stderr === ''
      ? !/err\d/.test(result.stderr)
      : result.stderr.split(expected.stderr).length === 2;
    if (result.code !== 0 || stdout !== expected.stdout || !stderrOk) {
      failures.push(`client ${client} run ${run} (${expected.command.join(' ')}): exit ${result.code}, ` +
        `${stdout.length} stdout bytes (expected ${expected.stdout.length}), stderr ${JSON.stringify(result.stderr.slice(0, 200))}`);
    }
  }
  return failures;
}

const VARIANTS = [
  { name: 'session mode', mode: 'session', config: {} },
  { name: 'connection mode', mode: 'connection', config: {} },
  // Concurrent logins race for the ready containers and for the refill: each must still get its own container.
  { name: 'connection mode, warm pool of 2', mode: 'connection', config: { docker: { pool: { size: 2 } }, ...METRICS_ON }, pooled: true },
] as const;

for (const variant of VARIANTS) {
  dockerTest(`serve (${variant.name}): ${CLIENTS} clients x ${RUNS_PER_CLIENT} short commands, every byte exactly once`, async () => {
    const srv = await startServe({ mode: variant.mode, image: TEST_IMAGES.busybox, config: { log: { level: 'info' }, ...variant.config } });
    let failures: string[];
    let poolHits = 0;
    try {
      const perClient = await Promise.all(Array.from({ length: CLIENTS }, (_, client) => clientLoop(srv, client)));
      failures = perClient.flat();
      if ('pooled' in variant) poolHits = (await scrapeMetrics(metricsAddress(srv))).get('cssh_pool_hits_total') ?? 0;
    } finally {
      await srv.stop();
    }
    assert.deepEqual(failures, [], `${failures.length} of ${CLIENTS * RUNS_PER_CLIENT} runs were not exact`);
    if ('pooled' in variant) assert.ok(poolHits > 0, 'some logins were served from the warm pool');
    assert.deepEqual(srv.containers(), []);
  }, { timeout: 600_000 });
}
