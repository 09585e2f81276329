// What the user is told when a program's streams end badly: a broken engine connection, Docker's 126 for a failed
// exec attach, an exit code that cannot be read; and silence when nothing went wrong or the end was on purpose.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXEC_ATTACH_FAILED_CODE, streamEndNotice, type ExitState } from '../../src/backend/docker/programs/program-runner.js';

const exited = (code: number, runningAtEnd = false): ExitState => ({ code, known: true, expected: false, runningAtEnd });
const unknown = (expected: boolean, runningAtEnd: boolean): ExitState => ({ code: 137, known: false, expected, runningAtEnd });
const LOST = /^cssh: the connection to the Docker engine carrying this program's input and output closed before the program ended/;

test('a cut stream is a lost connection, whatever the exit code says', () => {
  for (const state of [exited(0), exited(137, true), unknown(false, true)]) {
    const notice = streamEndNotice('cut', state);
    assert.equal(notice?.lost, true);
    assert.match(notice?.line ?? '', LOST);
    assert.match(notice?.line ?? '', new RegExp(`exit status ${state.code} is not the program's own`));
  }
});

test('126 is Docker\'s failed attach when the program was still running as its output ended, or when the engine marked it', () => {
  assert.match(streamEndNotice('eof', exited(EXEC_ATTACH_FAILED_CODE, true))?.line ?? '', LOST);
  assert.match(streamEndNotice('eof', exited(EXEC_ATTACH_FAILED_CODE), true)?.line ?? '', LOST);
  // A program (or the shell: "Permission denied") that itself exits 126 after its output: nothing to add.
  assert.equal(streamEndNotice('eof', exited(EXEC_ATTACH_FAILED_CODE)), undefined);
  assert.equal(streamEndNotice('eof', exited(0)), undefined);
  assert.equal(streamEndNotice('eof', exited(137, true)), undefined);
});

test('an exit code that cannot be read is explained, unless the program was removed on purpose', () => {
  assert.match(streamEndNotice('eof', unknown(false, false))?.line ?? '', /exit status could not be read from the Docker engine; reporting 137/);
  const outlived = streamEndNotice('eof', unknown(false, true));
  assert.equal(outlived?.lost, true);
  assert.match(outlived?.line ?? '', /output ended but it was still running 60 s later/);
  assert.equal(streamEndNotice('eof', unknown(true, true)), undefined);
});
