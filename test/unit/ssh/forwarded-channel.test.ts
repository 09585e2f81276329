// bridgeChannel over a real ssh2 server and client: a forwarded channel the client closes still delivers every byte it sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import ssh2, { type Client, type ServerChannel } from 'ssh2';
import { generateEd25519KeyPair } from '../../../src/ssh/host-keys.js';
import { bridgeChannel } from '../../../src/ssh/forwarded-channel.js';

/**
 * A destination that already said all it had (`reply`, then EOF, as ssh -R's nc does once its input is sent) and
 * takes the client's bytes slowly, one chunk per event-loop turn, as a relay behind a busy Docker engine does.
 * `destroyedAt` is how many bytes it had taken when it was destroyed.
 */
function slowDestination(reply: Buffer): { stream: Duplex; received: () => number; destroyedAt: () => number } {
  let received = 0;
  let destroyedAt = -1;
  const stream = new Duplex({
    allowHalfOpen: true,
    highWaterMark: 1024,
    read: () => undefined,
    // A chunk counts once delivered: a relay's write completes only after it reached the exec stream.
    write: (chunk: Buffer, _encoding, callback) => {
      setImmediate(() => {
        received += chunk.length;
        callback();
      });
    },
    destroy: (error, callback) => {
      destroyedAt = received;
      callback(error);
    },
  });
  stream.push(reply);
  stream.push(null);
  return { stream, received: () => received, destroyedAt: () => destroyedAt };
}

/** An ssh2 server that accepts one tcpip-forward, opens one forwarded-tcpip channel for it and bridges it to `stream`. */
async function forwardingServer(stream: Duplex, onClose: () => void): Promise<{ port: number; close(): void }> {
  const server = new ssh2.Server({ hostKeys: [generateEd25519KeyPair().private] }, (client) => {
    client.on('authentication', (ctx) => ctx.accept());
    client.on('error', () => undefined);
    client.on('request', (accept, _reject, name) => {
      if (name !== 'tcpip-forward' || !accept) return;
      accept();
      client.forwardOut('127.0.0.1', 2222, '127.0.0.1', 40000, (error: Error | undefined, channel: ServerChannel) => {
        if (error) throw error;
        bridgeChannel(channel, stream, onClose);
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

test('a client that sends its data, EOF and close back to back: every byte reaches the destination, then the stream is closed', async (t) => {
  const reply = Buffer.alloc(64 * 1024, 0x72);
  const destination = slowDestination(reply);
  let closed!: () => void;
  const bridgeClosed = new Promise<void>((resolve) => (closed = resolve));
  const server = await forwardingServer(destination.stream, () => closed());
  const client: Client = new ssh2.Client();
  t.after(() => {
    client.end();
    server.close();
  });
  // Below the server's 2 MiB window: ssh2 sends it all at once, so EOF and close follow the last byte directly.
  const sent = Buffer.alloc(1024 * 1024, 0x61);
  let echoed = 0;
  client.on('tcp connection', (_info, accept) => {
    const channel = accept();
    channel.on('data', (chunk: Buffer) => (echoed += chunk.length));
    channel.once('end', () => {
      channel.write(sent);
      channel.eof();
      channel.close();
    });
  });
  client.on('ready', () => client.forwardIn('127.0.0.1', 2222, (error) => assert.ifError(error)));
  client.connect({ host: '127.0.0.1', port: server.port, username: 'u', password: 'p' });
  await bridgeClosed;
  await new Promise((resolve) => (destination.stream.destroyed ? resolve(undefined) : destination.stream.once('close', resolve)));
  assert.equal(echoed, reply.length, "the destination's bytes reached the client before its EOF");
  assert.equal(destination.received(), sent.length, 'every byte the client sent before closing reached the destination');
  assert.equal(destination.destroyedAt(), sent.length, 'the stream was closed only after it took the last byte');
});
