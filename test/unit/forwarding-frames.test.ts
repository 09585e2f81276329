// RelayOutput under adversarial chunking: Docker's and the relay's frames split at every byte, or many in one chunk.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { RelayOutput, relayFrame } from '../../src/forwarding/frames.js';

/** Docker's multiplexed frame (stream 1 stdout, 2 stderr) around `payload`. */
function docker(stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

/**
 * An exec output stream: `data` in relay D frames of varied sizes (the relay's reads), the frames cut into Docker
 * frames at other places (Docker's reads of the relay's stdout), with stderr frames in between, then an E frame.
 */
function execOutput(data: Buffer): Buffer {
  const relay: Buffer[] = [relayFrame('D', Buffer.alloc(0))];
  for (let at = 0, size = 1; at < data.length; at += size, size = (size * 7 + 3) % 9000 + 1) {
    relay.push(relayFrame('D', data.subarray(at, at + size)));
  }
  relay.push(relayFrame('E'));
  const stdout = Buffer.concat(relay);
  const out: Buffer[] = [];
  for (let at = 0, size = 3; at < stdout.length; at += size, size = (size * 13 + 5) % 20000 + 1) {
    out.push(docker(1, stdout.subarray(at, at + size)));
    if (out.length % 5 === 0) out.push(docker(2, Buffer.from('warn ')));
  }
  return Buffer.concat(out);
}

/** Feeds `chunks` to a fresh RelayOutput; returns the D payloads joined, the frame letters after the data, stderr. */
function read(chunks: Buffer[]): { data: Buffer; tail: string; stderr: string } {
  const output = new RelayOutput();
  const parts: Buffer[] = [];
  let tail = '';
  for (const chunk of chunks) {
    for (const frame of output.push(chunk)) {
      if (frame.type === 0x44 && tail === '') parts.push(Buffer.from(frame.payload));
      else tail += String.fromCharCode(frame.type);
    }
  }
  return { data: Buffer.concat(parts), tail, stderr: output.stderr };
}

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

test('every byte boundary: a stream fed one byte at a time gives the data back intact, then E', () => {
  const data = randomBytes(64 * 1024);
  const bytes = execOutput(data);
  const got = read(Array.from(bytes, (byte) => Buffer.from([byte])));
  assert.equal(got.data.length, data.length);
  assert.equal(sha(got.data), sha(data));
  assert.equal(got.tail, 'E');
  assert.match(got.stderr, /^warn/);
});

test('every cut point of a small stream, and the whole of a large one in a single chunk', () => {
  const small = randomBytes(300);
  const bytes = execOutput(small);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const got = read([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.equal(sha(got.data), sha(small), `cut at ${cut}`);
    assert.equal(got.tail, 'E', `cut at ${cut}`);
  }
  const large = randomBytes(4 * 1024 * 1024);
  const whole = read([execOutput(large)]);
  assert.equal(whole.data.length, large.length);
  assert.equal(sha(whole.data), sha(large));
});
