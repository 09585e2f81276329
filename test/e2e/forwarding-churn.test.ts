// 200 `ssh -L` connections cut off mid-transfer (FIN, RST, or with their SIGKILLed ssh client) leave no helper
// container and the server's RSS after GC and open fds at the warm baseline. The runner is test/support/forwarding-churn.ts
// (also scripts/forwarding-churn.ts, for longer runs); its bounds and how they were measured: FORWARDING_CHURN_BOUNDS.
import assert from 'node:assert/strict';
import { dockerTest } from '../support/docker.js';
import { FORWARDING_CHURN_BOUNDS, formatForwardingChurn, forwardingChurnProblems, runForwardingChurn } from '../support/forwarding-churn.js';

const TIMEOUT_MS = 900_000; // a hang guard only: a loaded 2-core machine managed about one forwarded connection a second

dockerTest('forwarding churn, connection mode: 200 -L connections cut off mid-transfer leave no helper and RSS/fds at the baseline', async (t) => {
  const report = await runForwardingChurn({ connections: 200, perClient: 40, mode: 'connection' });
  t.diagnostic(formatForwardingChurn(report, FORWARDING_CHURN_BOUNDS));
  assert.equal(report.clients, 5);
  assert.equal(report.killedClients, 2, 'every second ssh client was SIGKILLed mid-transfer');
  assert.ok(report.resets > 0 && report.killedWithClient > 0, 'FIN, RST and killed-client cut-offs all happened');
  assert.equal(report.intactEchoes, 5, 'after the cut-offs, every client still got an intact echo through its helper');
  assert.ok(report.peakHelpers > 0, 'the helper counter saw helpers (so the zero at the end means something)');
  assert.deepEqual(forwardingChurnProblems(report, FORWARDING_CHURN_BOUNDS), []);
}, { timeout: TIMEOUT_MS });

dockerTest('forwarding churn, session mode: 40 -L connections cut off mid-transfer leave no helper and RSS/fds at the baseline', async (t) => {
  const report = await runForwardingChurn({ connections: 40, perClient: 20, mode: 'session', warmup: 10 });
  t.diagnostic(formatForwardingChurn(report, FORWARDING_CHURN_BOUNDS));
  assert.equal(report.killedClients, 1);
  assert.equal(report.intactEchoes, 2);
  assert.deepEqual(forwardingChurnProblems(report, FORWARDING_CHURN_BOUNDS), []);
}, { timeout: TIMEOUT_MS });

dockerTest('forwarding churn: a server that keeps 16 MiB per SSH connection fails the RSS check', async (t) => {
  // The server keeps 16 MiB per accepted TCP connection (test/support/soak-leak-preload.ts; metrics scrapes count too):
  // the three measured clients alone are three times the margin, so start-up memory returned meanwhile (up to 9 MiB
  // seen) cannot hide it. The RSS read after GC is what the server retains.
  const report = await runForwardingChurn({ connections: 12, perClient: 4, mode: 'connection', warmup: 4, leak: { kind: 'memory', kib: 16 * 1024 } });
  t.diagnostic(formatForwardingChurn(report, FORWARDING_CHURN_BOUNDS));
  assert.equal(report.failures.length, 0, report.failures.join('\n'));
  assert.equal(report.helpersLeft, 0);
  const problems = forwardingChurnProblems(report, FORWARDING_CHURN_BOUNDS);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0] ?? '', /RSS after GC grew from [\d.]+ MiB \(warm\) to [\d.]+ MiB \(final\), more than the margin of 16 MiB/);
}, { timeout: TIMEOUT_MS });
