// Forwarding churn run (not part of `npm test`): many `ssh -L` connections through one `cssh serve`, each cut off
// mid-transfer (FIN or RST), every second ssh client SIGKILLed mid-transfer; checks that no helper container is left
// and the server's RSS after GC and open fds come back to the warm baseline. Exit status 1 when a bound is exceeded.
// Usage:
//   node --import tsx scripts/forwarding-churn.ts [--connections 200] [--per-client 40] [--concurrency 4]
//     [--clients-at-once 2] [--mode connection|session] [--json]
import { executionMode, parseFlags, positiveInteger } from './script-args.js';
import { FORWARDING_CHURN_BOUNDS, formatForwardingChurn, forwardingChurnProblems, runForwardingChurn } from '../test/support/forwarding-churn.js';

const { values } = parseFlags({
  options: {
    connections: { type: 'string', default: '200' },
    'per-client': { type: 'string', default: '40' },
    concurrency: { type: 'string', default: '4' },
    'clients-at-once': { type: 'string', default: '2' },
    mode: { type: 'string', default: 'connection' },
    json: { type: 'boolean', default: false },
  },
});
const report = await runForwardingChurn({
  connections: positiveInteger('connections', values.connections),
  perClient: positiveInteger('per-client', values['per-client']),
  concurrency: positiveInteger('concurrency', values.concurrency),
  clientsAtOnce: positiveInteger('clients-at-once', values['clients-at-once']),
  mode: executionMode(values.mode),
  progress: (line) => console.error(line),
});
const problems = forwardingChurnProblems(report, FORWARDING_CHURN_BOUNDS);
console.log(values.json ? JSON.stringify({ ...report, bounds: FORWARDING_CHURN_BOUNDS, problems }, null, 2) : formatForwardingChurn(report, FORWARDING_CHURN_BOUNDS));
process.exitCode = problems.length === 0 ? 0 : 1;
