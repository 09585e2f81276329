// ChannelStdin: every byte in order, the source paused while a reader lags, EOF passed on, early close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ChannelStdin } from '../../src/ssh/channel-stdin.js';

test('a reader that lags pauses the source above the limit; it then gets all bytes in order, then end', async () => {
  const source = new PassThrough();
  const stdin = new ChannelStdin(source, 64);
  for (let i = 0; i < 10; i++) source.write(Buffer.from(`chunk${i};`));
  source.end();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(source.isPaused(), true, 'more than 64 bytes queued: the source must be paused');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), Array.from({ length: 10 }, (_, i) => `chunk${i};`).join(''));
});

test('close() ends the stream early after what is queued; an empty source just ends', async () => {
  const source = new PassThrough();
  const stdin = new ChannelStdin(source);
  source.write('partial');
  await new Promise((resolve) => setImmediate(resolve));
  stdin.close();
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'partial');
  const empty = new PassThrough();
  const ended = new ChannelStdin(empty);
  empty.end();
  const rest: Buffer[] = [];
  for await (const chunk of ended) rest.push(chunk as Buffer);
  assert.deepEqual(rest, []);
});
