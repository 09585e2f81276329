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
