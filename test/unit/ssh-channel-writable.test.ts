// ChannelWritable: waits for attach, completes writes only when the target took them, drops everything after detach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelWritable, type WriteTarget } from '../../src/ssh/channel-writable.js';

/** A target that holds each write until release() (like an ssh2 channel with no window left). */
function slowTarget(): WriteTarget & { chunks: string[]; release(): void } {
  const waiting: (() => void)[] = [];
  const chunks: string[] = [];
  return {
    chunks,
    write(chunk, callback) {
      chunks.push(chunk.toString());
      waiting.push(() => callback());
      return false;
    },
    release() {
      for (const done of waiting.splice(0)) done();
    },
  };
}

const finished = (stream: ChannelWritable): Promise<void> => new Promise((resolve) => stream.once('finish', () => resolve()));

test('writes wait for attach and finish only after the target took every chunk', async () => {
  const stream = new ChannelWritable(4);
  const target = slowTarget();
  stream.write('ab');
  stream.write('cd');
  stream.end();
  let done = false;
  const finish = finished(stream).then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(target.chunks, []);
  stream.attach(target);
  assert.deepEqual(target.chunks, ['ab']);
  target.release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(target.chunks, ['ab', 'cd']);
  assert.equal(done, false);
  target.release();
  await finish;
  assert.equal(stream.bytes, 4);
});

test('detach releases a write stuck in the target and drops later ones', async () => {
  const stream = new ChannelWritable();
  const target = slowTarget();
  stream.attach(target);
  stream.write('stuck');
  stream.write('later');
  stream.end();
  const finish = finished(stream);
  await new Promise((resolve) => setImmediate(resolve));
  stream.detach();
  await finish;
  assert.deepEqual(target.chunks, ['stuck']);
});
