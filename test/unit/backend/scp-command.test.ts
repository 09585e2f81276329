// Which exec commands cssh recognises as the remote side of legacy scp, and how it reads their flags.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScpCommand } from '../../../src/backend/docker/scp/scp-command.js';
import { runsAsRoot } from '../../../src/backend/docker/scp/scp-program.js';

test('scp -t and -f with the flags OpenSSH sends are recognised', () => {
  assert.deepEqual(parseScpCommand('scp -t /tmp/x'), { direction: 'sink', recursive: false, preserveTimes: false, targetIsDirectory: false, paths: ['/tmp/x'] });
  assert.deepEqual(parseScpCommand('scp -r -p -d -t -- /data'), { direction: 'sink', recursive: true, preserveTimes: true, targetIsDirectory: true, paths: ['/data'] });
  assert.deepEqual(parseScpCommand('/usr/bin/scp -v -f "a file" b'), { direction: 'source', recursive: false, preserveTimes: false, targetIsDirectory: false, paths: ['a file', 'b'] });
  assert.equal(parseScpCommand('scp -rpt .')?.recursive, true);
  // Two targets (an unquoted space in the remote path) still reach the built-in, which answers as scp does.
  assert.deepEqual(parseScpCommand('scp -t /tmp/a b')?.paths, ['/tmp/a', 'b']);
});

test('anything else runs as an ordinary command', () => {
  for (const command of ['scp', 'scp -t', 'scp -t -f x', 'scp -X -t x', 'ls -t x', 'scp host:a b', 'echo scp -t x', "scp -t 'unbalanced"]) {
    assert.equal(parseScpCommand(command), undefined, command);
  }
});

test('the built-in scp is only used for containers that run as root', () => {
  for (const user of ['', 'root', '0', '0:0', 'root:wheel']) assert.equal(runsAsRoot(user), true, user);
  for (const user of ['1000', 'nobody', '1000:0', 'app:root']) assert.equal(runsAsRoot(user), false, user);
});
