// CoalescingReadable: every byte in order, queued chunks merged for a slow reader, EOF passed on, early close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { CoalescingReadable } from '../../src/ssh/coalescing-readable.js';

test('a slow reader gets queued chunks merged, all bytes in order, then end', async () => {
  const source = new PassThrough();
  const stdin = new CoalescingReadable(source, 64);
  for (let i = 0; i < 10; i++) source.write(Buffer.from(`chunk${i};`));
  source.end();
  await new Promise((resolve) => setImmediate(resolve));
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), Array.from({ length: 10 }, (_, i) => `chunk${i};`).join(''));
  assert.ok(chunks.length < 10, `expected merged chunks, got ${chunks.length}`);
});

test('close() ends the stream early after what is queued; an empty source just ends', async () => {
  const source = new PassThrough();
  const stdin = new CoalescingReadable(source);
  source.write('partial');
  await new Promise((resolve) => setImmediate(resolve));
  stdin.close();
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'partial');
  const empty = new PassThrough();
  const ended = new CoalescingReadable(empty);
  empty.end();
  const rest: Buffer[] = [];
  for await (const chunk of ended) rest.push(chunk as Buffer);
  assert.deepEqual(rest, []);
});
