// no-more-sessions@openssh.com against the real SSH server glue and a real ssh2 client: a session opened before the
// request still opens even while the backend is slow to prepare it; a session opened after it is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type Client } from 'ssh2';
import type { ConnectionHandler, Program, SessionHandler } from '../../../src/core/contracts.js';
import { createNullLogger } from '../../../src/core/logger.js';
import type { SshConfig } from '../../../src/config/types.js';
import { testSshConfig } from '../../support/ssh-config.js';
import { loadHostKeys } from '../../../src/ssh/host-keys.js';
import { createSshServer } from '../../../src/ssh/server.js';

// ssh2's client, like OpenSSH's, sends the request only to "OpenSSH" servers
const sshConfig: SshConfig = testSshConfig({ serverVersion: 'SSH-2.0-OpenSSH_9.9', shutdownTimeout: 2000 });

/** Sessions whose exec prints "ran" and exits 0; each openSession waits until `gate` resolves. */
function slowHandler(gate: Promise<void>): ConnectionHandler {
  const session = (): SessionHandler => ({
    setEnv: () => undefined,
    requestPty: () => undefined,
    start: async (_req, io): Promise<Program> => {
      const exited = new Promise<{ code: number }>((resolve) => io.stdout.write('ran', () => resolve({ code: 0 })));
      return { exited, kill: () => undefined };
    },
    resize: async () => undefined,
    signal: async () => undefined,
    close: async () => undefined,
  });
  return { openSession: async () => (await gate, session()), shutdown: async () => undefined, close: async () => undefined };
}

function exec(client: Client, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(error);
      let out = '';
      channel.on('data', (chunk: Buffer) => (out += chunk.toString()));
      channel.on('close', () => resolve(out));
    });
  });
}

test('no-more-sessions: decided when a session open arrives, not when the delayed open is handled', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-nms-'));
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const server = createSshServer({
    ssh: sshConfig,
    hostKeys: (await loadHostKeys([], dir)).keys,
    authenticator: { methods: ['password'], password: async () => ({ success: true }), publicKey: async () => ({ success: false }), authorize: async () => ({ success: true }) },
    prepare: async () => slowHandler(gate),
    logger: createNullLogger(),
  });
  const { port } = await server.listen();
  const client = new ssh2.Client();
  try {
    await new Promise<void>((resolve, reject) => {
      client.on('ready', resolve).on('error', reject);
      client.connect({ host: '127.0.0.1', port, username: 'alice', password: 'x', readyTimeout: 10_000 });
    });
    const first = exec(client, 'first'); // its open waits on the gate
    await new Promise<void>((resolve, reject) => client.openssh_noMoreSessions((error) => (error ? reject(error) : resolve())));
    release(); // the server has handled the request by now; only then can the first open complete
    assert.equal(await first, 'ran');
    await assert.rejects(exec(client, 'second'), /No more sessions/);
  } finally {
    client.end();
    await server.shutdown(AbortSignal.timeout(500), 1000);
    await rm(dir, { recursive: true, force: true });
  }
});
