// Unit tests of server-wide connection slots for serve --workers: the primary's ledger and a worker's requests to it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterSlotLedger, PrimarySlots } from '../../src/cluster/cluster-slots.js';
import type { FromWorker } from '../../src/cluster/protocol.js';
import { workerShareOfStartups } from '../../src/cluster/worker-share.js';
import { SlotLedger } from '../../src/security/connection-slots.js';
import type { SshConfig } from '../../src/config/types.js';

const caps = (maxConnections: number, maxConnectionsPerUser: number) => ({ maxConnections, maxConnectionsPerUser });

test('a slot ledger refuses at the total and per-user caps and counts what it gave back', () => {
  const ledger = new SlotLedger();
  assert.equal(ledger.take('a', caps(2, 1)), undefined);
  assert.equal(ledger.take('a', caps(2, 1)), 'user');
  assert.equal(ledger.take('b', caps(2, 1)), undefined);
  assert.equal(ledger.take('c', caps(2, 1)), 'total');
  assert.deepEqual(ledger.counts('a'), { total: 2, user: 1 });
  ledger.give('a');
  ledger.give('a');
  assert.deepEqual(ledger.counts('a'), { total: 1, user: 0 }, 'a second give of a user with no slot changes nothing');
  assert.equal(ledger.take('c', caps(-1, -1)), undefined);
});

test('the primary counts every worker together; a worker that ends gives back all it held', () => {
  const ledger = new ClusterSlotLedger();
  assert.equal(ledger.take(1, 'alice', caps(3, 2)), undefined);
  assert.equal(ledger.take(2, 'alice', caps(3, 2)), undefined);
  assert.equal(ledger.take(1, 'alice', caps(3, 2)), 'user', 'the cap holds across workers');
  assert.equal(ledger.take(2, 'bob', caps(3, 2)), undefined);
  assert.equal(ledger.take(1, 'carol', caps(3, 2)), 'total');
  ledger.give(1, 'bob');
  assert.equal(ledger.counts().total, 3, 'a worker cannot give back a slot another worker holds');
  ledger.drop(2);
  assert.deepEqual(ledger.counts('alice'), { total: 1, user: 1 });
  assert.equal(ledger.take(1, 'carol', caps(3, 2)), undefined);
});

test('a worker asks the primary only when a cap is set, and gives a granted slot back once', async () => {
  const sent: FromWorker[] = [];
  const slots = new PrimarySlots((message) => (sent.push(message), true));
  const free = await slots.take('alice', caps(-1, -1));
  assert.equal(typeof free, 'function');
  assert.equal(sent.length, 0, 'no request with both caps off');

  const pending = slots.take('alice', caps(5, 1));
  const request = sent[0];
  assert.ok(request?.t === 'slot-take');
  assert.deepEqual(request.limits, caps(5, 1));
  slots.answer(request.id, undefined);
  const release = await pending;
  assert.equal(typeof release, 'function');
  if (typeof release !== 'function') return;
  release();
  release();
  assert.deepEqual(sent.slice(1), [{ t: 'slot-give', username: 'alice' }]);

  const refused = slots.take('alice', caps(5, 1));
  const second = sent[2];
  assert.ok(second?.t === 'slot-take');
  slots.answer(second.id, 'user');
  assert.equal(await refused, 'user');
});

test('a worker whose primary is gone refuses at once with a code that says so', async () => {
  const slots = new PrimarySlots(() => false);
  await assert.rejects(slots.take('alice', caps(1, -1)), (error: Error & { code?: string }) => error.code === 'CLUSTER_SLOT_UNANSWERED');
});

test('each worker holds its share of the pre-auth limits, rounded up, never 0', () => {
  const ssh = { maxStartups: '64:30:256', perSourceMaxStartups: 32 } as SshConfig;
  assert.deepEqual(workerShareOfStartups(ssh, 4), { maxStartups: '16:30:64', perSourceMaxStartups: 8 });
  assert.deepEqual(workerShareOfStartups({ maxStartups: '3', perSourceMaxStartups: -1 } as SshConfig, 2), { maxStartups: '2:100:2', perSourceMaxStartups: -1 });
  assert.deepEqual(workerShareOfStartups({ maxStartups: '1:30:1', perSourceMaxStartups: 1 } as SshConfig, 8), { maxStartups: '1:30:1', perSourceMaxStartups: 1 });
});
