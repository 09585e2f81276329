// Soak run (not part of `npm test`): churns many connections through one `cssh serve` with the real OpenSSH client,
// 20 % SIGKILLed mid-session, and checks that the server's RSS, open fds and containers come back to the warm
// baseline. Exit status 1 when a bound is exceeded. Usage:
//   node --import tsx scripts/soak.ts [--connections 500] [--warmup 50] [--concurrency 4] [--mode connection|session]
//     [--inject-leak fd|memory] [--json]
// --inject-leak makes the server leak one fd (or 1 MiB) per accepted connection, to see the run fail.
import { executionMode, oneOf, parseFlags, positiveInteger } from './script-args.js';
import { runSoak } from '../test/support/soak-churn.js';
import { formatSoakReport, SOAK_BOUNDS, soakProblems, type SoakLeak } from '../test/support/soak-report.js';

const { values } = parseFlags({
  options: {
    connections: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '4' },
    mode: { type: 'string', default: 'connection' },
    'inject-leak': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const leakKind = values['inject-leak'] === undefined ? undefined : oneOf('inject-leak', values['inject-leak'], ['fd', 'memory'] as const);
const leak: SoakLeak | undefined = leakKind === undefined ? undefined : leakKind === 'fd' ? { kind: 'fd' } : { kind: 'memory', kib: 1024 };

const report = await runSoak({
  connections: positiveInteger('connections', values.connections),
  warmup: positiveInteger('warmup', values.warmup),
  concurrency: positiveInteger('concurrency', values.concurrency),
  mode: executionMode(values.mode),
  ...(leak === undefined ? {} : { leak }),
  progress: (line) => console.error(line),
});
console.log(values.json ? JSON.stringify({ ...report, bounds: SOAK_BOUNDS, problems: soakProblems(report, SOAK_BOUNDS) }, null, 2) : formatSoakReport(report, SOAK_BOUNDS));
process.exitCode = soakProblems(report, SOAK_BOUNDS).length === 0 ? 0 : 1;
