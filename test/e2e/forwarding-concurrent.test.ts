// Four OpenSSH clients at once through one `cssh serve`, in both modes, each with its own agent (ssh -A), an ssh -R of
// a Unix socket to that agent, and 16 MiB echoed through ssh -L: every client sees only its own key and its own bytes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { testAgent, type TestAgent } from './agent-helpers.js';
import { echoThrough, freePort, muxForward, sha, startMaster } from './forwarding-helpers.js';
import { containersOfUser, eventually, startServer, uniqueUser, type ProductionServer } from './production-helpers.js';

const CLIENTS = 4;
const MiB = 1024 * 1024;

/**
 * In the container: an echo server on port 8080, "ready" once it listens; after one input line, the keys of the
 * forwarded agent (SSH_AUTH_SOCK) and of the agent behind the -R socket /tmp/rfwd.sock (waited for, bounded).
 */
const PROGRAM =
  'nc -ll -p 8080 -e /bin/cat </dev/null >/dev/null 2>&1 & ' +
  "until grep -qs ':1F90 0*:0000 0A' /proc/net/tcp /proc/net/tcp6; do usleep 20000; done; echo ready; read x; " +
  'i=0; until [ -S /tmp/rfwd.sock ] || [ $i -ge 1200 ]; do usleep 50000; i=$((i+1)); done; ' +
  'keys=$(ssh-add -l 2>&1); echo "agent: sock=${SSH_AUTH_SOCK:-none} $keys rc=$?"; ' +
  'keys=$(SSH_AUTH_SOCK=/tmp/rfwd.sock ssh-add -l 2>&1); echo "socket: $keys rc=$?"';

/** The line of `output` that starts with `label`. */
const line = (output: string, label: string): string => output.split('\n').find((text) => text.startsWith(label)) ?? '';

/** One client's whole run: its session, the -R socket, 16 MiB through -L; resolves with what the container printed. */
async function oneClient(t: TestContext, server: ProductionServer, dir: string, user: string, agent: TestAgent): Promise<string> {
  const port = await freePort();
  // OpenSSH asks to forward an agent only when it holds an agent connection of its own (IdentityAgent).
  const { master, control } = await startMaster(t, server, user, dir, PROGRAM, [
    '-o', `IdentityAgent=${agent.sock}`, '-o', `ForwardAgent=${agent.sock}`,
    '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${port}:127.0.0.1:8080`,
  ]);
  const forward = await muxForward(server, user, control, 'forward', '-R', `/tmp/rfwd.sock:${agent.sock}`);
  assert.equal(forward.code, 0, `${user}: ${forward.stderr}`);
  const data = randomBytes(16 * MiB);
  const echoed = await echoThrough(port, data);
  assert.equal(echoed.length, data.length, `${user}: every byte came back through -L`);
  assert.equal(sha(echoed), sha(data), `${user}: the 16 MiB came back unaltered`);
  master.child.stdin.end('go\n');
  const result = await master.done;
  assert.equal(result.code, 0, `${user}: ${result.stderr}`);
  return result.stdout;
}

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`${mode} mode: ${CLIENTS} clients at once, each with ssh -A, an ssh -R socket and 16 MiB through ssh -L, see only their own agent and bytes`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'cssh-fwd4-'));
    const agents: TestAgent[] = [];
    for (let k = 0; k < CLIENTS; k++) {
      agents.push(await testAgent(await mkdtemp(join(dir, `a${k}-`))));
    }
    const server = await startServer(
      {
        security: { forwarding: { forwardingMode: 'enable', agentForwardingMode: 'enable', socketListenMode: 'enable' } },
        docker: { forwarding: { image: TEST_IMAGES.node } },
      },
      { mode, image: TEST_IMAGES.sshTools },
    );
    t.after(async () => {
      await server.stop();
      for (const agent of agents) agent.process.kill();
      await rm(dir, { recursive: true, force: true });
    });
    const users = agents.map((_, k) => uniqueUser(`fwd4-${mode.slice(0, 4)}-${k}`));
    const outputs = await Promise.all(agents.map((agent, k) => oneClient(t, server, dir, users[k] ?? '', agent)));

    outputs.forEach((output, k) => {
      const own = agents[k]?.fingerprint ?? '';
      const agentLine = line(output, 'agent: ');
      const socketLine = line(output, 'socket: ');
      assert.ok(agentLine.includes(own) && agentLine.endsWith('rc=0'), `client ${k}: ssh -A lists its own key (${output})`);
      assert.ok(socketLine.includes(own) && socketLine.endsWith('rc=0'), `client ${k}: the -R socket reaches its own agent (${output})`);
      for (const other of agents.filter((_, j) => j !== k)) {
        assert.ok(!output.includes(other.fingerprint), `client ${k} never sees another client's key`);
      }
    });
    await eventually(() => users.every((user) => containersOfUser(user).length === 0), 'no container or helper of any client is left', 60_000);
  }, { timeout: 240_000 });
}
