// Exec command lines: path commands run directly, shell syntax and bare names go whole to /bin/sh -c, nothing is cut.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execArgv, splitWords } from '../../src/backend/docker/programs/command-line.js';
import { DEFAULT_SHELL_ARGV, programArgv } from '../../src/backend/docker/programs/program-choice.js';
import { testConfig } from '../support/backend.js';

test('a path command with quoted words runs as its token list', () => {
  assert.deepEqual(execArgv('/bin/echo "Hello world!"'), ['/bin/sh', '-c', '/bin/echo "Hello world!"']);
  assert.deepEqual(execArgv(`/bin/echo 'a b' c`), ['/bin/echo', 'a b', 'c']);
  assert.deepEqual(execArgv('./run.sh --flag'), ['./run.sh', '--flag']);
  assert.deepEqual(execArgv('../x'), ['../x']);
});

test('shell syntax is never truncated: the whole line goes to sh -c', () => {
  for (const line of ['/bin/echo a; rm x', '/bin/echo a | wc', '/bin/echo $HOME', '/bin/ls *', '/bin/echo a > f', '/bin/true && /bin/false']) {
    assert.deepEqual(execArgv(line), ['/bin/sh', '-c', line]);
  }
});

test('bare command names, empty lines and unbalanced quotes run under sh -c', () => {
  assert.deepEqual(execArgv('echo hi'), ['/bin/sh', '-c', 'echo hi']);
  assert.deepEqual(execArgv(''), ['/bin/sh', '-c', '']);
  assert.deepEqual(execArgv('   '), ['/bin/sh', '-c', '   ']);
  assert.deepEqual(execArgv('/bin/echo "open'), ['/bin/sh', '-c', '/bin/echo "open']);
  assert.equal(splitWords('"open'), undefined);
  assert.deepEqual(splitWords(`a  "b c"'d'  ""`), ['a', 'b cd', '']);
});

test('the default shell prefers bash inside the container; a configured shell runs as given; unknown subsystems fail', () => {
  const execution = testConfig('connection').docker.execution;
  assert.deepEqual(programArgv({ kind: 'shell' }, execution), DEFAULT_SHELL_ARGV);
  assert.deepEqual(programArgv({ kind: 'shell' }, { ...execution, shellCommand: ['/bin/zsh', '-l'] }), ['/bin/zsh', '-l']);
  assert.deepEqual(programArgv({ kind: 'shell' }, { ...execution, shellCommand: [] }), [], 'empty = the image CMD (0.3)');
  assert.deepEqual(programArgv({ kind: 'subsystem', name: 'sftp' }, execution), ['/usr/lib/openssh/sftp-server']);
  assert.throws(() => programArgv({ kind: 'subsystem', name: 'nope' }, execution), { code: 'DOCKER_SUBSYSTEM_NOT_SUPPORTED', userMessage: 'subsystem not supported' });
});
