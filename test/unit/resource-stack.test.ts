// ResourceStack closes what was opened, in reverse, once, even when a closer throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResourceStack } from '../../src/core/resource-stack.js';

test('closeAll runs closers in reverse order, each once, past a throwing one', async () => {
  const stack = new ResourceStack();
  const closed: string[] = [];
  const errors: string[] = [];
  assert.equal(stack.push('a', 1, () => { closed.push('a'); }), 1);
  stack.push('b', 2, () => { throw new Error('b broke'); });
  stack.push('c', 3, async () => { await Promise.resolve(); closed.push('c'); });
  await stack.closeAll((name, error) => errors.push(`${name}: ${(error as Error).message}`));
  assert.deepEqual(closed, ['c', 'a']);
  assert.deepEqual(errors, ['b: b broke']);
  await stack.closeAll();
  assert.deepEqual(closed, ['c', 'a'], 'a second closeAll closes nothing again');
});
