// Unix-socket and agent forwarding over a fake HelperEngine: who each exec runs as, the agent session's hook and close.
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { test } from 'node:test';
import type { RemoteListener, SessionHandler } from '../../src/core/contracts.js';
import { createNullLogger } from '../../src/core/logger.js';
import { AgentSession, type PreparableSession } from '../../src/forwarding/agent-session.js';
import { ContainerForwarding, inContainer } from '../../src/forwarding/container-forwarding.js';
import { helperHostConfig, RELAY_USER, type HelperEngine } from '../../src/forwarding/helper-engine.js';
import type { ContainerHook } from '../../src/backend/docker/lifecycle/session-handler.js';

/** Docker's multiplexed stdout frame around `payload`. */
function stdout(payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head[0] = 1;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

/** A relay frame (letter, 4-byte length, payload). */
function frame(type: string, payload = ''): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** An exec stream that answers `answer` on stdout, and ends when `end` is set (the owner probe ends at once). */
function execAnswering(answer: Buffer, end: boolean): Duplex {
  const stream = new Duplex({ read: () => undefined, write: (_c, _e, cb) => cb(), final: (cb) => cb() });
  stream.push(stdout(answer));
  if (end) stream.push(null);
  return stream;
}

class FakeEngine implements HelperEngine {
  execs: { cmd: string[]; user: string }[] = [];
  async ensureImage(): Promise<void> {}
  async labelsOf(): Promise<Record<string, string>> {
    return {};
  }
  async startHelper(): Promise<string> {
    return 'helper-1';
  }
  async exec(_id: string, cmd: string[], user: string): Promise<Duplex> {
    this.execs.push({ cmd, user });
    const kind = cmd.at(-1);
    if (cmd[2]?.includes('/proc/1/status') === true) return execAnswering(Buffer.from('1000:1001'), true);
    const listener = cmd.length === 6; // node -e script path|'' 0 kind; a relay has no kind
    if (listener && (kind === 'agent' || kind === 'unix')) return execAnswering(frame('L', kind === 'agent' ? '/tmp/ssh-abc/agent.7' : cmd[3] ?? ''), false);
    return execAnswering(frame('C'), false);
  }
  async remove(): Promise<void> {}
  untilStopped(_id: string, signal: AbortSignal): Promise<void> {
    return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
  }
}

const forwardingOver = (engine: FakeEngine): ContainerForwarding =>
  new ContainerForwarding({ engine, target: () => 'target-a', image: 'relay:1', node: 'node', setupMs: 5_000, logger: createNullLogger() });

test('TCP relays run as nobody; socket relays and listeners as the container\'s main process user, probed once', async () => {
  const engine = new FakeEngine();
  const forwarding = forwardingOver(engine);
  const signal = new AbortController().signal;
  await forwarding.dial({ host: "127.0.0.1", port: 80 }, signal);
  await forwarding.dialSocket("/run/app.sock", signal);
  const agent = await forwarding.listenAgent('target-a', signal);
  const socket = await forwarding.listenSocket('/tmp/x.sock', signal);
  assert.equal(agent.path, '/tmp/ssh-abc/agent.7');
  assert.equal(agent.port, 0);
  assert.equal(socket.path, '/tmp/x.sock');
  const users = engine.execs.map((e) => e.user);
  assert.deepEqual(users, [RELAY_USER, RELAY_USER, '1000:1001', '1000:1001', '1000:1001'], 'the probe runs once, as nobody');
  await forwarding.close();
  assert.deepEqual(['/../../etc/x.sock', '//a/./b/../c.sock', 'rel.sock'].map(inContainer), ['/etc/x.sock', '/a/c.sock', '/rel.sock'], 'no ".." reaches past /proc/1/root');
  const host = helperHostConfig('target-a');
  assert.deepEqual(host.CapDrop, ['ALL']);
  assert.deepEqual(host.CapAdd, ['SYS_PTRACE'], 'the only capability, for root relays reaching /proc/1/root');
  assert.equal(host.PidMode, 'container:target-a');
});

class FakeSession implements PreparableSession {
  hook: ContainerHook | undefined;
  closed = false;
  prepareContainer(hook: ContainerHook): void {
    this.hook = hook;
  }
  setEnv(): void {}
  requestPty(): void {}
  async start(): Promise<never> {
    throw new Error('not used');
  }
  async resize(): Promise<void> {}
  async signal(): Promise<void> {}
  async close(): Promise<void> {
    this.closed = true;
  }
}

function fakeListener(path: string): RemoteListener & { destroyed: () => boolean } {
  let destroyed = false;
  return {
    port: 0,
    path,
    listener: { on: () => undefined, stop: () => undefined, drop: () => undefined, destroy: () => void (destroyed = true) },
    claim: () => Promise.reject(new Error('not used')),
    destroyed: () => destroyed,
  };
}

test('agent session: the hook makes the socket and names it in SSH_AUTH_SOCK; close ends the listener; a failure only drops SSH_AUTH_SOCK', async () => {
  const inner = new FakeSession();
  const remote = fakeListener('/tmp/ssh-x/agent.3');
  const seen: RemoteListener[] = [];
  const session: SessionHandler = new AgentSession(inner, async (id) => (assert.equal(id, 'c1'), remote), createNullLogger());
  session.forwardAgent?.((listener) => seen.push(listener));
  assert.deepEqual(await inner.hook?.('c1', new AbortController().signal), ['SSH_AUTH_SOCK=/tmp/ssh-x/agent.3']);
  assert.deepEqual(seen, [remote]);
  await session.close();
  assert.ok(remote.destroyed() && inner.closed);

  const failing = new FakeSession();
  new AgentSession(failing, () => Promise.reject(new Error('read-only')), createNullLogger()).forwardAgent(() => assert.fail('no listener'));
  assert.deepEqual(await failing.hook?.('c2', new AbortController().signal), [], 'the program starts without SSH_AUTH_SOCK');
});
