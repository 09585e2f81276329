// Engine faults with the real OpenSSH client: engine cut under running sessions and logins, containers killed from outside.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dockerTest } from '../support/docker.js';
import { startEngineProxy } from '../support/engine-proxy.js';
import { containersOf, startServe, type ServeHandle } from '../support/serve-harness.js';
import { spawnSsh, type SshProcess } from '../support/ssh-process.js';
import { eventually } from './production-helpers.js';

// Long enough for five logins at once on a busy 2-core machine; logins with the engine away fail far sooner.
const CONTAINER_START_MS = 20_000;

/** Waits until every client printed `up` (its program runs). */
async function allUp(clients: SshProcess[]): Promise<void> {
  await eventually(() => clients.every((c) => c.stdout().includes('up')), 'every program running', 60_000);
}

function forceRemove(ids: string[]): void {
  if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
}

dockerTest('engine cut: running sessions end with 137 and a message, logins fail fast, service and clean-up resume', async (t) => {
  const proxy = await startEngineProxy();
  const srv = await startServe({
    mode: 'connection',
    config: {
      docker: { connection: { host: proxy.url }, timeouts: { containerStart: `${CONTAINER_START_MS}ms`, containerStop: '5s' } },
      instance: { reconcileInterval: '1s', reconcileGrace: '0s' },
    },
  });
  t.after(async () => {
    await srv.stop();
    await proxy.close();
    forceRemove(containersOf(srv.instanceId));
  });

  const users = Array.from({ length: 5 }, () => spawnSsh([...srv.sshArgs(), 'echo up; sleep 600']));
  t.after(() => users.forEach((u) => u.child.kill('SIGKILL')));
  await allUp(users);
  assert.equal(containersOf(srv.instanceId).length, 5);

  await proxy.cut();
  // Their engine connections are gone: each session ends at once, with 137 and a line saying why.
  const ends = await Promise.all(users.map((u) => u.exited));
  for (const [i, end] of ends.entries()) {
    assert.equal(end.code, 137, `user ${i}: ${users[i]?.stderr()}`);
    assert.match(users[i]?.stderr() ?? '', /lost the connection to the container engine/);
  }
  // Logins while the engine is away fail within containerStart, and the server stays up.
  const tries = Array.from({ length: 5 }, () => spawnSsh([...srv.sshArgs(), 'echo in']));
  for (const attempt of tries) {
    const login = await attempt.exited;
    assert.notEqual(login.code, 0);
    assert.match(attempt.stderr(), /Failed to initialize SSH session/);
    assert.ok(login.ms < CONTAINER_START_MS, `a login took ${Math.round(login.ms)} ms with the engine away`);
  }
  assert.equal(srv.process.exitCode, null, 'the server is still running');
  assert.equal(containersOf(srv.instanceId).length, 5, 'the containers are still on the engine, out of reach');

  await proxy.restore();
  const again = spawnSsh([...srv.sshArgs(), 'echo back']);
  const back = await again.exited;
  assert.equal(back.code, 0, again.stderr());
  assert.equal(again.stdout(), 'back\n');
  // The removals that failed during the cut are done by the retry queue or the reconciler, without a restart.
  await eventually(() => containersOf(srv.instanceId).length === 0, 'no container of this instance left', 30_000);
  assert.match(srv.output(), /DOCKER_CONTAINER_REMOVE_FAILED/);
  assert.match(srv.output(), /DOCKER_ORPHAN_REMOVED|removed on retry/);
}, { timeout: 180_000 });

dockerTest('a slow engine delays logins but they still succeed within containerStart', async (t) => {
  const proxy = await startEngineProxy();
  const srv = await startServe({ mode: 'session', config: { docker: { connection: { host: proxy.url } } } });
  // One teardown in order: the server stops (and removes its containers) while the engine is still reachable.
  t.after(async () => {
    await srv.stop();
    await proxy.close();
    forceRemove(containersOf(srv.instanceId));
  });
  proxy.delay(300);
  const r = await srv.ssh(['echo', 'slow']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), 'slow\n');
  // The session's container is removed through the slow engine too.
  await eventually(() => containersOf(srv.instanceId).length === 0, 'the session container is removed', 30_000);
});

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`${mode} mode: a container killed from outside ends its session promptly with 137`, async (t) => {
    const srv: ServeHandle = await startServe({ mode });
    t.after(async () => {
      await srv.stop();
      forceRemove(containersOf(srv.instanceId));
    });
    const user = spawnSsh([...srv.sshArgs(), 'echo up; sleep 600']);
    t.after(() => user.child.kill('SIGKILL'));
    await allUp([user]);
    const [id] = containersOf(srv.instanceId);
    assert.ok(id !== undefined);
    const killedAt = performance.now();
    execFileSync('docker', ['kill', id], { stdio: 'ignore' });
    const end = await user.exited;
    assert.equal(end.code, 137, user.stderr());
    assert.ok(performance.now() - killedAt < 10_000, 'the client ended promptly');
    await eventually(() => containersOf(srv.instanceId).length === 0, 'the killed container is removed', 30_000);
  });
}

dockerTest('connection mode: a container removed from outside ends its session promptly with 137', async (t) => {
  const srv = await startServe({ mode: 'connection' });
  t.after(() => srv.stop());
  const user = spawnSsh([...srv.sshArgs(), 'echo up; sleep 600']);
  t.after(() => user.child.kill('SIGKILL'));
  await allUp([user]);
  const [id] = containersOf(srv.instanceId);
  assert.ok(id !== undefined);
  const removedAt = performance.now();
  execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
  const end = await user.exited;
  assert.equal(end.code, 137, user.stderr());
  assert.ok(performance.now() - removedAt < 10_000, 'the client ended promptly');
});
