// ssh -L while the user's container is removed from outside mid-transfer: the forwarded connection and ssh both end.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { dockerTest } from '../support/docker.js';
import { forwardingServer, freePort } from './forwarding-helpers.js';
import { containersOfUser, eventually, sshBackground, uniqueUser } from './production-helpers.js';

/** A server on the container's port 8081 that sends zeros forever, then "ready" once it listens. */
const ZERO_SERVER =
  'nc -ll -p 8081 -e cat /dev/zero </dev/null >/dev/null 2>&1 & ' +
  "until grep -qs ':1F91 0*:0000 0A' /proc/net/tcp /proc/net/tcp6; do usleep 20000; done; echo ready; read x";

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`${mode} mode: a container removed from outside during an ssh -L download ends the forwarded connection and ssh; nothing is left`, async (t) => {
    const server = await forwardingServer(mode);
    t.after(() => server.stop());
    const user = uniqueUser(`fwd-rm-${mode}`);
    const port = await freePort();
    const run = sshBackground(server, user, [ZERO_SERVER], ['-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${port}:127.0.0.1:8081`]);
    t.after(() => run.child.kill('SIGKILL'));
    await eventually(() => run.output().includes('ready'), `zero server ready (${run.errors()})`, 60_000);

    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let received = 0;
    let removedAt = 0;
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (removedAt === 0 && received > 4 * 1024 * 1024) {
        removedAt = received;
        // The user's container and its forwarding helper, as an operator's `docker rm -f` of the user's containers would.
        execFileSync('docker', ['rm', '-f', ...containersOfUser(user)], { stdio: 'ignore' });
      }
    });
    await eventually(() => removedAt > 0, 'the download ran before the removal', 60_000);
    const closedInTime = await Promise.race([ended.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000))]);
    assert.ok(closedInTime, `the forwarded connection ended after its container was removed (${received} bytes, ${removedAt} at the removal)`);
    const result = await run.done;
    assert.equal(typeof result.code, 'number', 'ssh ended by itself (not by the test\'s hang guard)');
    assert.notEqual(result.code, 0, `ssh ends with a failure status once its container is gone (${result.stderr})`);
    await eventually(() => containersOfUser(user).length === 0, 'no container (and no helper) left', 60_000);
  }, { timeout: 180_000 });
}
