// Unix socket forwarding through `cssh serve` in both modes: ssh -L to a socket in the container, ssh -R of a socket.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { testAgent } from './agent-helpers.js';
import { helpersOf, muxForward, startMaster } from './forwarding-helpers.js';
import { containersOfUser, eventually, sshBackground, startServer, uniqueUser, type ProductionServer } from './production-helpers.js';

function socketServer(mode: 'connection' | 'session', forwarding: Record<string, unknown>): Promise<ProductionServer> {
  return startServer(
    { security: { forwarding }, docker: { forwarding: { image: TEST_IMAGES.node } } },
    { mode, image: TEST_IMAGES.sshTools },
  );
}

/** Lists the keys of the agent on `sock` from the test host: ssh-add's output and exit status (1: no keys, 2: no agent) or signal. */
function hostList(sock: string): string {
  const run = spawnSync('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: sock }, encoding: 'utf8', timeout: 30_000 });
  return `${run.stdout}${run.stderr}rc=${String(run.status ?? run.signal)}`;
}

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`${mode} mode: ssh -L local.sock:/path reaches an ssh-agent listening on a Unix socket inside the container`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'cssh-sock-'));
    const agent = await testAgent(dir);
    const server = await socketServer(mode, { socketForwardingMode: 'enable' });
    t.after(async () => {
      await server.stop();
      agent.process.kill();
      await rm(dir, { recursive: true, force: true });
    });
    const user = uniqueUser(`sockl-${mode}`);
    const local = join(dir, 'forwarded.sock');
    // The container runs its own ssh-agent on /tmp/in/agent.sock; after one input line it lists that agent's keys.
    const master = sshBackground(server, user, [
      'mkdir /tmp/in && ssh-agent -a /tmp/in/agent.sock >/dev/null && echo ready; read x; SSH_AUTH_SOCK=/tmp/in/agent.sock ssh-add -l; echo "rc=$?"',
    ], ['-o', 'ExitOnForwardFailure=yes', '-L', `${local}:/tmp/in/agent.sock`]);
    t.after(() => master.child.kill('SIGKILL'));
    await eventually(() => master.output().includes('ready') && existsSync(local), `container agent ready (${master.errors()})`, 60_000);

    assert.match(hostList(local), /no identities.*rc=1/s, 'the forwarded socket reaches the container\'s (empty) agent');
    execFileSync('ssh-add', ['-q', agent.key], { env: { ...process.env, SSH_AUTH_SOCK: local }, stdio: 'ignore' });
    assert.ok(hostList(local).includes(agent.fingerprint), 'the key was added through the forwarded socket');
    assert.equal(helpersOf(user).length, 1, 'one helper serves the socket connections');

    master.child.stdin.end('go\n');
    const result = await master.done;
    assert.ok(result.stdout.includes(agent.fingerprint), `the container's agent holds the key now:\n${result.stdout}${result.stderr}`);
    await eventually(() => containersOfUser(user).length === 0, 'no container or helper is left', 60_000);
  });

  dockerTest(`${mode} mode: ssh -R /path:local.sock makes a socket inside the container that reaches the client's agent`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'cssh-sock-'));
    const agent = await testAgent(dir);
    const server = await socketServer(mode, { socketListenMode: 'enable' });
    t.after(async () => {
      await server.stop();
      agent.process.kill();
      await rm(dir, { recursive: true, force: true });
    });
    const user = uniqueUser(`sockr-${mode}`);
    // The program waits (bounded) for the forwarded socket to appear, shows its mode, then lists the keys behind it.
    const { master, control } = await startMaster(t, server, user, dir,
      'echo ready; i=0; until [ -S /tmp/rfwd.sock ] || [ $i -ge 1200 ]; do usleep 50000; i=$((i+1)); done; ' +
        'ls -l /tmp/rfwd.sock; SSH_AUTH_SOCK=/tmp/rfwd.sock ssh-add -l; echo "rc=$?"; read x');
    const forward = await muxForward(server, user, control, 'forward', '-R', `/tmp/rfwd.sock:${agent.sock}`);
    assert.equal(forward.code, 0, forward.stderr);
    await eventually(() => master.output().includes('rc='), `the program listed keys (${master.output()})`, 60_000);
    assert.match(master.output(), /^srw------- /m, 'the socket is 0600');
    assert.ok(master.output().includes(agent.fingerprint), `the client's key is listed inside:\n${master.output()}`);
    assert.match(master.output(), /rc=0/);
    await eventually(() => server.srv.output().includes('FORWARDING_LISTENER_STARTED'), 'the listener was logged');

    master.child.stdin.end('done\n');
    await master.done;
    await eventually(() => containersOfUser(user).length === 0, 'no container or helper is left', 60_000);
    assert.deepEqual(helpersOf(user), []);
  });

  dockerTest(`${mode} mode: Unix socket forwarding is refused by default, both ways`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'cssh-sock-'));
    const agent = await testAgent(dir);
    const server = await socketServer(mode, {});
    t.after(async () => {
      await server.stop();
      agent.process.kill();
      await rm(dir, { recursive: true, force: true });
    });
    const user = uniqueUser(`sockoff-${mode}`);
    const local = join(dir, 'forwarded.sock');
    const master = sshBackground(server, user, ['echo ready; read x'], [
      '-o', 'LogLevel=INFO', '-L', `${local}:/tmp/any.sock`, '-R', `/tmp/rfwd.sock:${agent.sock}`,
    ]);
    t.after(() => master.child.kill('SIGKILL'));
    await eventually(() => master.output().includes('ready') && existsSync(local), `session ready (${master.errors()})`, 60_000);
    // The client closes its end at once: ssh-add reads EOF, or is killed by SIGPIPE when its request comes later.
    assert.match(hostList(local), /communication with agent failed|rc=SIGPIPE/, 'the forwarded socket is closed at once: no agent behind it');
    await eventually(() => master.errors().includes('administratively prohibited'), `OpenSSH shows the refusal (${master.errors()})`);
    await eventually(() => /remote port forwarding failed|forwarding failed/i.test(master.errors()), `OpenSSH reports the refused -R (${master.errors()})`);
    await eventually(() => server.srv.output().includes('SECURITY_SOCKET_FORWARDING_REJECTED') && server.srv.output().includes('SECURITY_SOCKET_LISTEN_REJECTED'), 'both refusals were logged');
    master.child.stdin.end('done\n');
    await master.done;
    await eventually(() => containersOfUser(user).length === 0, 'no container is left', 60_000);
    assert.deepEqual(helpersOf(user), [], 'no helper was started');
  });
}
