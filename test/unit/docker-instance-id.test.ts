// The instance id: random, kept in the state directory per machine, held by one process at a time, overridable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquireInstanceId, INSTANCE_ID_FILE, INSTANCE_LOCK_FILE } from '../../src/backend/docker/lifecycle/instance-id.js';

const stateDir = (): string => join(mkdtempSync(join(tmpdir(), 'cssh-instance-')), 'state');

/** A pid that existed and has exited (its process is gone). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('a fresh state directory gets a random id, kept for the next start once released', async () => {
  const dir = stateDir();
  const first = await acquireInstanceId({ stateDir: dir });
  assert.equal(first.source, 'state');
  assert.match(first.id, /^[0-9a-f]{16}$/);
  assert.ok(existsSync(join(dir, INSTANCE_LOCK_FILE)));
  await first.release();
  assert.ok(!existsSync(join(dir, INSTANCE_LOCK_FILE)), 'release removes the lock');
  const second = await acquireInstanceId({ stateDir: dir });
  assert.equal(second.id, first.id);
  await second.release();
  assert.notEqual((await acquireInstanceId({ stateDir: stateDir() })).id, first.id, 'another state directory, another id');
});

test('a second process on the same state directory gets an id of its own while the first runs', async () => {
  const dir = stateDir();
  const first = await acquireInstanceId({ stateDir: dir });
  const second = await acquireInstanceId({ stateDir: dir, pid: process.pid + 1 });
  assert.equal(second.source, 'process');
  assert.notEqual(second.id, first.id);
  assert.match(second.note ?? '', /held by the running process/);
  await second.release();
  assert.ok(existsSync(join(dir, INSTANCE_LOCK_FILE)), 'the second process does not release the first one\'s lock');
  await first.release();
});

test('a lock left by a process that is gone (SIGKILL) is taken over: the restart keeps the id', async () => {
  const dir = stateDir();
  const first = await acquireInstanceId({ stateDir: dir });
  // As if the holder had been SIGKILLed: its lock names a pid that no longer exists.
  const lock = JSON.parse(readFileSync(join(dir, INSTANCE_LOCK_FILE), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, INSTANCE_LOCK_FILE), JSON.stringify({ ...lock, pid: deadPid() }));
  const restarted = await acquireInstanceId({ stateDir: dir });
  assert.equal(restarted.source, 'state');
  assert.equal(restarted.id, first.id);
  await restarted.release();
});

test('a lock naming this process\'s own pid (a restarted container, pid 1 again) is taken over: the id is kept', async () => {
  const dir = stateDir();
  const first = await acquireInstanceId({ stateDir: dir, pid: 1, isAlive: () => true });
  // The container is restarted: the lock file survived in the state volume, and the new server is pid 1 again.
  const restarted = await acquireInstanceId({ stateDir: dir, pid: 1, isAlive: () => true });
  assert.equal(restarted.source, 'state', restarted.note);
  assert.equal(restarted.id, first.id);
  const other = await acquireInstanceId({ stateDir: dir, pid: 2, isAlive: () => true });
  assert.equal(other.source, 'process', 'another live pid still finds the lock held');
  await restarted.release();
});

test('a lock written on another host (shared storage) is treated as held', async () => {
  const dir = stateDir();
  const first = await acquireInstanceId({ stateDir: dir, host: 'machine-a' });
  const other = await acquireInstanceId({ stateDir: dir, host: 'machine-a', isAlive: () => false });
  assert.equal(other.source, 'state', 'same host, dead holder: taken over');
  const elsewhere = await acquireInstanceId({ stateDir: dir, host: 'machine-b', isAlive: () => false });
  assert.equal(elsewhere.source, 'process');
  assert.notEqual(elsewhere.id, first.id);
  assert.match(elsewhere.note ?? '', /machine-a/);
});

test('an id file copied from another machine is replaced, so two machines never share an id', async () => {
  const dir = stateDir();
  const onA = await acquireInstanceId({ stateDir: dir, host: 'machine-a' });
  await onA.release();
  const onB = await acquireInstanceId({ stateDir: dir, host: 'machine-b' });
  assert.equal(onB.source, 'state');
  assert.notEqual(onB.id, onA.id);
  assert.match(onB.note ?? '', /made on host "machine-a"/);
  assert.equal((JSON.parse(readFileSync(join(dir, INSTANCE_ID_FILE), 'utf8')) as { host: string }).host, 'machine-b');
  await onB.release();
});

test('--instance and instance.id win, are checked, and touch no file', async () => {
  const dir = stateDir();
  const flagged = await acquireInstanceId({ stateDir: dir, override: { id: 'replica-1', source: 'flag' } });
  assert.deepEqual([flagged.id, flagged.source], ['replica-1', 'flag']);
  assert.ok(!existsSync(dir));
  await assert.rejects(acquireInstanceId({ stateDir: dir, override: { id: 'bad id!', source: 'config' } }), (error: Error) => {
    assert.match(error.message, /^instance\.id: "bad id!" is not a usable instance id; use 1 to 64 letters/);
    return true;
  });
});

test('many processes starting at once on one state directory: exactly one holds the persisted id', async () => {
  const dir = stateDir();
  const all = await Promise.all(Array.from({ length: 8 }, (_, i) => acquireInstanceId({ stateDir: dir, pid: process.pid + i, isAlive: () => true })));
  const holders = all.filter((x) => x.source === 'state');
  assert.equal(holders.length, 1);
  assert.equal(new Set(all.map((x) => x.id)).size, all.length, 'all ids differ');
});
