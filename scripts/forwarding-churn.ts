// Forwarding churn run (not part of `npm test`): many `ssh -L` connections through one `cssh serve`, each cut off
// mid-transfer (FIN or RST), every second ssh client SIGKILLed mid-transfer; checks that no helper container is left
// and the server's RSS after GC and open fds come back to the warm baseline. Exit status 1 when a bound is exceeded.
// Usage:
//   node --import tsx scripts/forwarding-churn.ts [--connections 200] [--per-client 40] [--concurrency 4]
//     [--clients-at-once 2] [--mode connection|session] [--json]
import { parseArgs } from 'node:util';
import { FORWARDING_CHURN_BOUNDS, formatForwardingChurn, forwardingChurnProblems, runForwardingChurn } from '../test/support/forwarding-churn.js';

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number of at least 1, not "${text}"`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '200' },
    'per-client': { type: 'string', default: '40' },
    concurrency: { type: 'string', default: '4' },
    'clients-at-once': { type: 'string', default: '2' },
    mode: { type: 'string', default: 'connection' },
    json: { type: 'boolean', default: false },
  },
});
if (values.mode !== 'connection' && values.mode !== 'session') {
  console.error(`--mode must be connection or session, not "${values.mode}"`);
  process.exit(2);
}
const report = await runForwardingChurn({
  connections: positive('connections', values.connections),
  perClient: positive('per-client', values['per-client']),
  concurrency: positive('concurrency', values.concurrency),
  clientsAtOnce: positive('clients-at-once', values['clients-at-once']),
  mode: values.mode,
  progress: (line) => console.error(line),
});
const problems = forwardingChurnProblems(report, FORWARDING_CHURN_BOUNDS);
console.log(values.json ? JSON.stringify({ ...report, bounds: FORWARDING_CHURN_BOUNDS, problems }, null, 2) : formatForwardingChurn(report, FORWARDING_CHURN_BOUNDS));
process.exitCode = problems.length === 0 ? 0 : 1;
