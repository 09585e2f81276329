// The soak verdict: which final figures exceed the warm baseline's bounds (fds, RSS, containers, client failures).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SOAK_BOUNDS, soakProblems, type SoakReport } from '../support/soak-report.js';

const MIB = 1024;

function report(over: Partial<SoakReport> = {}): SoakReport {
  return {
    mode: 'connection',
    connections: 500,
    warmup: 50,
    concurrency: 4,
    killed: 110,
    failures: [],
    durationMs: 1000,
    start: { rssKiB: 100 * MIB, fds: 27, unixSockets: 2 },
    warm: { rssKiB: 106 * MIB, fds: 28, unixSockets: 2 },
    final: { rssKiB: 106 * MIB, fds: 28, unixSockets: 2 },
    peak: { rssKiB: 120 * MIB, fds: 39, unixSockets: 9, containers: 7 },
    containersLeft: 0,
    samples: [],
    ...over,
  };
}

test('a run back at its warm figures passes', () => {
  assert.deepEqual(soakProblems(report(), SOAK_BOUNDS), []);
  const edge = { rssKiB: (106 + SOAK_BOUNDS.rssMarginMiB) * MIB, fds: 28 + SOAK_BOUNDS.fdMargin, unixSockets: 2 };
  assert.deepEqual(soakProblems(report({ final: edge }), SOAK_BOUNDS), []);
});

test('one fd per connection over 60 connections fails', () => {
  const problems = soakProblems(report({ final: { rssKiB: 106 * MIB, fds: 28 + 60, unixSockets: 2 } }), SOAK_BOUNDS);
  assert.deepEqual(problems, [`open fds grew from 28 (warm) to 88 (final), more than the margin of ${SOAK_BOUNDS.fdMargin}`]);
});

test('100 KiB per connection over 500 connections fails the RSS bound', () => {
  const problems = soakProblems(report({ final: { rssKiB: 106 * MIB + 500 * 100, fds: 28, unixSockets: 2 } }), SOAK_BOUNDS);
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /^RSS grew from 106\.0 MiB \(warm\) to 154\.8 MiB \(final\), more than the margin of 24 MiB$/);
});

test('a container left or a client that misbehaved fails, whatever the figures', () => {
  assert.match(soakProblems(report({ containersLeft: 2 }), SOAK_BOUNDS).join(), /2 container\(s\) of the instance left/);
  const failures = ['#7 exited 255: Connection reset', '#9 got 0 bytes back, not the 3801 it sent'];
  assert.match(soakProblems(report({ failures }), SOAK_BOUNDS).join(), /2 client\(s\) misbehaved, first: #7 exited 255/);
});
