// A program's environment: the operator's variables win over the client's; SSH_ORIGINAL_COMMAND is cssh's, always set.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { programEnv } from '../../src/backend/docker/programs/program-env.js';

test('client variables the operator set are dropped; the others follow in order; SSH_ORIGINAL_COMMAND comes last', () => {
  const channel = new Map([['PATH', '/evil'], ['LANG', 'C'], ['TOKEN', 'mine'], ['TERM', 'xterm']]);
  const env = programEnv(['PATH=/usr/bin', 'TOKEN=from-webhook'], channel, { kind: 'exec', command: 'id -u' });
  assert.deepEqual(env, ['LANG=C', 'TERM=xterm', 'SSH_ORIGINAL_COMMAND=id -u']);
});

test('SSH_ORIGINAL_COMMAND: the value the security layer set, else the exec command, the subsystem name or empty', () => {
  assert.deepEqual(programEnv([], new Map(), { kind: 'shell' }), ['SSH_ORIGINAL_COMMAND=']);
  assert.deepEqual(programEnv([], new Map(), { kind: 'subsystem', name: 'sftp' }), ['SSH_ORIGINAL_COMMAND=sftp']);
  const forced = new Map([['SSH_ORIGINAL_COMMAND', 'ls']]);
  assert.deepEqual(programEnv(['SSH_ORIGINAL_COMMAND=operator'], forced, { kind: 'exec', command: '/bin/menu' }), ['SSH_ORIGINAL_COMMAND=ls']);
});
