// The relay script run by a local node, read through RelayConnection as the engine would deliver it (multiplexed frames).
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Duplex, Writable } from 'node:stream';
import { test } from 'node:test';
import { FrameParser, RELAY_HEADER, relayFrame } from '../../src/forwarding/frames.js';
import { RelayConnection } from '../../src/forwarding/relay-connection.js';
import { relayCommand } from '../../src/forwarding/relay-script.js';
import { localExec } from '../support/local-exec.js';

/** The relay as a local process whose output reaches us in Docker's 8-byte multiplexed frames, as an exec stream. */
function localRelay(port: number): { stream: Duplex; child: ChildProcessWithoutNullStreams } {
  return localExec(relayCommand(process.execPath, '127.0.0.1', port));
}

async function listen(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { server, port: address.port };
}

function readAll(stream: Duplex): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => stream.once('end', () => resolve(Buffer.concat(chunks))));
}

test('frames split anywhere are reassembled in order', () => {
  const bytes = Buffer.concat([relayFrame('D', Buffer.from('hello')), relayFrame('E'), relayFrame('D', Buffer.alloc(70_000, 7))]);
  for (const cut of [1, 3, 5, 6, 11, 13, 40_000]) {
    const parser = new FrameParser(RELAY_HEADER);
    const frames = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut))];
    assert.deepEqual(frames.map((f) => [String.fromCharCode(f.type), f.payload.length]), [['D', 5], ['E', 0], ['D', 70_000]], `cut at ${cut}`);
    assert.equal(parser.buffered, 0);
  }
});

test('both half-closes survive the relay: the server ends first, then still reads what the client sends', async (t) => {
  let serverEnd!: (bytes: number) => void;
  const receivedBytes = new Promise<number>((resolve) => (serverEnd = resolve));
  const { server, port } = await listen((socket) => {
    socket.end('greeting'); // the destination is done talking, but keeps reading
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('end', () => serverEnd(bytes));
  });
  t.after(() => server.close());
  const { stream, child } = localRelay(port);
  const relay = new RelayConnection(stream);
  await relay.connected;
  const fromServer = await readAll(relay);
  assert.equal(fromServer.toString(), 'greeting', "the destination's EOF ended the readable side");
  const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
  relay.end(big);
  assert.equal(await receivedBytes, big.length, 'everything written after the EOF still reached the destination');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
});

test('a refused destination rejects connected with the reason, and the relay exits 1', async () => {
  const { server, port } = await listen(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  const { stream, child } = localRelay(port);
  const relay = new RelayConnection(stream);
  await assert.rejects(relay.connected, /ECONNREFUSED/);
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 1);
});

test('cssh going away (stream dropped without an end) makes the relay drop the destination and exit', async (t) => {
  const closed: Promise<unknown>[] = [];
  const { server, port } = await listen((socket) => {
    closed.push(once(socket, 'end'));
    socket.resume();
  });
  t.after(() => server.close());
  const { stream, child } = localRelay(port);
  const relay = new RelayConnection(stream);
  await relay.connected;
  relay.destroy();
  await once(child, 'exit');
  await Promise.all(closed);
  assert.equal(closed.length, 1);
});

/**
 * An exec stream with a lag, as Docker's is: writes complete at once but reach the process one per event-loop turn;
 * end() half-closes the process's input once all arrived; destroy() drops what had not arrived yet.
 */
function laggingExec(inner: Duplex): Duplex {
  const queue: Buffer[] = [];
  let ending: (() => void) | undefined;
  const pump = (): void => {
    const next = queue.shift();
    if (next !== undefined) {
      inner.write(next);
      setImmediate(pump);
    } else if (ending) ending();
  };
  const outer = new Duplex({
    read: () => undefined,
    write: (chunk: Buffer, _encoding, callback) => {
      if (queue.push(chunk) === 1) setImmediate(pump);
      callback();
    },
    final: (callback) => {
      ending = () => inner.end(callback);
      if (queue.length === 0) ending();
    },
    destroy: (error, callback) => {
      queue.length = 0;
      inner.destroy();
      callback(error);
    },
  });
  inner.on('data', (chunk: Buffer) => outer.push(chunk));
  inner.on('end', () => outer.push(null));
  return outer;
}

test('destroyed after its end (the client closed its channel), the relay still delivers every byte, then closes the destination and exits', async (t) => {
  let received = 0;
  let ended!: () => void;
  const destinationEnded = new Promise<void>((resolve) => (ended = resolve));
  const { server, port } = await listen((socket) => {
    socket.end('bye'); // ssh -R: the destination (nc) is done sending; the client's echo is still on its way
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.on('end', ended);
  });
  t.after(() => server.close());
  const { stream, child } = localRelay(port);
  const relay = new RelayConnection(laggingExec(stream));
  await relay.connected;
  relay.resume();
  const data = Buffer.alloc(1024 * 1024, 0x63);
  for (let at = 0; at < data.length; at += 32 * 1024) relay.write(data.subarray(at, at + 32 * 1024));
  relay.end();
  await once(relay, 'finish');
  relay.destroy(); // what bridgeChannel does once a closed channel's data is all in the stream
  const exited = once(child, 'exit') as Promise<[number | null]>;
  await destinationEnded;
  assert.equal(received, data.length, 'every byte written before the destroy reached the destination');
  const [code] = await exited;
  assert.equal(code, 0, 'the relay closed the destination and exited by itself');
  if (!relay.closed) await once(relay, 'close');
});

test('destroyed after its end, the relay closes a destination that would go on sending, and exits', { timeout: 30_000 }, async (t) => {
  let received = '';
  let closed!: () => void;
  const destinationClosed = new Promise<void>((resolve) => (closed = resolve));
  const { server, port } = await listen((socket) => {
    // Sends more than the client wants and never ends: only a closed connection stops it (its write fails).
    const talk = setInterval(() => socket.write('more'), 10);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('close', () => {
      clearInterval(talk);
      closed();
    });
  });
  t.after(() => server.close());
  const { stream, child } = localRelay(port);
  const relay = new RelayConnection(stream);
  await relay.connected;
  relay.resume();
  relay.end('last words');
  await once(relay, 'finish');
  relay.destroy();
  const exited = once(child, 'exit') as Promise<[number | null]>;
  await destinationClosed;
  assert.equal(received, 'last words', 'what the client sent arrived before the close');
  const [code] = await exited;
  assert.equal(code, 0);
  if (!relay.closed) await once(relay, 'close');
});

test('a relay that exits while its reader is held back by backpressure loses no byte', async () => {
  const exec = new Duplex({ read: () => undefined, write: (_chunk, _encoding, callback) => callback() });
  const docker = (payload: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head[0] = 1;
    head.writeUInt32BE(payload.length, 4);
    return Buffer.concat([head, payload]);
  };
  const relay = new RelayConnection(exec);
  const body = Buffer.alloc(256 * 1024, 0x62);
  exec.push(docker(Buffer.from([0x43, 0, 0, 0, 0])));
  await relay.connected;
  for (let at = 0; at < body.length; at += 1000) {
    const part = body.subarray(at, at + 1000);
    const data = Buffer.alloc(5);
    data.write('D', 0, 'latin1');
    data.writeUInt32BE(part.length, 1);
    exec.push(docker(Buffer.concat([data, part])));
  }
  exec.push(docker(Buffer.from([0x45, 0, 0, 0, 0])));
  exec.push(null); // the relay exited; nothing has been read yet
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(relay.destroyed, false, 'still holding unread data');
  const closed = new Promise((resolve) => relay.once('close', resolve));
  // A slow reader (as a client with a small window): the relay asks for more while some is still buffered.
  let got = 0;
  const slow = new Writable({
    highWaterMark: 1,
    write: (chunk: Buffer, _encoding, callback) => {
      got += chunk.length;
      setImmediate(callback);
    },
  });
  relay.pipe(slow);
  await closed;
  assert.equal(got, body.length);
});
