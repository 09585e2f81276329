// ssh -A through `cssh serve` in both modes: a program in the container lists the client's agent keys; refused by default.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { sshWithAgent, sshWithAgentBackground, testAgent } from './agent-helpers.js';
import { helpersOf } from './forwarding-helpers.js';
import { containersOfUser, eventually, ssh, startServer, uniqueUser, type ProductionServer } from './production-helpers.js';

/** In the container: where SSH_AUTH_SOCK points, the modes of the socket and its directory, then the agent's keys. */
const LIST_KEYS = 'echo "sock=${SSH_AUTH_SOCK:-none}"; ls -ld "$(dirname "$SSH_AUTH_SOCK")" "$SSH_AUTH_SOCK"; ssh-add -l; echo "rc=$?"';

async function agentServer(mode: 'connection' | 'session', agentForwardingMode?: string, user?: string): Promise<ProductionServer> {
  return startServer(
    {
      security: { forwarding: agentForwardingMode === undefined ? {} : { agentForwardingMode } },
      docker: { forwarding: { image: TEST_IMAGES.node }, ...(user === undefined ? {} : { execution: { container: { User: user } } }) },
    },
    { mode, image: TEST_IMAGES.sshTools },
  );
}

for (const mode of ['connection', 'session'] as const) {
  for (const containerUser of [undefined, '65534:65534']) {
    const who = containerUser === undefined ? 'root' : 'nobody';
    dockerTest(`${mode} mode, container user ${who}: ssh -A gives the program the client's agent keys; nothing is left`, async (t) => {
      const dir = await mkdtemp(join(tmpdir(), 'cssh-agent-'));
      const agent = await testAgent(dir);
      const server = await agentServer(mode, 'enable', containerUser);
      t.after(async () => {
        await server.stop();
        agent.process.kill();
        await rm(dir, { recursive: true, force: true });
      });
      const user = uniqueUser(`agent-${mode}-${who}`);
      const result = await sshWithAgent(server, user, agent.sock, ['-A'], LIST_KEYS);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /sock=\/tmp\/ssh-[^/]+\/agent\.\d+\n/, result.stdout);
      assert.match(result.stdout, /^drwx------ .*\n/m, 'the socket directory is private (0700)');
      assert.match(result.stdout, /^srw------- .*agent\.\d+\n/m, 'the socket is 0600');
      const owner = containerUser === undefined ? 'root' : 'nobody';
      assert.match(result.stdout, new RegExp(`^srw------- +\\d+ ${owner} `, 'm'), `the socket belongs to the container's user (${owner})`);
      assert.ok(result.stdout.includes(agent.fingerprint), `ssh-add -l inside lists the client's key ${agent.fingerprint}:\n${result.stdout}`);
      assert.match(result.stdout, /rc=0/);
      await eventually(() => server.srv.output().includes('FORWARDING_AGENT_STARTED'), 'the agent socket was logged');
      await eventually(() => containersOfUser(user).length === 0, 'no container or helper is left', 60_000);
      assert.deepEqual(helpersOf(user), []);
    });
  }

  dockerTest(`${mode} mode: ssh -A is refused by default; the program sees no SSH_AUTH_SOCK`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'cssh-agent-'));
    const agent = await testAgent(dir);
    const server = await agentServer(mode);
    t.after(async () => {
      await server.stop();
      agent.process.kill();
      await rm(dir, { recursive: true, force: true });
    });
    const user = uniqueUser(`agent-off-${mode}`);
    const result = await sshWithAgent(server, user, agent.sock, ['-A'], 'echo "sock=${SSH_AUTH_SOCK:-none}"; ssh-add -l; echo "rc=$?"');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /sock=none/);
    assert.match(result.stdout, /rc=2/, 'ssh-add finds no agent');
    assert.ok(!result.stdout.includes(agent.fingerprint));
    await eventually(() => server.srv.output().includes('SECURITY_AGENT_FORWARDING_REJECTED'), 'the refusal was logged');
    await eventually(() => containersOfUser(user).length === 0, 'no container is left', 60_000);
    assert.deepEqual(helpersOf(user), [], 'no helper was started');
  });
}

dockerTest('connection mode: each session has its own agent socket, removed when the session ends while the connection goes on', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-agent-'));
  const agent = await testAgent(dir);
  const server = await agentServer('connection', 'enable');
  t.after(async () => {
    await server.stop();
    agent.process.kill();
    await rm(dir, { recursive: true, force: true });
  });
  const user = uniqueUser('agent-mux');
  const control = join(dir, 'ctl');
  const mux = ['-o', `ControlPath=${control}`];
  // The master answers the agent channels, so it is the one that needs SSH_AUTH_SOCK.
  const master = sshWithAgentBackground(server, user, agent.sock, ['-A', '-N', '-o', 'ControlMaster=yes', ...mux]);
  t.after(() => master.child.kill('SIGKILL'));
  await eventually(async () => (await ssh(server, user, [], { flags: [...mux, '-O', 'check'] })).code === 0, 'master connected', 60_000);

  const first = await sshWithAgent(server, user, agent.sock, ['-A', ...mux], 'echo "sock=$SSH_AUTH_SOCK"; ssh-add -l');
  assert.ok(first.stdout.includes(agent.fingerprint), first.stdout + first.stderr);
  const sock = /sock=(\S+)/.exec(first.stdout)?.[1] ?? '';
  assert.match(sock, /^\/tmp\/ssh-/);
  // The same container serves the next session: the first session's socket and directory are gone.
  const dirOf = sock.replace(/\/[^/]+$/, '');
  await eventually(async () => {
    const check = await ssh(server, user, [`[ -e ${dirOf} ] && echo present || echo gone`], { flags: mux });
    return check.stdout.includes('gone');
  }, 'the agent socket directory was removed', 30_000);
  assert.equal(helpersOf(user).length, 1, 'the helper stays for the connection');

  master.child.kill('SIGTERM');
  await master.done;
  await eventually(() => containersOfUser(user).length === 0, 'no container or helper is left', 60_000);
});

dockerTest('connection mode: a read-only root file system gets its agent socket under /dev/shm; maxChannels counts agent connections', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-agent-'));
  const agent = await testAgent(dir);
  const server = await startServer(
    {
      security: { forwarding: { agentForwardingMode: 'enable', maxChannels: 0 } },
      docker: { forwarding: { image: TEST_IMAGES.node }, execution: { host: { ReadonlyRootfs: true } } },
    },
    { mode: 'connection', image: TEST_IMAGES.sshTools },
  );
  t.after(async () => {
    await server.stop();
    agent.process.kill();
    await rm(dir, { recursive: true, force: true });
  });
  const user = uniqueUser('agent-ro');
  const result = await sshWithAgent(server, user, agent.sock, ['-A'], 'echo "sock=$SSH_AUTH_SOCK"; ssh-add -l; echo "rc=$?"');
  assert.match(result.stdout, /sock=\/dev\/shm\/ssh-[^/]+\/agent\.\d+\n/, result.stdout + result.stderr);
  assert.ok(!result.stdout.includes(agent.fingerprint), 'maxChannels 0 leaves no room for an agent connection');
  assert.doesNotMatch(result.stdout, /rc=0/);
  await eventually(() => server.srv.output().includes('SECURITY_MAX_FORWARDED_CHANNELS'), 'the cap was logged');
  await eventually(() => containersOfUser(user).length === 0, 'no container or helper is left', 60_000);
});
