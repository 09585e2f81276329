// ssh -R through `cssh serve`: a listener inside the container forwards its connections to a server on the test host.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { dockerTest } from '../support/docker.js';
import { forwardingServer, helpersOf, muxForward, remoteForwardTo, startMaster } from './forwarding-helpers.js';
import { containersOfUser, eventually, ssh, sshBackground, uniqueUser, type ProductionServer, type SshResult } from './production-helpers.js';

interface Received {
  length: number;
  sha: string;
}

/** An echo server on the test host's loopback that also records the length and sha256 of what each connection sent. */
async function hostEcho(): Promise<{ server: Server; port: number; accepted: () => number; received: Received[] }> {
  let count = 0;
  const received: Received[] = [];
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    count++;
    const hash = createHash('sha256');
    let length = 0;
    socket.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      length += chunk.length;
    });
    socket.on('end', () => received.push({ length, sha: hash.digest('hex') }));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, accepted: () => count, received };
}

const MiB = 1024 * 1024;

/**
 * In the container: `size` random bytes through busybox nc to 127.0.0.1:port (a number, or "$port" for a shell
 * variable) and back; prints "<tag> sent <length> <sha256>" and "<tag> back <length> <sha256>". nc half-closes at
 * its input's end and reads until the far side ends, so a short echo is the forwarding's, and the lengths tell a
 * truncation from a corruption.
 */
const roundTrip = (port: number | string, tag: string, size = MiB): string =>
  `head -c ${size} /dev/urandom > /tmp/${tag}; echo "${tag} sent $(wc -c < /tmp/${tag}) $(sha256sum < /tmp/${tag})"; ` +
  `nc 127.0.0.1 ${port} < /tmp/${tag} > /tmp/${tag}.back; echo "${tag} back $(wc -c < /tmp/${tag}.back) $(sha256sum < /tmp/${tag}.back)"`;

/** The "<tag> sent|back <length> <sha256>" lines of roundTrip, by tag. */
function trips(output: string): Map<string, { sent?: Received; back?: Received }> {
  const found = new Map<string, { sent?: Received; back?: Received }>();
  for (const match of output.matchAll(/^(\S+) (sent|back) +(\d+) +([0-9a-f]{64})/gm)) {
    const [, tag = '', kind, length, sha = ''] = match;
    const entry = found.get(tag) ?? {};
    entry[kind === 'sent' ? 'sent' : 'back'] = { length: Number(length), sha };
    found.set(tag, entry);
  }
  return found;
}

/** Asserts that `tag`'s `size` bytes came back with the same length and sha256. Returns what was sent. */
function assertEchoed(output: string, tag: string, size: number): Received {
  const { sent, back } = trips(output).get(tag) ?? {};
  assert.ok(sent && back, `${tag}: both lines printed (${output})`);
  assert.equal(sent.length, size, `${tag}: ${size} bytes sent`);
  assert.deepEqual(back, sent, `${tag}: the echo came back whole and unaltered (sent ${sent.length} bytes, got ${back.length})`);
  return sent;
}

const bySha = (a: Received, b: Received): number => a.sha.localeCompare(b.sha);

type HostEcho = Awaited<ReturnType<typeof hostEcho>>;

/** The server being started, an echo server on the host and a temp dir, all stopped and removed after `t`. */
async function withHostEcho(t: TestContext, starting: Promise<ProductionServer>): Promise<{ server: ProductionServer; echo: HostEcho; dir: string }> {
  const server = await starting;
  const echo = await hostEcho();
  const dir = await mkdtemp(join(tmpdir(), 'cssh-rfwd-'));
  t.after(async () => {
    await server.stop();
    echo.server.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { server, echo, dir };
}

/**
 * A session of `user` that waits for a port, then runs `program` (the port in $port); the port is one the master
 * asks for with `ssh -O forward -R 0:127.0.0.1:target`. Resolves with the session's result.
 */
async function throughForwardedPort(t: TestContext, server: ProductionServer, user: string, dir: string, target: number, program: string): Promise<SshResult> {
  const { master, control } = await startMaster(t, server, user, dir, `echo ready; read port; ${program}`);
  master.child.stdin.end(`${await remoteForwardTo(server, user, control, target)}\n`);
  return master.done;
}

/** cssh's forwarding and Docker log lines, for a failure message. */
const forwardingLog = (output: string): string =>
  output.split('\n').filter((line) => /FORWARDING|DOCKER_|tcpip/i.test(line)).slice(-20).join('\n');

dockerTest('connection mode: ssh -R 0:... forwards connections made inside the container to the host; cancel stops new ones; nothing is left', async (t) => {
  const { server, echo, dir } = await withHostEcho(t, forwardingServer('connection', { reverseForwardingMode: 'enable', maxListeners: 2 }));
  const user = uniqueUser('rfwd');
  const control = join(dir, 'ctl');
  const spec = `0:127.0.0.1:${echo.port}`;
  const master = sshBackground(server, user, [], [
    '-N', '-o', 'LogLevel=INFO', '-o', 'ExitOnForwardFailure=yes', '-R', spec,
    '-o', 'ControlMaster=yes', '-o', `ControlPath=${control}`,
  ]);
  t.after(() => master.child.kill('SIGKILL'));
  let allocated = 0;
  await eventually(() => {
    const match = /Allocated port (\d+) for remote forward/.exec(master.errors());
    allocated = Number(match?.[1] ?? 0);
    return allocated > 0;
  }, 'allocated port reported', 60_000).catch((error: unknown) => {
    // What ssh and cssh said by then (a message built before the wait would always be empty).
    throw new Error(`${String(error)}; ssh: ${master.errors()}; cssh: ${forwardingLog(server.srv.output())}`);
  });

  const inside = await ssh(server, user, [roundTrip(allocated, 'a')], { flags: ['-o', `ControlPath=${control}`] });
  assert.equal(inside.code, 0, inside.stderr);
  const sent = assertEchoed(inside.stdout, 'a', MiB);
  assert.equal(echo.accepted(), 1, 'the host server saw one connection');
  assert.deepEqual(echo.received, [sent], 'the host server received the 1 MiB intact');

  // Two at once, through the same listener.
  const both = await ssh(server, user, [`(${roundTrip(allocated, 'b')}) > /tmp/b.out & (${roundTrip(allocated, 'c')}) > /tmp/c.out; wait; cat /tmp/b.out /tmp/c.out`], { flags: ['-o', `ControlPath=${control}`] });
  assert.equal(both.code, 0, both.stderr);
  assertEchoed(both.stdout, 'b', MiB);
  assertEchoed(both.stdout, 'c', MiB);
  assert.equal(helpersOf(user).length, 1, 'one helper container holds the listener and the relays');

  // The cap: maxListeners 2 allows one more listener, then refuses (distinct specs: the master dedupes equal ones).
  const second = await muxForward(server, user, control, 'forward', '-R', `0:localhost:${echo.port}`);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^\d+\s*$/, 'the mux client prints the allocated port');
  const third = await muxForward(server, user, control, 'forward', '-R', `0:127.0.0.2:${echo.port}`);
  assert.notEqual(third.code, 0, 'a third listener is past maxListeners');
  await eventually(() => server.srv.output().includes('SECURITY_MAX_FORWARDING_LISTENERS'), 'the cap was logged');

  // Cancel: the port stops accepting.
  const cancel = await muxForward(server, user, control, 'cancel', '-R', spec);
  assert.equal(cancel.code, 0, cancel.stderr);
  await eventually(() => server.srv.output().includes('FORWARDING_LISTENER_STOPPED'), 'the cancel reached the listener');
  const after = await ssh(server, user, [`nc 127.0.0.1 ${allocated} </dev/null; echo rc=$?`], { flags: ['-o', `ControlPath=${control}`] });
  assert.equal(echo.accepted(), 3, `no connection reached the host after the cancel (${after.stdout}${after.stderr})`);

  master.child.kill('SIGTERM');
  await master.done;
  await eventually(() => containersOfUser(user).length === 0, 'no container (and no helper) left', 60_000);
}, { timeout: 240_000 });

dockerTest('ssh -R is refused by default with ContainerSSH\'s code, and outside reverseForwardingAllow', async (t) => {
  const server = await forwardingServer('connection', { reverseForwardingMode: 'filter', reverseForwardingAllow: ['127.0.0.1:9000-9010'] });
  t.after(() => server.stop());
  const user = uniqueUser('rfwd-no');
  const refused = await ssh(server, user, ['true'], { flags: ['-o', 'ExitOnForwardFailure=yes', '-R', '127.0.0.1:9500:127.0.0.1:22'] });
  assert.notEqual(refused.code, 0, 'ExitOnForwardFailure ends the client');
  assert.match(refused.stderr, /remote port forwarding failed/i);
  await eventually(() => server.srv.output().includes('SECURITY_REVERSE_FORWARDING_REJECTED'), 'the refusal was logged with its code');
  const allowed = await ssh(server, user, ['echo ok'], { flags: ['-o', 'ExitOnForwardFailure=yes', '-R', '127.0.0.1:9005:127.0.0.1:22'] });
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /ok/);
  await eventually(() => containersOfUser(user).length === 0, 'no container (and no helper) left', 60_000);
}, { timeout: 180_000 });

dockerTest('session mode: ssh -O forward -R listens in the running session\'s container, which reaches the host through it', async (t) => {
  const { server, echo, dir } = await withHostEcho(t, forwardingServer('session', { reverseForwardingMode: 'enable' }));
  const user = uniqueUser('rfwd-s');
  const result = await throughForwardedPort(t, server, user, dir, echo.port, roundTrip('$port', 'a'));
  assert.equal(result.code, 0, result.stderr);
  const sent = assertEchoed(result.stdout, 'a', MiB);
  assert.equal(echo.accepted(), 1);
  assert.deepEqual(echo.received, [sent], 'the host server received the 1 MiB intact');
  await eventually(() => containersOfUser(user).length === 0, 'no container (and no helper) left', 60_000);
}, { timeout: 180_000 });

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`${mode} mode: ssh -R carries 4 connections at once (1 to 4 MiB), each intact and whole both ways; nothing is left`, async (t) => {
    const { server, echo, dir } = await withHostEcho(t, forwardingServer(mode, { reverseForwardingMode: 'enable' }));
    const user = uniqueUser(`rfwd4-${mode.slice(0, 4)}`);
    const sizes = [1, 2, 3, 4].map((n) => n * MiB);
    const transfers = sizes.map((size, k) => `(${roundTrip('$port', `t${k}`, size)}) > /tmp/t${k}.out &`).join(' ');
    // The four round trips through the port at once.
    const result = await throughForwardedPort(t, server, user, dir, echo.port, `${transfers} wait; cat /tmp/t*.out`);
    assert.equal(result.code, 0, result.stderr);
    const sent = sizes.map((size, k) => assertEchoed(result.stdout, `t${k}`, size));
    assert.equal(echo.accepted(), 4, 'the host server saw four connections');
    assert.deepEqual([...echo.received].sort(bySha), [...sent].sort(bySha), 'the host server received each transfer whole and unaltered');
    await eventually(() => containersOfUser(user).length === 0, 'no container (and no helper) left', 60_000);
  }, { timeout: 180_000 });
}
