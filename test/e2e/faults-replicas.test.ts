// Two replicas on one engine, with identical config files and state directory paths (the second in its own mount
// namespace, as on a second machine): starting, stopping and SIGKILLing one never touches the other's sessions.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { containersOf, makeClientKey, startServe, type ServeHandle } from '../support/serve-harness.js';
import { spawnSsh, type SshProcess } from '../support/ssh-process.js';
import { eventually } from './production-helpers.js';

/** Whether this process may make mount namespaces (root, util-linux unshare). */
function canUnshare(): boolean {
  return spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' }).status === 0;
}

dockerTest('replicas with identical config and state directory paths never touch each other\'s containers', async (t: TestContext) => {
  if (!canUnshare()) {
    if (process.env.CI === 'true') throw new Error('CI=true: this test needs root and unshare(1) to give the second replica its own mount namespace');
    t.skip('needs root and unshare(1) for a second mount namespace');
    return;
  }
  const base = mkdtempSync(join(tmpdir(), 'cssh-replicas-'));
  const statePath = join(base, 'state'); // the same path for both; the second sees its own directory there
  const machineB = join(base, 'machine-b-state');
  mkdirSync(statePath);
  mkdirSync(machineB);
  const { keyPath, publicKey } = makeClientKey(base);
  writeFileSync(join(base, 'authorized_keys'), publicKey + '\n');
  // One config text for both: same listen address, same everything.
  const configText = [
    'ssh: { listen: "127.0.0.1:0", shutdownTimeout: 10s }',
    'log: { level: debug }',
    `auth: { publicKey: { method: authorizedkeys, authorizedKeys: { path: "${join(base, 'authorized_keys')}" } } }`,
    `docker: { execution: { container: { image: "${TEST_IMAGES.sftp}" }, host: { NetworkMode: none }, imagePullPolicy: Never } }`,
    'instance: { reconcileInterval: 1s, reconcileGrace: 0s }',
    '',
  ].join('\n');
  const onMachineB = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" "$2" && shift 2 && exec "$@"', 'sh', machineB, statePath];
  const startA = (): Promise<ServeHandle> => startServe({ configText, stateDir: statePath });
  const startB = (): Promise<ServeHandle> => startServe({ configText, stateDir: statePath, prefix: onMachineB });
  const servers: ServeHandle[] = [];
  const clients: SshProcess[] = [];
  t.after(async () => {
    clients.forEach((c) => c.child.kill('SIGKILL'));
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    const left = servers.flatMap((s) => containersOf(s.instanceId));
    if (left.length > 0) execFileSync('docker', ['rm', '-f', ...new Set(left)], { stdio: 'ignore' });
  });
  const track = (s: ServeHandle): ServeHandle => (servers.push(s), s);
  const user = (s: ServeHandle): SshProcess => {
    const c = spawnSsh(['-i', keyPath, ...s.sshArgs(), 'echo up; while read line; do echo "got $line"; done']);
    clients.push(c);
    return c;
  };

  const a = track(await startA());
  let b = track(await startB());
  assert.notEqual(a.instanceId, b.instanceId, 'each replica has its own instance id');
  const aUsers = [user(a), user(a)];
  await eventually(() => aUsers.every((u) => u.stdout().includes('up')), 'A\'s sessions running', 60_000);
  const aContainers = containersOf(a.instanceId).sort();
  assert.equal(aContainers.length, 2);
  const aliveOnA = async (round: string): Promise<void> => {
    aUsers.forEach((u) => u.send(round));
    await eventually(() => aUsers.every((u) => u.stdout().includes(`got ${round}`)), `A's sessions answer (${round})`);
    assert.deepEqual(containersOf(a.instanceId).sort(), aContainers);
  };

  // B's reconciler runs every second: passes made while A's sessions run must leave them alone.
  const passes = (s: ServeHandle): number => s.output().match(/DOCKER_RECONCILE"/g)?.length ?? 0;
  const seen = passes(b);
  await eventually(() => passes(b) >= seen + 2, 'two reconciler passes of B');
  const bUser = user(b);
  await eventually(() => bUser.stdout().includes('up'), 'B\'s session running', 60_000);
  assert.equal(containersOf(b.instanceId).length, 1);
  await aliveOnA('after-b-start');

  // Stopping B (its shutdown sweep) ends B's session and removes B's container only.
  assert.equal(await b.stop('SIGTERM'), 0);
  await bUser.exited;
  assert.deepEqual(containersOf(b.instanceId), []);
  await aliveOnA('after-b-stop');

  // B again, on its own state directory: the same id as before (persisted), and A still untouched.
  const bId = b.instanceId;
  b = track(await startB());
  assert.equal(b.instanceId, bId, 'B keeps its id across restarts');
  const bUser2 = user(b);
  await eventually(() => bUser2.stdout().includes('up'), 'B\'s second session running', 60_000);

  // SIGKILL B: its container is left behind; A is untouched; B's next start removes its own leftover only.
  await b.stop('SIGKILL');
  await bUser2.exited;
  assert.equal(containersOf(bId).length, 1, 'a SIGKILLed replica leaves its container');
  await aliveOnA('after-b-kill');
  b = track(await startB());
  assert.equal(b.instanceId, bId);
  assert.match(b.output(), /removed 1 container\(s\) left by an earlier run/);
  assert.deepEqual(containersOf(bId), []);
  await aliveOnA('after-b-restart');
  assert.equal(await b.stop('SIGTERM'), 0);
  await aliveOnA('end');
}, { timeout: 240_000 });
