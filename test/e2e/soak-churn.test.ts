// Soak under the suite: a short connection churn (real OpenSSH, 20 % SIGKILLed mid-session, 4 clients at once) leaves
// the server's fds and RSS at the warm baseline and no container; an injected fd leak makes the same check fail.
// The long run (500 connections) is scripts/soak.ts; both use test/support/soak-churn.ts.
import assert from 'node:assert/strict';
import { dockerTest } from '../support/docker.js';
import { runSoak } from '../support/soak-churn.js';
import { formatSoakReport, SOAK_BOUNDS, soakProblems, type SoakReport } from '../support/soak-report.js';

const SOAK_TIMEOUT_MS = 600_000; // a hang guard only: a machine loaded by other work managed 0.4 connections/s

/**
 * Bounds: SOAK_BOUNDS in test/support/soak-report.ts (shared with scripts/soak.ts; it says how they were measured):
 * final fds <= warm + 8, final RSS <= warm RSS + 24 MiB, no container of the instance left, no client misbehaving.
 */
function check(report: SoakReport): string[] {
  return soakProblems(report, SOAK_BOUNDS);
}

dockerTest('soak, connection mode: 60 connections after 10 warm-up leave fds, RSS and containers at the baseline', async (t) => {
  const report = await runSoak({ connections: 60, warmup: 10, concurrency: 4, mode: 'connection' });
  t.diagnostic(formatSoakReport(report, SOAK_BOUNDS));
  assert.equal(report.killed, 14, 'every fifth connection was SIGKILLed mid-session');
  assert.ok(report.peak.containers > 0, 'the container counter saw containers (so the zero at the end means something)');
  assert.deepEqual(check(report), []);
}, { timeout: SOAK_TIMEOUT_MS });

dockerTest('soak, session mode: 30 connections after 10 warm-up leave fds, RSS and containers at the baseline', async (t) => {
  const report = await runSoak({ connections: 30, warmup: 10, concurrency: 4, mode: 'session' });
  t.diagnostic(formatSoakReport(report, SOAK_BOUNDS));
  assert.equal(report.killed, 8);
  assert.deepEqual(check(report), []);
}, { timeout: SOAK_TIMEOUT_MS });

dockerTest('soak: a server that leaks one fd per connection fails the check', async (t) => {
  // The same run against a server preloaded with test/support/soak-leak-preload.ts: 16 measured connections leak 16
  // fds (and the metrics scrapes one each), over the margin.
  const report = await runSoak({ connections: 16, warmup: 4, concurrency: 4, mode: 'connection', leak: { kind: 'fd' } });
  t.diagnostic(formatSoakReport(report, SOAK_BOUNDS));
  assert.equal(report.failures.length, 0, report.failures.join('\n'));
  assert.equal(report.containersLeft, 0);
  const problems = check(report);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0] ?? '', /open fds grew from \d+ \(warm\) to \d+ \(final\), more than the margin/);
}, { timeout: SOAK_TIMEOUT_MS });
