// The SSH server's pre-auth gate with real sockets: MaxStartups, per-source caps, slots freed by auth or close, grace.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import ssh2 from 'ssh2';
import type { SshConfig } from '../../../src/config/types.js';
import { testSshConfig } from '../../support/ssh-config.js';
import type { CsshEvent } from '../../../src/core/events.js';
import { createLogger } from '../../../src/observability/logger.js';
import { loadHostKeys } from '../../../src/ssh/host-keys.js';
import { createSshServer, type SshServer } from '../../../src/ssh/server.js';

const base: SshConfig = testSshConfig({ serverVersion: 'SSH-2.0-ContainerSSH', shutdownTimeout: 2000 });

interface Started {
  server: SshServer;
  port: number;
  events: CsshEvent[];
  logs: { code: string; message: string }[];
  stop(): Promise<void>;
}

async function start(t: { after(fn: () => Promise<void>): void }, ssh: Partial<SshConfig>): Promise<Started> {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-preauth-'));
  const events: CsshEvent[] = [];
  const logs: { code: string; message: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(JSON.parse(chunk.toString()) as { code: string; message: string });
      done();
    },
  });
  const server = createSshServer({
    ssh: { ...base, ...ssh },
    hostKeys: (await loadHostKeys([], dir)).keys,
    authenticator: { methods: ['password'], password: async () => ({ success: true }), publicKey: async () => ({ success: false }), authorize: async () => ({ success: true }) },
    prepare: async () => ({ openSession: () => Promise.reject(new Error('no sessions here')), shutdown: async () => undefined, close: async () => undefined }),
    logger: createLogger({ level: 'debug', format: 'ljson', destination: 'stdout', file: '' }, sink),
    onEvent: (event) => events.push(event),
  });
  const { port } = await server.listen();
  const stop = async (): Promise<void> => {
    await server.shutdown(AbortSignal.timeout(500), 1000);
    await rm(dir, { recursive: true, force: true });
  };
  t.after(stop);
  return { server, port, events, logs, stop };
}

interface Raw {
  socket: Socket;
  /** The first bytes the server sent ('' if it closed without any). */
  first: Promise<string>;
  closed: Promise<void>;
}

/** A plain TCP connection from `localAddress` (any 127.x address is loopback on Linux). */
function raw(port: number, localAddress = '127.0.0.1'): Raw {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  const first = new Promise<string>((resolve) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    socket.once('close', () => resolve(''));
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, first, closed };
}

async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`${what}: not reached`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const refusals = (events: CsshEvent[], code: string): number =>
  events.filter((e) => e.type === 'ssh-unauthenticated-refused' && e.code === code).length;

test('maxStartups N: N connections get the version line, the next gets "Exceeded MaxStartups" and is closed', async (t) => {
  const { server, port, events, logs } = await start(t, { maxStartups: '3' });
  const held = [raw(port), raw(port), raw(port)];
  for (const r of held) assert.match(await r.first, /^SSH-2\.0-ContainerSSH\r\n/);
  assert.equal(server.unauthenticatedCount, 3);
  const over = raw(port);
  assert.equal(await over.first, 'Exceeded MaxStartups\r\n', 'refused before any SSH version line, as sshd does');
  await over.closed;
  assert.equal(server.unauthenticatedCount, 3);
  assert.equal(refusals(events, 'SSH_MAX_STARTUPS'), 1);
  assert.match(logs.find((l) => l.code === 'SSH_MAX_STARTUPS')?.message ?? '', /3 unauthenticated connections held \(ssh\.maxStartups 3:100:3\)/);

  // A closed connection frees its slot.
  held[0]?.socket.destroy();
  await waitFor(() => server.unauthenticatedCount === 2, 'slot freed on close');
  const next = raw(port);
  assert.match(await next.first, /^SSH-2\.0-/);
  for (const r of [...held, next]) r.socket.destroy();
  await waitFor(() => server.unauthenticatedCount === 0, 'all slots freed');
  const opened = events.filter((e) => e.type === 'ssh-unauthenticated' && e.open).length;
  const closed = events.filter((e) => e.type === 'ssh-unauthenticated' && !e.open).length;
  assert.deepEqual([opened, closed], [4, 4], 'the gauge events balance');
});

test('perSourceMaxStartups caps one source address; other addresses still get in', async (t) => {
  const { server, port, events } = await start(t, { perSourceMaxStartups: 2 });
  const a = [raw(port, '127.0.0.2'), raw(port, '127.0.0.2')];
  for (const r of a) assert.match(await r.first, /^SSH-2\.0-/);
  const third = raw(port, '127.0.0.2');
  assert.equal(await third.first, 'Exceeded MaxStartups\r\n');
  const other = raw(port, '127.0.0.3');
  assert.match(await other.first, /^SSH-2\.0-/);
  assert.equal(server.unauthenticatedCount, 3);
  assert.equal(refusals(events, 'SSH_PER_SOURCE_MAX_STARTUPS'), 1);
  assert.equal(refusals(events, 'SSH_MAX_STARTUPS'), 0);
  for (const r of [...a, other]) r.socket.destroy();
});

test('an authenticated connection no longer counts: with maxStartups 1 a second client gets in', async (t) => {
  const { server, port } = await start(t, { maxStartups: '1' });
  const client = new ssh2.Client();
  t.after(async () => void client.end());
  await new Promise<void>((resolve, reject) => {
    client.on('ready', resolve).on('error', reject);
    client.connect({ host: '127.0.0.1', port, username: 'alice', password: 'x', readyTimeout: 10_000 });
  });
  await waitFor(() => server.unauthenticatedCount === 0, 'slot freed by authentication');
  const second = raw(port);
  assert.match(await second.first, /^SSH-2\.0-/);
  const third = raw(port);
  assert.equal(await third.first, 'Exceeded MaxStartups\r\n');
  second.socket.destroy();
});

test('loginGraceTime counts from the TCP connect: silent and mid-handshake connections are both dropped', async (t) => {
  const { server, port, events, logs } = await start(t, { loginGraceTime: 300 });
  const silent = raw(port);
  const versionOnly = raw(port);
  versionOnly.socket.write('SSH-2.0-Stalled_1.0\r\n'); // becomes an ssh2 connection, then never sends KEXINIT
  await Promise.all([silent.closed, versionOnly.closed]);
  await waitFor(() => refusals(events, 'SSH_LOGIN_GRACE_EXPIRED') === 2, 'both expiries counted');
  await waitFor(() => server.unauthenticatedCount === 0, 'slots freed');
  const messages = logs.filter((l) => l.code === 'SSH_LOGIN_GRACE_EXPIRED').map((l) => l.message).sort();
  assert.equal(messages.length, 2);
  assert.match(messages.join('\n'), /not authenticated within ssh\.loginGraceTime \(300 ms\)/);
  assert.match(messages.join('\n'), /sent no SSH version within ssh\.loginGraceTime \(300 ms\)/);
});
