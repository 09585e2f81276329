// Channel request replies leave in request order, whatever order the requests settle in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplyOrder } from '../../../src/ssh/reply-order.js';

test('a later request that settles first waits for the earlier reply; want-reply=false takes no place', () => {
  const sent: string[] = [];
  const order = new ReplyOrder();
  const reply = (name: string) => order.slot(() => sent.push(`${name}:ok`), () => sent.push(`${name}:fail`));
  const slow = reply('signal');
  order.slot(undefined, undefined)(true); // no reply wanted: nothing sent, nothing held
  const fast = reply('env');
  fast(false);
  assert.deepEqual(sent, []);
  slow(true);
  assert.deepEqual(sent, ['signal:ok', 'env:fail']);
  const now = reply('window-change');
  now(true);
  now(false); // settled once only
  assert.deepEqual(sent, ['signal:ok', 'env:fail', 'window-change:ok']);
});

test('a reply that throws (channel gone) does not stop the ones after it', () => {
  const sent: string[] = [];
  const order = new ReplyOrder();
  const first = order.slot(() => { throw new Error('closed'); }, undefined);
  const second = order.slot(() => sent.push('second'), undefined);
  second(true);
  first(true);
  assert.deepEqual(sent, ['second']);
});
