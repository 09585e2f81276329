// `cssh serve`: /health stays live and /ready follows the Docker engine, which a socket proxy takes away and brings back.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest } from '../support/docker.js';
import { containersOfUser, dockerSocketProxy, eventually, ssh, startServer, uniqueUser } from './production-helpers.js';

async function status(address: string | undefined, path: string): Promise<number> {
  try {
    return (await fetch(`http://${address ?? ''}${path}`)).status;
  } catch {
    return 0;
  }
}

dockerTest('readiness fails while the Docker engine does not answer and recovers when it returns', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-ready-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const socket = join(dir, 'docker.sock');
  const engine = await dockerSocketProxy(socket);
  t.after(() => engine.down());
  const server = await startServer({
    docker: { connection: { host: `unix://${socket}` } },
    health: { enable: true, listen: '127.0.0.1:0' },
  });
  t.after(() => server.stop());
  const health = server.healthAddress;

  assert.equal(await status(health, '/health'), 200);
  assert.equal(await status(health, '/ready'), 200);
  const user = uniqueUser('prod-ready');
  assert.equal((await ssh(server, user, ['echo up'])).stdout, 'up\n', 'sessions run through the proxied engine');
  await eventually(() => containersOfUser(user).length === 0, 'first container removed before the engine goes');

  await engine.down();
  await eventually(async () => (await status(health, '/ready')) === 503, 'not ready without the engine');
  assert.equal(await status(health, '/health'), 200, 'still alive');

  await engine.up();
  await eventually(async () => (await status(health, '/ready')) === 200, 'ready again');
  assert.equal((await ssh(server, user, ['echo again'])).stdout, 'again\n');
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});
