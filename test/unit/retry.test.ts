// Unit tests for the retry helper: success after failures, permanent errors, deadlines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deadline, retry } from '../../src/core/retry.js';

test('retry returns the first success after transient failures', async () => {
  let calls = 0;
  const retried: number[] = [];
  const result = await retry(
    async () => {
      calls++;
      if (calls < 3) throw new Error(`fail ${calls}`);
      return 'ok';
    },
    { signal: deadline(5000), intervalMs: 1, onRetry: (_e, n) => retried.push(n) },
  );
  assert.equal(result, 'ok');
  assert.equal(calls, 3);
  assert.deepEqual(retried, [1, 2]);
});

test('retry gives up at once on a permanent error', async () => {
  let calls = 0;
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw new Error('404 no such image');
      },
      { signal: deadline(5000), intervalMs: 1000, isPermanent: (e) => String(e).includes('404') },
    ),
    /404 no such image/,
  );
  assert.equal(calls, 1);
});

test('retry stops at the deadline with the last error', async () => {
  let calls = 0;
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw new Error('still failing');
      },
      { signal: deadline(120), intervalMs: 50 },
    ),
    /still failing/,
  );
  assert.ok(calls >= 2 && calls <= 4, `calls=${calls}`);
});

test('a deadline fires even when the garbage collector runs while it waits (no weak-only references)', async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  const parent = new AbortController();
  let reason: unknown;
  const fired = new Promise<void>((resolve) => {
    deadline(200, parent.signal).addEventListener('abort', function (this: AbortSignal) {
      reason = this.reason;
      resolve();
    });
  });
  const collector = setInterval(() => gc?.(), 20);
  const timedOut = await Promise.race([fired.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
  clearInterval(collector);
  assert.equal(timedOut, true, 'deadline(200) did not fire within 3 s');
  assert.equal((reason as Error).name, 'TimeoutError');
});

test('a deadline follows its parent: the parent\'s abort reason wins over the timer', () => {
  const parent = new AbortController();
  const signal = deadline(60_000, parent.signal);
  parent.abort(new Error('client left'));
  assert.equal(signal.aborted, true);
  assert.equal((signal.reason as Error).message, 'client left');
  const already = deadline(60_000, AbortSignal.abort(new Error('gone')));
  assert.equal((already.reason as Error).message, 'gone');
});
