// The verdict and report of a soak run (test/support/soak-churn.ts): its figures, the bounds they must stay within,
// what exceeds them, and the plain-text report scripts/soak.ts prints.
import { mib, type ProcessUsage } from './process-usage.js';

export type SoakLeak = { kind: 'fd' } | { kind: 'memory'; kib: number };

export interface SoakSample extends ProcessUsage {
  /** ms since the first connection. */
  ms: number;
  /** Connections finished so far, warm-up included. */
  done: number;
  /** Containers of the instance on the engine (the latest count; counting runs alongside). */
  containers: number;
}

export interface SoakReport {
  mode: 'connection' | 'session';
  connections: number;
  warmup: number;
  concurrency: number;
  /** Connections SIGKILLed mid-session, warm-up included. */
  killed: number;
  /** Clients that did not get what they should (wrong output or status, no `up`, hung), with the reason. */
  failures: string[];
  durationMs: number;
  /** Right after start-up, before any connection. */
  start: ProcessUsage;
  /** After the warm-up, once quiet and the engine connections kept idle have closed. */
  warm: ProcessUsage;
  /** After the last connection, the same way. */
  final: ProcessUsage;
  peak: ProcessUsage & { containers: number };
  /** Containers of the instance on the engine at the end. */
  containersLeft: number;
  samples: SoakSample[];
  leak?: SoakLeak;
}

export interface SoakBounds {
  /** Final fds may exceed the warm baseline by this many (sockets to the engine an HTTP agent keeps, timers). */
  fdMargin: number;
  /** Final RSS may exceed the warm baseline by this many MiB (heap growth that garbage collection has not returned). */
  rssMarginMiB: number;
}

/**
 * The bounds of scripts/soak.ts and test/e2e/soak-churn.test.ts. Measured on a 2-core machine (Node 20, busybox image,
 * connection mode, 4 clients at once, info logging, heavily loaded by other work): 500 connections after a warm-up of
 * 50 ended at the warm figures (RSS 106.1 -> 106.1 MiB and 105.5 -> 103.7 MiB, fds 28 -> 28 and 27 -> 27 in two
 * runs); a 20-connection run after 10 warm-up ended 13 MiB below its warm RSS and 1 fd above. RSS moved between
 * 102 and 109 MiB after the warm-up and up to 127 MiB during it (start-up memory being returned, garbage collection
 * timing). So: 8 fds (a leak of one fd per connection exceeds it after 9 connections) and 24 MiB (over 500
 * connections that is 48 KiB per connection; over 60, 400 KiB). A short warm-up makes the RSS check weaker: the
 * start-up memory the server returns later can hide part of a leak.
 */
export const SOAK_BOUNDS: SoakBounds = { fdMargin: 8, rssMarginMiB: 24 };

/** What exceeds the bounds, one sentence each; empty when the run passed. */
export function soakProblems(report: SoakReport, bounds: SoakBounds): string[] {
  const problems: string[] = [];
  if (report.failures.length > 0) {
    problems.push(`${report.failures.length} client(s) misbehaved, first: ${report.failures.slice(0, 3).join(' | ')}`);
  }
  if (report.containersLeft > 0) problems.push(`${report.containersLeft} container(s) of the instance left on the engine`);
  if (report.final.fds > report.warm.fds + bounds.fdMargin) {
    problems.push(`open fds grew from ${report.warm.fds} (warm) to ${report.final.fds} (final), more than the margin of ${bounds.fdMargin}`);
  }
  const rssLimit = report.warm.rssKiB + bounds.rssMarginMiB * 1024;
  if (report.final.rssKiB > rssLimit) {
    problems.push(`RSS grew from ${mib(report.warm.rssKiB)} MiB (warm) to ${mib(report.final.rssKiB)} MiB (final), ` +
      `more than the margin of ${bounds.rssMarginMiB} MiB`);
  }
  return problems;
}

function point(name: string, usage: ProcessUsage, containers: number): string {
  return `  ${name.padEnd(21)}  ${mib(usage.rssKiB).padStart(7)}  ${String(usage.fds).padStart(4)}  ` +
    `${`(${usage.unixSockets})`.padStart(14)}  ${String(containers).padStart(10)}`;
}

/** A plain-text report: totals, the four measurement points, and the peak of each tenth of the run. */
export function formatSoakReport(report: SoakReport, bounds: SoakBounds): string {
  const total = report.warmup + report.connections;
  const seconds = report.durationMs / 1000;
  const lines = [
    `soak: ${report.connections} connections after ${report.warmup} warm-up, ${report.mode} mode, ${report.concurrency} clients at once` +
      (report.leak === undefined ? '' : `, INJECTED LEAK ${JSON.stringify(report.leak)}`),
    `  ${report.killed} clients SIGKILLed mid-session, ${report.failures.length} failures, ${seconds.toFixed(0)} s ` +
      `(${(total / seconds).toFixed(2)} connections/s)`,
    '',
    '  point                  RSS MiB   fds  (unix sockets)  containers',
    point('start (no connection)', report.start, 0),
    point('warm (after warm-up)', report.warm, 0),
    point('peak (during the run)', report.peak, report.peak.containers),
    point('final (all quiet)', report.final, report.containersLeft),
    '',
    `  bounds: final fds <= warm + ${bounds.fdMargin}, final RSS <= warm + ${bounds.rssMarginMiB} MiB, no container left`,
    '',
    '  connections done   max RSS MiB  max fds  max containers   (samples every 0.5 s)',
  ];
  const tenths = new Map<number, SoakSample[]>();
  for (const s of report.samples) {
    const tenth = Math.min(9, Math.floor((s.done / total) * 10));
    tenths.set(tenth, [...(tenths.get(tenth) ?? []), s]);
  }
  for (const [tenth, samples] of [...tenths].sort((a, b) => a[0] - b[0])) {
    const range = `${Math.round((tenth * total) / 10)}-${Math.round(((tenth + 1) * total) / 10)}`;
    lines.push(`  ${range.padEnd(17)}  ${mib(Math.max(...samples.map((s) => s.rssKiB))).padStart(11)}  ` +
      `${String(Math.max(...samples.map((s) => s.fds))).padStart(7)}  ${String(Math.max(...samples.map((s) => s.containers))).padStart(14)}`);
  }
  const problems = soakProblems(report, bounds);
  lines.push('', problems.length === 0 ? '  PASS' : `  FAIL:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return lines.join('\n');
}
