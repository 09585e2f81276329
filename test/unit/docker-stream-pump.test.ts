// Docker's multiplexed frames split at any byte boundary, pid headers, and stdin half-close, with cssh's own streams.
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { agentHeader, lineHeader, pumpInput, pumpOutput } from '../../src/backend/docker/programs/stream-pump.js';
import { Collector } from '../support/backend.js';

function frame(stream: number, payload: string | Buffer): Buffer {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

function byteByByte(buf: Buffer): Readable {
  return Readable.from([...buf].map((b) => Buffer.from([b])));
}

test('frames split into single bytes are demultiplexed into stdout and stderr', async () => {
  const data = Buffer.concat([frame(1, 'out1 '), frame(2, 'err'), frame(1, Buffer.from([0, 255, 10])), frame(1, '')]);
  const stdout = new Collector();
  const stderr = new Collector();
  await pumpOutput(byteByByte(data), { tty: false, stdout, stderr });
  assert.deepEqual(stdout.buffer, Buffer.concat([Buffer.from('out1 '), Buffer.from([0, 255, 10])]));
  assert.equal(stderr.text, 'err');
});

test('the shell pid header is consumed from stdout, CRLF under a TTY included', async () => {
  for (const [tty, data] of [[false, frame(1, '4242\nhello')], [true, Buffer.from('77\r\nhi')]] as const) {
    const header = lineHeader();
    const stdout = new Collector();
    let pid: number | undefined;
    await pumpOutput(byteByByte(data), { tty, stdout, stderr: new Collector(), header, onHeader: (p) => { pid = p; } });
    assert.equal(pid, tty ? 77 : 4242);
    assert.equal(stdout.text, tty ? 'hi' : 'hello');
  }
});

test('the agent header is 4 bytes little-endian; a malformed line header passes the bytes through', async () => {
  const agent = agentHeader();
  assert.equal(agent.feed(Buffer.from([1, 2])).length, 0);
  assert.deepEqual(agent.feed(Buffer.from([0, 0, 9])), Buffer.from([9]));
  assert.equal(agent.pid, 0x0201);
  const line = lineHeader();
  assert.equal(line.feed(Buffer.from('not a pid\nrest')).toString(), 'not a pid\nrest');
  assert.equal(line.pid, undefined);
});

test('stdin end half-closes the destination; detaching stops copying', async () => {
  const stdin = new PassThrough();
  const dest = new PassThrough();
  const got: Buffer[] = [];
  dest.on('data', (d: Buffer) => got.push(d));
  const ended = new Promise((r) => dest.on('finish', r));
  pumpInput(stdin, dest, () => undefined);
  stdin.end('abc');
  await ended;
  assert.equal(Buffer.concat(got).toString(), 'abc');
});

test('pumpOutput tells a clean end from a cut one: an error, or a close in the middle of a frame', async () => {
  const whole = Buffer.concat([frame(1, 'all of it'), frame(2, 'err')]);
  assert.equal(await pumpOutput(byteByByte(whole), { tty: false, stdout: new Collector(), stderr: new Collector() }), 'eof');
  const halfFrame = whole.subarray(0, whole.length - 2);
  assert.equal(await pumpOutput(byteByByte(halfFrame), { tty: false, stdout: new Collector(), stderr: new Collector() }), 'cut');
  const reset = new PassThrough();
  const pumped = pumpOutput(reset, { tty: true, stdout: new Collector(), stderr: new Collector() });
  reset.write('partial');
  reset.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
  assert.equal(await pumped, 'cut');
});
