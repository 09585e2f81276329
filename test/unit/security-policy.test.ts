// Unit tests of the security layer's policy, forceCommand, session cap and connection caps, over fakes of cssh's contracts.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { AppConfig, SecurityConfig, SecurityItem } from '../../src/config/types.js';
import type {
  Backend,
  ConnectionContext,
  ConnectionHandler,
  Program,
  SessionHandler,
  StartRequest,
} from '../../src/core/contracts.js';
import { CsshError } from '../../src/core/errors.js';
import type { CsshEvent } from '../../src/core/events.js';
import type { Logger } from '../../src/core/logger.js';
import { applySecurity, forwardingRefusal } from '../../src/security/index.js';

const item = (mode: SecurityItem['mode'] = '', allow: string[] = [], deny: string[] = []): SecurityItem => ({ mode, allow, deny });

function security(overrides: Partial<SecurityConfig> = {}): SecurityConfig {
  return {
    defaultMode: '',
    forceCommand: '',
    maxSessions: -1,
    maxEnvRequests: -1,
    maxEnvBytes: -1,
    maxPendingSignals: -1,
    env: item(),
    command: item(),
    shell: item(),
    subsystem: item(),
    tty: item(),
    signal: item(),
    maxConnections: -1,
    maxConnectionsPerUser: -1,
    idleTimeout: 0,
    maxSessionDuration: 0,
    timeoutWarning: { message: 'Closing ({reason}).', leadTime: 0 },
    terminateGracePeriod: 10_000,
    forwarding: {
      forwardingMode: 'disable',
      forwardingAllow: [],
      maxChannels: 32,
      reverseForwardingAllow: [],
      maxListeners: 8,
      reverseForwardingMode: 'disable',
      socketForwardingMode: 'disable',
      socketListenMode: 'disable',
      x11ForwardingMode: 'disable',
      agentForwardingMode: 'disable',
    },
    ...overrides,
  };
}

/** Records every call the security layer lets through to the backend. */
class Recorder {
  env: [string, string][] = [];
  pty = 0;
  starts: StartRequest[] = [];
  signals: string[] = [];
  sessionsClosed = 0;
  connectionsClosed = 0;
  logged: string[] = [];
  events: CsshEvent[] = [];
  /** While set, the backend's signal() waits for it (a delivery in flight). */
  signalGate: Promise<void> | undefined;
}

function recordingLogger(rec: Recorder): Logger {
  const log = (code: string): void => void rec.logged.push(code);
  const logger: Logger = {
    log: (_level, code) => log(code),
    debug: log,
    info: log,
    notice: log,
    warning: log,
    error: log,
    child: () => logger,
  };
  return logger;
}

function fakeSession(rec: Recorder): SessionHandler {
  return {
    setEnv: (name, value) => void rec.env.push([name, value]),
    requestPty: () => void rec.pty++,
    start: async (req): Promise<Program> => {
      rec.starts.push(req);
      return { exited: Promise.resolve({ code: 0 }), kill: () => undefined };
    },
    resize: async () => undefined,
    signal: async (name) => {
      rec.signals.push(name);
      await rec.signalGate;
    },
    close: async () => void rec.sessionsClosed++,
  };
}

function fakeBackend(rec: Recorder, failConnect = false): Backend {
  return {
    connect: async (): Promise<ConnectionHandler> => {
      if (failConnect) throw new CsshError('DOCKER_CONTAINER_START_FAILED', 'no engine');
      return {
        openSession: async () => fakeSession(rec),
        shutdown: async () => undefined,
        close: async () => void rec.connectionsClosed++,
      };
    },
  };
}

function context(rec: Recorder, sec: SecurityConfig, username = 'alice'): ConnectionContext {
  return {
    info: {
      connectionId: '0123456789abcdef0123456789abcdef',
      remoteAddress: '127.0.0.1:40000',
      clientVersion: 'SSH-2.0-test',
      username,
      metadata: {},
      environment: {},
      files: {},
    },
    config: { security: sec } as unknown as AppConfig,
    logger: recordingLogger(rec),
  };
}

async function session(sec: SecurityConfig, rec = new Recorder()): Promise<{ s: SessionHandler; rec: Recorder }> {
  const backend = applySecurity(fakeBackend(rec), { logger: recordingLogger(rec), onEvent: (e) => rec.events.push(e) });
  const conn = await backend.connect(context(rec, sec), new AbortController().signal);
  return { s: await conn.openSession({ channelId: 1 }), rec };
}

const io = () => ({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() });
const never = new AbortController().signal;

function refusedWith(code: string, userMessage: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof CsshError, `expected a CsshError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.userMessage, userMessage);
    return true;
  };
}

test('an unconfigured policy lets every request through', async () => {
  const { s, rec } = await session(security());
  s.setEnv('FOO', 'bar');
  s.requestPty({ term: 'xterm', cols: 80, rows: 24 });
  await s.start({ kind: 'exec', command: 'echo hi' }, io(), never);
  await s.signal('USR1');
  assert.deepEqual(rec.env, [['FOO', 'bar'], ['SSH_ORIGINAL_COMMAND', 'echo hi']]);
  assert.equal(rec.pty, 1);
  assert.deepEqual(rec.starts, [{ kind: 'exec', command: 'echo hi' }]);
  assert.deepEqual(rec.signals, ['USR1']);
  assert.deepEqual(rec.events, []);
});

test('env: disable refuses, filter needs allow, enable refuses deny; refusals are logged and counted', async () => {
  const disabled = await session(security({ env: item('disable') }));
  assert.throws(() => disabled.s.setEnv('FOO', 'x'), refusedWith('SECURITY_ENV_REJECTED', 'Environment variable setting rejected.'));
  assert.deepEqual(disabled.rec.env, []);
  assert.ok(disabled.rec.logged.includes('SECURITY_ENV_REJECTED'));
  assert.deepEqual(disabled.rec.events, [{ type: 'policy-refusal', code: 'SECURITY_ENV_REJECTED' }]);

  const filtered = await session(security({ env: item('filter', ['LANG']) }));
  filtered.s.setEnv('LANG', 'C');
  assert.throws(() => filtered.s.setEnv('FOO', 'x'), refusedWith('SECURITY_ENV_REJECTED', 'Environment variable setting rejected.'));
  assert.deepEqual(filtered.rec.env, [['LANG', 'C']]);

  const enabled = await session(security({ env: item('enable', [], ['LD_PRELOAD']) }));
  enabled.s.setEnv('FOO', 'x');
  assert.throws(() => enabled.s.setEnv('LD_PRELOAD', 'x'), refusedWith('SECURITY_ENV_REJECTED', 'Environment variable setting rejected.'));
  assert.deepEqual(enabled.rec.env, [['FOO', 'x']]);
});

test('command: filter needs an exact match of the whole command; disable refuses', async () => {
  const filtered = await session(security({ command: item('filter', ['uptime']) }));
  await filtered.s.start({ kind: 'exec', command: 'uptime' }, io(), never);
  await assert.rejects(
    filtered.s.start({ kind: 'exec', command: 'uptime; rm -rf /' }, io(), never),
    refusedWith('SECURITY_EXEC_REJECTED', 'Command execution disabled.'),
  );
  assert.deepEqual(filtered.rec.starts, [{ kind: 'exec', command: 'uptime' }]);

  const disabled = await session(security({ command: item('disable') }));
  await assert.rejects(disabled.s.start({ kind: 'exec', command: 'true' }, io(), never), refusedWith('SECURITY_EXEC_REJECTED', 'Command execution disabled.'));
  await disabled.s.start({ kind: 'shell' }, io(), never);
  assert.deepEqual(disabled.rec.starts, [{ kind: 'shell' }]);
});

test('shell and tty: filter means disable', async () => {
  const { s, rec } = await session(security({ shell: item('filter'), tty: item('filter') }));
  await assert.rejects(s.start({ kind: 'shell' }, io(), never), refusedWith('SECURITY_SHELL_REJECTED', 'Shell execution disabled.'));
  assert.throws(() => s.requestPty({ term: 'xterm', cols: 80, rows: 24 }), refusedWith('SECURITY_TTY_REJECTED', 'TTY allocation disabled.'));
  assert.deepEqual(rec.starts, []);
  assert.equal(rec.pty, 0);
  assert.deepEqual(
    rec.events.map((e) => (e.type === 'policy-refusal' ? e.code : e.type)),
    ['SECURITY_SHELL_REJECTED', 'SECURITY_TTY_REJECTED'],
  );
});

test('subsystem: deny list under enable, allow list under filter', async () => {
  const enabled = await session(security({ subsystem: item('enable', [], ['sftp']) }));
  await assert.rejects(
    enabled.s.start({ kind: 'subsystem', name: 'sftp' }, io(), never),
    refusedWith('SECURITY_SUBSYSTEM_REJECTED', 'Subsystem execution disabled.'),
  );
  const filtered = await session(security({ subsystem: item('filter', ['sftp']) }));
  await filtered.s.start({ kind: 'subsystem', name: 'sftp' }, io(), never);
  await assert.rejects(filtered.s.start({ kind: 'subsystem', name: 'other' }, io(), never), refusedWith('SECURITY_SUBSYSTEM_REJECTED', 'Subsystem execution disabled.'));
  assert.deepEqual(filtered.rec.starts, [{ kind: 'subsystem', name: 'sftp' }]);
});

test('signal policy follows signal.mode, not shell.mode, and ignores a SIG prefix', async () => {
  const a = await session(security({ shell: item('disable'), signal: item('enable', [], ['KILL']) }));
  await a.s.signal('USR1');
  await assert.rejects(a.s.signal('SIGKILL'), refusedWith('SECURITY_SIGNAL_REJECTED', 'Sending signals is rejected.'));
  assert.deepEqual(a.rec.signals, ['USR1']);

  const b = await session(security({ shell: item('enable'), signal: item('disable') }));
  await assert.rejects(b.s.signal('TERM'), refusedWith('SECURITY_SIGNAL_REJECTED', 'Sending signals is rejected.'));
  assert.deepEqual(b.rec.signals, []);
});

test('defaultMode applies to unset items only', async () => {
  const { s, rec } = await session(security({ defaultMode: 'disable', command: item('enable') }));
  await s.start({ kind: 'exec', command: 'id' }, io(), never);
  await assert.rejects(s.start({ kind: 'shell' }, io(), never), refusedWith('SECURITY_SHELL_REJECTED', 'Shell execution disabled.'));
  assert.throws(() => s.setEnv('A', 'b'), refusedWith('SECURITY_ENV_REJECTED', 'Environment variable setting rejected.'));
  assert.deepEqual(rec.starts, [{ kind: 'exec', command: 'id' }]);
});

test('forceCommand turns exec, shell and subsystem into the forced exec with SSH_ORIGINAL_COMMAND', async () => {
  const { s, rec } = await session(security({ forceCommand: '/bin/menu' }));
  await s.start({ kind: 'exec', command: 'cat /etc/passwd' }, io(), never);
  await s.start({ kind: 'subsystem', name: 'sftp' }, io(), never);
  await s.start({ kind: 'shell' }, io(), never);
  assert.deepEqual(rec.starts, [
    { kind: 'exec', command: '/bin/menu' },
    { kind: 'exec', command: '/bin/menu' },
    { kind: 'exec', command: '/bin/menu' },
  ]);
  assert.deepEqual(rec.env, [
    ['SSH_ORIGINAL_COMMAND', 'cat /etc/passwd'],
    ['SSH_ORIGINAL_COMMAND', 'sftp'],
    ['SSH_ORIGINAL_COMMAND', ''],
  ]);
  assert.ok(rec.logged.includes('SECURITY_EXEC_FORCING_COMMAND'));
});

test('forceCommand does not bypass the request policy, and SSH_ORIGINAL_COMMAND is set even when env is disabled', async () => {
  const { s, rec } = await session(security({ forceCommand: '/bin/menu', command: item('disable'), env: item('disable') }));
  await assert.rejects(s.start({ kind: 'exec', command: 'id' }, io(), never), refusedWith('SECURITY_EXEC_REJECTED', 'Command execution disabled.'));
  await s.start({ kind: 'subsystem', name: 'sftp' }, io(), never);
  assert.deepEqual(rec.env, [['SSH_ORIGINAL_COMMAND', 'sftp']]);
  assert.deepEqual(rec.starts, [{ kind: 'exec', command: '/bin/menu' }]);
});

test('forwarding is refused unless explicitly enabled; defaultMode does not reach it', () => {
  const sec = security({ defaultMode: 'enable' });
  assert.equal(forwardingRefusal(sec, 'forwardingMode'), 'SECURITY_FORWARDING_REJECTED');
  assert.equal(forwardingRefusal(sec, 'agentForwardingMode'), 'SECURITY_AGENT_FORWARDING_REJECTED');
  assert.equal(forwardingRefusal(sec, 'x11ForwardingMode'), 'SECURITY_X11_FORWARDING_REJECTED');
  const open = security({ forwarding: { ...sec.forwarding, reverseForwardingMode: 'enable' } });
  assert.equal(forwardingRefusal(open, 'reverseForwardingMode'), undefined);
  assert.equal(forwardingRefusal(open, 'socketListenMode'), 'SECURITY_SOCKET_LISTEN_REJECTED');
});

test('maxSessions caps concurrent sessions; closing one frees its slot (once)', async () => {
  const rec = new Recorder();
  const backend = applySecurity(fakeBackend(rec), { logger: recordingLogger(rec), onEvent: (e) => rec.events.push(e) });
  const conn = await backend.connect(context(rec, security({ maxSessions: 2 })), never);
  const [a, b] = await Promise.all([conn.openSession({ channelId: 1 }), conn.openSession({ channelId: 2 })]);
  await assert.rejects(conn.openSession({ channelId: 3 }), refusedWith('SECURITY_MAX_SESSIONS', 'Too many sessions.'));
  await a.close();
  await a.close();
  const c = await conn.openSession({ channelId: 4 });
  await assert.rejects(conn.openSession({ channelId: 5 }), refusedWith('SECURITY_MAX_SESSIONS', 'Too many sessions.'));
  await Promise.all([b.close(), c.close()]);
  assert.equal(rec.sessionsClosed, 3);
  assert.deepEqual(rec.events, [
    { type: 'policy-refusal', code: 'SECURITY_MAX_SESSIONS' },
    { type: 'policy-refusal', code: 'SECURITY_MAX_SESSIONS' },
  ]);
});

test('maxConnections caps all connections; closing one lets the next in', async () => {
  const rec = new Recorder();
  const backend = applySecurity(fakeBackend(rec), { logger: recordingLogger(rec) });
  const sec = security({ maxConnections: 2 });
  const a = await backend.connect(context(rec, sec, 'alice'), never);
  await backend.connect(context(rec, sec, 'bob'), never);
  await assert.rejects(
    backend.connect(context(rec, sec, 'carol'), never),
    refusedWith('SECURITY_MAX_CONNECTIONS', 'Too many connections to this server; please try again later.'),
  );
  await a.close();
  await backend.connect(context(rec, sec, 'carol'), never);
  assert.ok(rec.logged.includes('SECURITY_MAX_CONNECTIONS'));
});

test('maxConnectionsPerUser counts per login username, read from each connection config', async () => {
  const rec = new Recorder();
  const backend = applySecurity(fakeBackend(rec), { logger: recordingLogger(rec) });
  const one = security({ maxConnectionsPerUser: 1 });
  const alice = await backend.connect(context(rec, one, 'alice'), never);
  await backend.connect(context(rec, one, 'bob'), never);
  await assert.rejects(
    backend.connect(context(rec, one, 'alice'), never),
    refusedWith('SECURITY_MAX_CONNECTIONS_PER_USER', 'Too many connections for this user; close one and try again.'),
  );
  // A per-user override (config server) lifts the cap for this connection only.
  await backend.connect(context(rec, security({ maxConnectionsPerUser: 3 }), 'alice'), never);
  await alice.shutdown(AbortSignal.timeout(1000));
  const unlimited = security();
  await backend.connect(context(rec, unlimited, 'bob'), never);
});

test('a failed connect gives its connection slot back', async () => {
  const rec = new Recorder();
  const sec = security({ maxConnections: 1 });
  const failing = applySecurity(fakeBackend(rec, true), { logger: recordingLogger(rec) });
  await assert.rejects(failing.connect(context(rec, sec), never), (e) => e instanceof CsshError && e.code === 'DOCKER_CONTAINER_START_FAILED');
  await assert.rejects(failing.connect(context(rec, sec), never), (e) => e instanceof CsshError && e.code === 'DOCKER_CONTAINER_START_FAILED');
});

test('a timeout still ends the program when the signal policy refuses client signals', async () => {
  const rec = new Recorder();
  let exit: (code: number) => void = () => undefined;
  const backend: Backend = {
    connect: async () => ({
      openSession: async () => ({
        ...fakeSession(rec),
        start: async (): Promise<Program> => ({
          exited: new Promise((resolve) => (exit = (code) => resolve({ code }))),
          kill: () => exit(137),
        }),
        signal: async (name: string) => {
          rec.signals.push(name);
          if (name === 'TERM') exit(143);
        },
      }),
      shutdown: async () => undefined,
      close: async () => undefined,
    }),
  };
  const secured = applySecurity(backend, { logger: recordingLogger(rec) });
  const sec = security({ signal: item('disable'), idleTimeout: 30, timeoutWarning: { message: '', leadTime: 0 } });
  const conn = await secured.connect(context(rec, sec), never);
  const s = await conn.openSession({ channelId: 1 });
  const program = await s.start({ kind: 'shell' }, io(), never);
  await assert.rejects(s.signal('TERM'), refusedWith('SECURITY_SIGNAL_REJECTED', 'Sending signals is rejected.'));
  assert.deepEqual(await program.exited, { code: 143 });
  assert.deepEqual(rec.signals, ['TERM']);
  assert.ok(rec.logged.includes('SECURITY_IDLE_TIMEOUT'));
});

test('a session that fails to open gives its slot back', async () => {
  const rec = new Recorder();
  let fail = true;
  const backend: Backend = {
    connect: async () => ({
      openSession: async () => {
        if (fail) throw new CsshError('DOCKER_CONTAINER_CREATE_FAILED', 'no room');
        return fakeSession(rec);
      },
      shutdown: async () => undefined,
      close: async () => undefined,
    }),
  };
  const conn = await applySecurity(backend, { logger: recordingLogger(rec) }).connect(context(rec, security({ maxSessions: 1 })), never);
  await assert.rejects(conn.openSession({ channelId: 1 }), (e) => e instanceof CsshError && e.code === 'DOCKER_CONTAINER_CREATE_FAILED');
  fail = false;
  const s = await conn.openSession({ channelId: 2 });
  await s.close();
});

const counted = (rec: Recorder, code: string): number => rec.events.filter((e) => e.type === 'policy-refusal' && e.code === code).length;

test('env names must be valid environment names and values hold no NUL; refusals come before the deny list', async () => {
  const { s, rec } = await session(security({ env: item('enable', [], ['PATH']) }));
  const invalid = refusedWith('SECURITY_ENV_INVALID', 'Environment variable setting rejected.');
  assert.throws(() => s.setEnv('PATH=/x:', '/evil'), invalid);
  assert.throws(() => s.setEnv('', 'x'), invalid);
  assert.throws(() => s.setEnv('A\0B', 'x'), invalid);
  assert.throws(() => s.setEnv('LANG', 'C\0x'), invalid);
  assert.throws(() => s.setEnv('PATH', '/x'), refusedWith('SECURITY_ENV_REJECTED', 'Environment variable setting rejected.'));
  s.setEnv('LANG', 'C.UTF-8');
  assert.deepEqual(rec.env, [['LANG', 'C.UTF-8']]);
  assert.equal(counted(rec, 'SECURITY_ENV_INVALID'), 4);
  assert.ok(rec.logged.includes('SECURITY_ENV_INVALID'));
});

test('SSH_ORIGINAL_COMMAND never comes from the client; cssh sets it for every program (empty for a shell)', async () => {
  const { s, rec } = await session(security());
  assert.throws(() => s.setEnv('SSH_ORIGINAL_COMMAND', 'rm -rf /'), refusedWith('SECURITY_ENV_RESERVED', 'Environment variable setting rejected.'));
  await s.start({ kind: 'shell' }, io(), never);
  assert.deepEqual(rec.env, [['SSH_ORIGINAL_COMMAND', '']]);
  assert.equal(counted(rec, 'SECURITY_ENV_RESERVED'), 1);
});

test('maxEnvRequests and maxEnvBytes bound what one session may set; refusals are logged and counted', async () => {
  const byCount = await session(security({ maxEnvRequests: 2 }));
  byCount.s.setEnv('A', '1');
  byCount.s.setEnv('B', '2');
  assert.throws(() => byCount.s.setEnv('C', '3'), refusedWith('SECURITY_ENV_LIMIT', 'Environment variable setting rejected.'));
  assert.deepEqual(byCount.rec.env.map(([k]) => k), ['A', 'B']);
  assert.equal(counted(byCount.rec, 'SECURITY_ENV_LIMIT'), 1);

  const bySize = await session(security({ maxEnvBytes: 10 }));
  bySize.s.setEnv('AB', '1234'); // 6 bytes
  assert.throws(() => bySize.s.setEnv('CD', '12345'), refusedWith('SECURITY_ENV_LIMIT', 'Environment variable setting rejected.'));
  bySize.s.setEnv('E', '123'); // 10 bytes in all: still within the limit
  assert.throws(() => bySize.s.setEnv('F', ''), refusedWith('SECURITY_ENV_LIMIT', 'Environment variable setting rejected.'));
  assert.deepEqual(bySize.rec.env.map(([k]) => k), ['AB', 'E']);

  const policyRefused = await session(security({ maxEnvRequests: 1, env: item('filter', ['OK']) }));
  assert.throws(() => policyRefused.s.setEnv('NO', 'x'), refusedWith('SECURITY_ENV_REJECTED', 'Environment variable setting rejected.'));
  policyRefused.s.setEnv('OK', 'x'); // a refused request does not use up the limit
});

test('maxPendingSignals refuses a signal while that many are still being delivered; a delivered one frees its place', async () => {
  const { s, rec } = await session(security({ maxPendingSignals: 2 }));
  let release!: () => void;
  rec.signalGate = new Promise((resolve) => (release = resolve));
  await s.start({ kind: 'exec', command: 'sleep 1' }, io(), never);
  const first = s.signal('USR1');
  const second = s.signal('USR2');
  await assert.rejects(s.signal('TERM'), refusedWith('SECURITY_SIGNAL_LIMIT', 'Too many signals.'));
  assert.equal(counted(rec, 'SECURITY_SIGNAL_LIMIT'), 1);
  release();
  await Promise.all([first, second]);
  rec.signalGate = undefined;
  await s.signal('TERM');
  assert.deepEqual(rec.signals, ['USR1', 'USR2', 'TERM']);
});

test('a signal refused by policy does not hold a place among the pending signals', async () => {
  const { s, rec } = await session(security({ maxPendingSignals: 1, signal: item('filter', ['TERM']) }));
  rec.signalGate = new Promise(() => undefined); // deliveries never finish
  await assert.rejects(s.signal('KILL'), refusedWith('SECURITY_SIGNAL_REJECTED', 'Sending signals is rejected.'));
  void s.signal('TERM');
  await assert.rejects(s.signal('TERM'), refusedWith('SECURITY_SIGNAL_LIMIT', 'Too many signals.'));
});
