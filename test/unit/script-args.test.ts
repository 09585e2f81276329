// The flag checks the churn and bench scripts share: good values parse, and a bad one stops the script with status 2
// and a message naming the flag, before any server or container is started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { executionMode, nonNegativeInteger, oneOf, positiveInteger, positiveIntegerList } from '../../scripts/script-args.js';

const root = new URL('../..', import.meta.url).pathname;

test('good flag values parse to what they say', () => {
  assert.equal(positiveInteger('runs', '7'), 7);
  assert.equal(nonNegativeInteger('pool', '0'), 0);
  assert.deepEqual(positiveIntegerList('workers', '1, 2,8'), [1, 2, 8]);
  assert.equal(oneOf('inject-leak', 'memory', ['fd', 'memory'] as const), 'memory');
  assert.equal(executionMode('session'), 'session');
});

for (const [script, args, message] of [
  ['scripts/soak.ts', ['--connections', '0'], '--connections must be a whole number of at least 1, not "0"'],
  ['scripts/soak.ts', ['--mode', 'pod'], '--mode must be connection or session, not "pod"'],
  ['scripts/soak.ts', ['--inject-leak', 'cpu'], '--inject-leak must be fd or memory, not "cpu"'],
  ['scripts/forwarding-churn.ts', ['--per-client', '2.5'], '--per-client must be a whole number of at least 1, not "2.5"'],
  ['scripts/bench/parallel-uploads.ts', ['--workers', '1,x'], '--workers must be a whole number of at least 1, not "x"'],
  ['scripts/bench/startup-latency.ts', ['--pool=-1'], '--pool must be a whole number of at least 0, not "-1"'],
  ['scripts/bench/compare.ts', ['--mb', '64'], "Unknown option '--mb'"],
] as const) {
  test(`${script} ${args.join(' ')} stops with status 2 and names the flag`, () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stderr.trim(), message);
  });
}
