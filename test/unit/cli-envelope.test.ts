// The CLI's pure pieces: the --json envelope, exec-test's 125/126/127 choice, the shared overrides, the exit-code map.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFailureExitCode } from '../../src/cli/exec-test-flow.js';
import { exitCodeForError, ExitCode } from '../../src/cli/exit-codes.js';
import { envelope, errorEnvelope } from '../../src/cli/json-envelope.js';
import { applyOverrides } from '../../src/cli/shared-flags.js';
import { defaultConfig } from '../../src/config/index.js';

test('the envelope keeps the command\'s fields, takes ok/exitCode from them when present, and adds a known fix', () => {
  assert.deepEqual(envelope('config validate', { valid: false, exitCode: 2, files: [] }, 2), { ok: false, command: 'config validate', exitCode: 2, valid: false, files: [] });
  assert.equal(envelope('image pull-check', { status: 'ready', exitCode: 0 }, 130).exitCode, 130, 'the process exit code wins (Ctrl-C)');
  assert.deepEqual(envelope('codes', { codes: [] }, 0), { ok: true, command: 'codes', exitCode: 0, codes: [] });
  const failed = envelope('exec-test', { ok: false, exitCode: 125, error: { code: 'DOCKER_UNAVAILABLE', message: 'no engine' } }, 125);
  assert.equal(failed.ok, false);
  assert.match(String((failed.error as { fix?: string }).fix), /Docker engine/);
  assert.deepEqual(envelope('x', { command: 'spoofed', ok: 'yes' }, 1), { ok: false, command: 'x', exitCode: 1 }, 'the head always wins');
  assert.deepEqual(errorEnvelope('sweep', 64, { code: 'USAGE', message: 'bad' }).error?.fix, 'run the command with --help for its flags and arguments');
});

test('exec-test tells "not found" (127) and "cannot run" (126) from its own failures (125) as docker run does', () => {
  assert.equal(startFailureExitCode('OCI runtime exec failed: exec: "nope": executable file not found in $PATH'), 127);
  assert.equal(startFailureExitCode('exec /x failed: No such file or directory'), 127);
  assert.equal(startFailureExitCode('exec /etc/passwd: permission denied'), 126);
  assert.equal(startFailureExitCode('container create failed: conflict'), 125);
});

test('one override function: --image, --mode and --listen win over the file, nothing else changes', () => {
  const base = defaultConfig();
  const out = applyOverrides(base, { image: 'alpine:3', mode: 'session', listen: '127.0.0.1:2022' });
  assert.equal(out.docker.execution.container.Image, 'alpine:3');
  assert.equal(out.docker.execution.mode, 'session');
  assert.equal(out.ssh.listen, '127.0.0.1:2022');
  assert.notEqual(base.docker.execution.container.Image, 'alpine:3', 'the input is not changed');
  assert.deepEqual(applyOverrides(base, {}), base);
});

test('error codes map to the table: invalid 1, unreadable or no engine 2, usage 64, anything else 3', () => {
  assert.equal(exitCodeForError('CONFIG_INVALID'), ExitCode.INVALID);
  assert.equal(exitCodeForError('CONFIG_UNREADABLE'), ExitCode.UNREADABLE);
  assert.equal(exitCodeForError('DOCKER_UNAVAILABLE'), ExitCode.UNREADABLE);
  assert.equal(exitCodeForError('USAGE'), 64);
  assert.equal(exitCodeForError('SSH_LISTEN_FAILED'), ExitCode.RUNTIME);
});
