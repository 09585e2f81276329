// Live connection ids across serve --workers: a worker reports first-tracked and last-released ids; the primary unites them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterLiveConnections, ReportingLiveConnections } from '../../src/cluster/cluster-live.js';

test('a worker reports an id once when it becomes live and once when its last holder releases it', () => {
  const reports: [string, boolean][] = [];
  const live = new ReportingLiveConnections((id, on) => reports.push([id, on]));
  const first = live.track('c1');
  const second = live.track('c1');
  first();
  first();
  assert.deepEqual(reports, [['c1', true]]);
  second();
  assert.deepEqual(reports, [['c1', true], ['c1', false]]);
  assert.equal(live.has('c1'), false);
});

test('the primary sees the union of its workers, and a worker that ends takes its ids with it', () => {
  const live = new ClusterLiveConnections();
  live.set(1, 'a', true);
  live.set(1, 'b', true);
  live.set(2, 'c', true);
  live.set(1, 'b', false);
  assert.equal(live.has('a'), true);
  assert.equal(live.has('b'), false);
  assert.equal(live.has('c'), true);
  assert.equal(live.has(undefined), false);
  assert.equal(live.size, 2);
  assert.deepEqual(live.drop(1), ['a']);
  assert.equal(live.has('a'), false);
  assert.deepEqual(live.drop(1), []);
  assert.equal(live.size, 1);
});
