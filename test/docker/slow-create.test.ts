// A container whose create answer comes after cssh gave up (a slow or frozen engine) is found and removed anyway.
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDockerBackend } from '../../src/backend/docker/index.js';
import { containersOf, testConfig, testContext } from '../support/backend.js';
import { dockerTest } from '../support/docker.js';

/**
 * A TCP front for the Docker socket that holds each container-create request for `holdMs` before passing it on
 * (requests may share a kept-alive connection, so every chunk is looked at, and order is kept).
 */
async function slowCreateProxy(holdMs: number): Promise<{ server: Server; port: number }> {
  const server = createServer((client: Socket) => {
    const engine = connect('/var/run/docker.sock');
    engine.on('error', () => client.destroy());
    client.on('error', () => engine.destroy());
    engine.pipe(client);
    let queue = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const hold = /^POST \S*\/containers\/create/.test(chunk.toString('latin1')) ? holdMs : 0;
      queue = queue.then(() => sleep(hold)).then(() => void engine.write(chunk));
    });
    client.on('end', () => void queue.then(() => engine.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

dockerTest('a create that answers after containerStart gave up leaves no container behind', async (t) => {
  const proxy = await slowCreateProxy(2_000);
  t.after(() => proxy.server.close());
  const config = testConfig('connection');
  config.docker.connection.host = `tcp://127.0.0.1:${proxy.port}`;
  config.docker.timeouts = { ...config.docker.timeouts, containerStart: 1_000, containerStop: 5_000 };
  const ctx = testContext(config);
  const backend = createDockerBackend({ instanceId: 'test-slow-create' });
  const error = await backend.connect(ctx, AbortSignal.timeout(60_000)).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof Error, `the connection fails once containerStart passed, got ${String(error)}`);
  // The engine creates the container about a second later; cssh must find it by its create token and remove it.
  let left = containersOf(ctx.info.connectionId);
  for (let i = 0; i < 40 && (left.length > 0 || i < 12); i++) {
    await sleep(500);
    left = containersOf(ctx.info.connectionId);
  }
  assert.deepEqual(left, [], 'no container of this connection is left');
});
