// Resizes apply in request order; a best-effort initial resize skips itself once a newer one was requested.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResizeSequencer } from '../../src/backend/docker/programs/resize-sequencer.js';

test('a slow earlier resize never lands after a newer one, and a stale initial resize is skipped', async () => {
  const applied: string[] = [];
  const seq = new ResizeSequencer();
  const initial = seq.run(async (isStale) => {
    await sleep(50); // e.g. waiting for the process to run
    if (isStale()) return;
    applied.push('30x100');
  });
  const change = seq.run(async () => {
    applied.push('40x120');
  });
  await Promise.all([initial, change]);
  assert.deepEqual(applied, ['40x120']);
});

test('resizes run one after another in order; a failure does not block the next', async () => {
  const applied: number[] = [];
  const seq = new ResizeSequencer();
  const first = seq.run(async () => {
    await sleep(30);
    applied.push(1);
  });
  const failing = seq.run(async () => {
    throw new Error('engine said no');
  });
  const third = seq.run(async () => {
    applied.push(3);
  });
  await first;
  await assert.rejects(failing, /engine said no/);
  await third;
  assert.deepEqual(applied, [1, 3]);
});
