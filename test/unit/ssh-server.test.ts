// The SSH server glue against a fake backend, driven by a real ssh2 client: exec, exit ordering, auth, refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { Backend, ConnectionHandler, Program, SessionHandler, SessionIO, StartRequest } from '../../src/core/contracts.js';
import { CsshError } from '../../src/core/errors.js';
import { createNullLogger } from '../../src/core/logger.js';
import type { SshConfig } from '../../src/config/types.js';
import { testSshConfig } from '../support/ssh-config.js';
import type { AuthOutcome, SshAuthenticator } from '../../src/ssh/auth-types.js';
import { generateEd25519KeyPair, loadHostKeys } from '../../src/ssh/host-keys.js';
import { createSshServer, type SshServer } from '../../src/ssh/server.js';

const sshConfig: SshConfig = testSshConfig({
  serverVersion: 'SSH-2.0-ContainerSSH',
  kex: ['curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256'],
  macs: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256'],
  shutdownTimeout: 2000,
});

/** A program the fake backend runs: `out N` writes N bytes then exits 3; `cat` echoes stdin; `err` writes stderr. */
function fakeProgram(req: StartRequest, io: SessionIO): Program {
  let kill = (): void => undefined;
  const exited = new Promise<{ code: number }>((resolve) => {
    const command = req.kind === 'exec' ? req.command : req.kind;
    kill = () => resolve({ code: 137 });
    if (command.startsWith('out ')) {
      const size = Number(command.slice(4));
      io.stdout.write(Buffer.alloc(size, 0x61), () => resolve({ code: 3 }));
    } else if (command === 'cat') {
      io.stdin.on('data', (chunk: Buffer) => io.stdout.write(chunk));
      io.stdin.on('end', () => io.stdout.write('', () => resolve({ code: 0 })));
    } else if (command === 'err') {
      io.stdout.write('to-out\n');
      io.stderr.write('to-err\n', () => resolve({ code: 0 }));
    }
  });
  return { exited, kill };
}

interface FakeState {
  calls?: string[];
  connects: number;
  closes: number;
  sessionsOpen: number;
  connectError?: Error;
  sessionError?: Error;
}

function fakeBackend(state: FakeState): Backend {
  return {
    async connect(): Promise<ConnectionHandler> {
      state.connects += 1;
      if (state.connectError) throw state.connectError;
      return {
        async openSession(): Promise<SessionHandler> {
          if (state.sessionError) throw state.sessionError;
          state.sessionsOpen += 1;
          const calls = state.calls ?? [];
          let program: Program | undefined;
          let onSignal = (): void => undefined;
          return {
            setEnv: (name, value) => void calls.push(`env ${name}=${value}`),
            requestPty: (pty) => void calls.push(`pty ${pty.term} ${pty.cols}x${pty.rows}`),
            start: async (req, io) => {
              calls.push(`start ${req.kind}`);
              if (req.kind === 'exec' && req.command === 'wait-signal') {
                const exited = new Promise<{ code: number }>((resolve) => (onSignal = () => resolve({ code: 0 })));
                program = { exited, kill: () => undefined };
                return program;
              }
              return fakeProgram(req, io);
            },
            resize: async (size) => void calls.push(`resize ${size.cols}x${size.rows}`),
            signal: async (name) => {
              calls.push(`signal ${name}`);
              onSignal();
            },
            close: async () => void calls.push('close'),
          };
        },
        shutdown: async () => undefined,
        close: async () => void (state.closes += 1),
      };
    },
  };
}

function authenticator(calls: string[]): SshAuthenticator {
  const yes: AuthOutcome = { success: true };
  return {
    methods: ['publickey', 'password'],
    password: async (req, password) => (calls.push(`password:${req.username}`), password.toString() === 'right' ? yes : { success: false }),
    publicKey: async (_req, line) => (calls.push(`publickey:${line.split(' ')[0]}`), yes),
    authorize: async () => yes,
  };
}

async function startServer(state: FakeState, calls: string[]): Promise<{ server: SshServer; port: number; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-ssh-'));
  const { keys } = await loadHostKeys([], dir);
  const backend = fakeBackend(state);
  const server = createSshServer({
    ssh: sshConfig,
    hostKeys: keys,
    authenticator: authenticator(calls),
    prepare: (info, logger, signal) => backend.connect({ info, config: {} as never, logger }, signal),
    logger: createNullLogger(),
  });
  const { port } = await server.listen();
  const cleanup = async (): Promise<void> => {
    await server.shutdown(AbortSignal.timeout(500), 1000);
    await rm(dir, { recursive: true, force: true });
  };
  return { server, port, cleanup };
}

function connect(port: number, auth: Partial<ConnectConfig>): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on('ready', () => resolve(client)).on('error', reject).on('close', () => reject(new Error('closed')));
    client.connect({ host: '127.0.0.1', port, username: 'alice', readyTimeout: 10_000, ...auth });
  });
}

function exec(client: Client, command: string, input?: string): Promise<{ out: Buffer; err: string; code?: number; order: string[] }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel: ClientChannel) => {
      if (error) return reject(error);
      const out: Buffer[] = [];
      let err = '';
      const order: string[] = [];
      let code: number | undefined;
      channel.on('data', (chunk: Buffer) => (out.push(chunk), order.push('data')));
      channel.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      channel.on('exit', (status: number) => ((code = status), order.push('exit')));
      channel.on('close', () => resolve({ out: Buffer.concat(out), err, code, order }));
      if (input !== undefined) channel.end(input);
    });
  });
}

test('exec: all output arrives before exactly one exit-status, stderr apart, stdin EOF half-closes', async () => {
  const state: FakeState = { connects: 0, closes: 0, sessionsOpen: 0 };
  const calls: string[] = [];
  const { port, cleanup } = await startServer(state, calls);
  try {
    const client = await connect(port, { password: 'right' });
    const big = await exec(client, `out ${5 * 1024 * 1024}`);
    assert.equal(big.out.length, 5 * 1024 * 1024);
    assert.equal(big.code, 3);
    assert.equal(big.order.filter((o) => o === 'exit').length, 1);
    assert.equal(big.order.at(-1), 'exit');
    const split = await exec(client, 'err');
    assert.deepEqual([split.out.toString(), split.err, split.code], ['to-out\n', 'to-err\n', 0]);
    const echoed = await exec(client, 'cat', 'hello');
    assert.deepEqual([echoed.out.toString(), echoed.code], ['hello', 0]);
    client.end();
    await waitFor(() => state.closes === 1);
    assert.equal(state.connects, 1);
  } finally {
    await cleanup();
  }
});

test('auth: wrong passwords never reach the backend and the 6th failure disconnects', async () => {
  const state: FakeState = { connects: 0, closes: 0, sessionsOpen: 0 };
  const calls: string[] = [];
  const { port, cleanup } = await startServer(state, calls);
  try {
    let attempts = 0;
    const refused = await connect(port, {
      authHandler: (_methods, _partial, next) => (++attempts <= 10 ? next({ type: 'password', username: 'alice', password: 'wrong' }) : next(false as never)),
    }).then(
      () => 'connected',
      (error: Error) => error.message,
    );
    assert.match(refused, /authentication methods failed|Connection lost|ECONNRESET|closed/i);
    assert.equal(calls.filter((c) => c.startsWith('password')).length, 6);
    assert.equal(state.connects, 0);
  } finally {
    await cleanup();
  }
});

test('auth: a public key is checked once per connection and its signature is verified', async () => {
  const state: FakeState = { connects: 0, closes: 0, sessionsOpen: 0 };
  const calls: string[] = [];
  const { port, cleanup } = await startServer(state, calls);
  try {
    const key = generateEd25519KeyPair();
    const client = await connect(port, { privateKey: key.private });
    assert.deepEqual(calls, ['publickey:ssh-ed25519']);
    assert.equal((await exec(client, 'out 3')).code, 3);
    client.end();
  } finally {
    await cleanup();
  }
});

test('a SECURITY_ refusal at connect is shown on stderr with exit status 1; a session cap is ResourceShortage', async () => {
  const state: FakeState = { connects: 0, closes: 0, sessionsOpen: 0 };
  state.connectError = new CsshError('SECURITY_MAX_CONNECTIONS', 'cap', { userMessage: 'Too many connections.' });
  const { port, cleanup } = await startServer(state, []);
  try {
    const client = await connect(port, { password: 'right' });
    const result = await exec(client, 'out 1');
    assert.deepEqual([result.err, result.code, result.out.length], ['Too many connections.\r\n', 1, 0]);
    client.end();
    state.connectError = undefined;
    state.sessionError = new CsshError('SECURITY_MAX_SESSIONS', 'cap', { userMessage: 'Too many sessions.' });
    const second = await connect(port, { password: 'right' });
    const failure = await exec(second, 'out 1').then(
      () => undefined,
      (error: Error & { reason?: number }) => error,
    );
    assert.equal(failure?.reason, 4);
    assert.match(failure?.message ?? '', /Too many sessions\./);
    const forward = await new Promise<Error & { reason?: number }>((resolve) =>
      second.forwardOut('127.0.0.1', 1, '127.0.0.1', 22, (error) => resolve(error as Error & { reason?: number })),
    );
    assert.equal(forward.reason, 1);
    second.end();
  } finally {
    await cleanup();
  }
});

test('env, pty-req, window-change and signal reach the session handler in order', async () => {
  const calls: string[] = [];
  const state: FakeState = { connects: 0, closes: 0, sessionsOpen: 0, calls };
  const { port, cleanup } = await startServer(state, []);
  try {
    const client = await connect(port, { password: 'right' });
    const code = await new Promise<number | undefined>((resolve, reject) => {
      client.exec('wait-signal', { env: { LANG: 'C' }, pty: { term: 'xterm', cols: 80, rows: 25 } }, (error, channel) => {
        if (error) return reject(error);
        let status: number | undefined;
        channel.on('exit', (value: number) => (status = value));
        channel.on('close', () => resolve(status));
        channel.on('data', () => undefined);
        // Sent as soon as the exec was accepted: the server keeps their order behind the program's start.
        channel.setWindow(30, 120, 0, 0);
        channel.signal('USR1');
      });
    });
    assert.equal(code, 0);
    await waitFor(() => calls.includes('close'));
    assert.deepEqual(calls, ['env LANG=C', 'pty xterm 80x25', 'start exec', 'resize 120x30', 'signal USR1', 'close']);
    client.end();
  } finally {
    await cleanup();
  }
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.ok(check(), 'condition not reached');
}
