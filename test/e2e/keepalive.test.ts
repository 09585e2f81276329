// `cssh serve` keepalives seen by the real OpenSSH client: sent every ssh.clientAliveInterval, none at all with 0
// (not ssh2's implicit 15 s), and a client that stops answering is disconnected with SSH_KEEPALIVE_NORESP.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { startServe, type ServeHandle } from '../support/serve-harness.js';
import { eventually } from './production-helpers.js';

/** What OpenSSH's client logs at debug level 1 for each keepalive request the server sends. */
const KEEPALIVE_LINE = /client_input_global_request: rtype keepalive@openssh\.com/;

async function serve(interval: string): Promise<ServeHandle> {
  return startServe({ image: TEST_IMAGES.busybox, config: { ssh: { clientAliveInterval: interval, clientAliveCountMax: 2 } } });
}

/** A verbose `ssh host <command>`; resolves with its exit code and stderr (the debug log). */
async function verboseSsh(srv: ServeHandle, command: string): Promise<{ code: number | null; stderr: string }> {
  const result = await srv.ssh([command], { extra: ['-v'], timeoutMs: 90_000 });
  return { code: result.code, stderr: result.stderr };
}

/** A client frozen with SIGSTOP answers nothing: the server must drop it and remove its container. */
async function frozenClient(srv: ServeHandle): Promise<void> {
  const child = spawn('ssh', [...srv.sshArgs(), 'echo started; sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise((resolve) => child.on('close', resolve));
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  try {
    await eventually(() => out.includes('started'), 'the frozen client session started', 60_000);
    child.kill('SIGSTOP');
    await eventually(() => /SSH_KEEPALIVE_NORESP/.test(srv.output()), 'SSH_KEEPALIVE_NORESP logged', 60_000);
  } finally {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  }
  await eventually(() => srv.containers().length === 0, 'the frozen client container removed', 60_000);
}

async function withServer(interval: string, body: (srv: ServeHandle) => Promise<void>): Promise<void> {
  const srv = await serve(interval);
  let stopped: number | null = null;
  try {
    await body(srv);
  } finally {
    stopped = await srv.stop();
  }
  assert.equal(stopped, 0, srv.output().slice(-2000));
  assert.deepEqual(srv.containers(), []);
}

dockerTest('keepalives: sent every clientAliveInterval, none with 0, an unanswering client is dropped', async () => {
  const enabled = withServer('1s', async (srv) => {
    const { code, stderr } = await verboseSsh(srv, 'sleep 3');
    assert.equal(code, 0, stderr.slice(-2000));
    assert.match(stderr, KEEPALIVE_LINE, 'the client saw keepalive requests');
    await frozenClient(srv);
    assert.equal((await srv.ssh(['echo still-serving'])).stdout.toString(), 'still-serving\n');
  });
  // Longer than ssh2's implicit 15 s interval, so a keepalive would have shown up.
  const disabled = withServer('0s', async (srv) => {
    const { code, stderr } = await verboseSsh(srv, 'sleep 17');
    assert.equal(code, 0, stderr.slice(-2000));
    assert.match(stderr, /Sending command: sleep 17/, 'the debug log was captured');
    assert.doesNotMatch(stderr, KEEPALIVE_LINE);
  });
  for (const result of await Promise.allSettled([enabled, disabled])) if (result.status === 'rejected') throw result.reason;
}, { timeout: 300_000 });
