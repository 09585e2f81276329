// ssh -J through cssh (its -W as a ProxyJump hop), and 64 MiB through ssh -L checked both ways in both modes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { echoThrough, freePort, helpersOf, sha } from './forwarding-helpers.js';
import { containersOfUser, eventually, startServer, sshBackground, uniqueUser } from './production-helpers.js';

/** Runs ssh with `args` to completion; resolves with its exit code, stdout and stderr. */
function runSsh(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('ssh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

dockerTest('connection mode: cssh is a ProxyJump hop (ssh -J): the jump\'s -W reaches a server the container can reach; nothing is left', async (t) => {
  // Host networking lets the user's container reach cssh itself on 127.0.0.1: the hop's target is cssh again.
  const server = await startServer(
    { security: { forwarding: { forwardingMode: 'enable' } }, docker: { forwarding: { image: TEST_IMAGES.node }, execution: { host: { NetworkMode: 'host' } } } },
    { mode: 'connection', image: TEST_IMAGES.busybox },
  );
  const dir = await mkdtemp(join(tmpdir(), 'cssh-jump-'));
  t.after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const jumper = uniqueUser('jump');
  const target = uniqueUser('jumped');
  // ProxyJump starts a second ssh for the hop; it reads the same config file, so the options live there.
  const config = join(dir, 'ssh_config');
  await writeFile(config, [
    'Host cssh-jump',
    '  HostName 127.0.0.1',
    `  Port ${server.port}`,
    `  User ${jumper}`,
    'Host *',
    `  IdentityFile ${server.srv.keyPath}`,
    '  IdentitiesOnly yes',
    '  StrictHostKeyChecking no',
    '  UserKnownHostsFile /dev/null',
    '  BatchMode yes',
    '  LogLevel ERROR',
  ].join('\n') + '\n');
  const result = await runSsh(['-F', config, '-J', 'cssh-jump', '-p', String(server.port), `${target}@127.0.0.1`, 'echo hop from $(hostname)']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^hop from \S+\n$/, 'the command ran on the far side of the hop');
  await eventually(() => containersOfUser(jumper).length === 0 && containersOfUser(target).length === 0 && helpersOf(jumper).length === 0,
    'no container or helper of either user left', 60_000);
}, { timeout: 180_000 });

/**
 * An echo server on port 8080 in the bash image left with no `nc` command: /bin/nc is removed and bash (which, unlike
 * busybox's shell, has no built-in applets) must not find one; the server is busybox's nc run from a private copy.
 * Nothing cssh does can lean on an `nc` in the image. A failed preparation prints PREP-FAILED and exits 3.
 */
const ECHO_WITHOUT_NC =
  "rm -f /bin/nc /usr/bin/nc && ! bash -c 'command -v nc' && mkdir -p /tmp/private && cp /bin/busybox /tmp/private/busybox " +
  '|| { echo PREP-FAILED; exit 3; }; /tmp/private/busybox nc -ll -p 8080 -e /bin/cat </dev/null >/dev/null 2>&1 & ' +
  "until grep -qs ':1F90 0*:0000 0A' /proc/net/tcp /proc/net/tcp6; do usleep 20000; done; echo ready; read x";

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`${mode} mode: ssh -L carries 64 MiB to a server on the container's loopback and back, the same sha256 both ways, in an image with no nc`, async (t) => {
    const server = await startServer(
      { security: { forwarding: { forwardingMode: 'enable' } }, docker: { forwarding: { image: TEST_IMAGES.node } } },
      { mode, image: TEST_IMAGES.bash },
    );
    t.after(() => server.stop());
    const user = uniqueUser(`fwd64-${mode.slice(0, 4)}`);
    const port = await freePort();
    const session = sshBackground(server, user, [ECHO_WITHOUT_NC], ['-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${port}:127.0.0.1:8080`]);
    t.after(() => session.child.kill('SIGKILL'));
    await eventually(() => /ready|PREP-FAILED/.test(session.output()), `echo server ready (${session.errors()})`, 60_000);
    assert.doesNotMatch(session.output(), /PREP-FAILED/, 'the image has no nc command');
    const data = randomBytes(64 * 1024 * 1024);
    const echoed = await echoThrough(port, data);
    assert.equal(echoed.length, data.length, 'every byte came back');
    assert.equal(sha(echoed), sha(data), '64 MiB went into the container and came back unaltered');
    session.child.stdin.end('\n');
    assert.equal((await session.done).code, 0);
    await eventually(() => containersOfUser(user).length === 0, 'no container (and no helper) left', 60_000);
  }, { timeout: 240_000 });
}
