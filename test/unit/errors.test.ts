// Unit tests for CsshError: codes, user messages and cause text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CsshError, describeCause, isCsshError } from '../../src/core/errors.js';

test('CsshError keeps its code, appends the cause and defaults the user message', () => {
  const err = new CsshError('DOCKER_CONTAINER_CREATE_FAILED', 'failed to create container', { cause: new Error('boom') });
  assert.equal(err.code, 'DOCKER_CONTAINER_CREATE_FAILED');
  assert.equal(err.message, 'failed to create container (boom)');
  assert.equal(err.userMessage, 'Internal Error');
  assert.equal(err.permanent, false);
  assert.ok(isCsshError(err));
  assert.ok(!isCsshError(new Error('x')));
});

test('describeCause handles strings, objects and errors', () => {
  assert.equal(describeCause('plain'), 'plain');
  assert.equal(describeCause({ a: 1 }), '{"a":1}');
  assert.equal(describeCause(new TypeError('t')), 't');
});
