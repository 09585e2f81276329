// ssh -W and -L under security.forwarding: refused by default, filter's allow-list, the channel cap; abrupt exits leave nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest } from '../support/docker.js';
import { ECHO_SERVER, forwardingServer, freePort, helpersOf } from './forwarding-helpers.js';
import { containersOfUser, eventually, scrape, sshBackground, uniqueUser, type ProductionServer } from './production-helpers.js';

/** An ssh master running the echo server, and a -W through it. */
async function withEchoMaster(server: ProductionServer, user: string, control: string, flags: string[] = []) {
  const master = sshBackground(server, user, [ECHO_SERVER], [...flags, '-o', 'ControlMaster=yes', '-o', `ControlPath=${control}`]);
  await eventually(() => master.output().includes('ready'), `echo server ready (${master.errors()})`, 60_000);
  const through = async (target: string): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    const w = sshBackground(server, user, [], ['-o', `ControlPath=${control}`, '-W', target]);
    w.child.stdin.end('ping\n');
    return w.done;
  };
  return { master, through };
}

/** True when `socket` got data before it closed (errors count as a close). */
function answered(socket: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    socket.once('data', () => resolve(true));
    socket.once('close', () => resolve(false));
  });
}

/** Opens a connection to the local forward and resolves once a byte came back through it (so the channel is open). */
async function openEchoed(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write('x');
  assert.equal(await answered(socket), true, 'the forwarded connection answers');
  return socket;
}

dockerTest('forwarding is refused by default with OpenSSH\'s prohibited message, and logged with its code', async (t) => {
  const server = await forwardingServer('connection', {});
  t.after(() => server.stop());
  const user = uniqueUser('fwd-off');
  const w = sshBackground(server, user, [], ['-o', 'LogLevel=INFO', '-W', '127.0.0.1:8080']);
  w.child.stdin.end();
  const result = await w.done;
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /administratively prohibited: Forwarding is rejected/);
  const read = await scrape(server);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_FORWARDING_REJECTED"}'), 1);
  assert.equal(helpersOf(user).length, 0, 'a refused forwarding starts no helper');
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('filter: only destinations in forwardingAllow are reached (hosts as written, no name resolution)', async (t) => {
  const server = await forwardingServer('connection', { forwardingMode: 'filter', forwardingAllow: ['127.0.0.1:8080'] });
  const dir = await mkdtemp(join(tmpdir(), 'cssh-fwd-'));
  t.after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const user = uniqueUser('fwd-filter');
  const { master, through } = await withEchoMaster(server, user, join(dir, 'ctl'));
  t.after(() => master.child.kill('SIGKILL'));
  const allowed = await through('127.0.0.1:8080');
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(allowed.stdout, 'ping\n');
  for (const target of ['127.0.0.1:8081', 'localhost:8080']) {
    const refused = await through(target);
    assert.notEqual(refused.code, 0, `${target} is not in the list`);
    assert.equal(refused.stdout, '');
  }
  const read = await scrape(server);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_FORWARDING_REJECTED"}'), 2);
  master.child.stdin.end();
  await master.done;
  await eventually(() => containersOfUser(user).length === 0, 'no container left', 60_000);
});

dockerTest('maxChannels: past the cap a forwarded connection is refused (resource shortage) and counted; a freed slot is reused', async (t) => {
  const server = await forwardingServer('session', { forwardingMode: 'enable', maxChannels: 2 });
  t.after(() => server.stop());
  const user = uniqueUser('fwd-cap');
  const port = await freePort();
  const master = sshBackground(server, user, [ECHO_SERVER], ['-o', 'LogLevel=INFO', '-L', `127.0.0.1:${port}:127.0.0.1:8080`]);
  t.after(() => master.child.kill('SIGKILL'));
  await eventually(() => master.output().includes('ready'), `echo server ready (${master.errors()})`, 60_000);
  const first = await openEchoed(port);
  const second = await openEchoed(port);
  const third = connect(port, '127.0.0.1');
  third.on('error', () => undefined);
  third.write('x');
  assert.equal(await answered(third), false, 'the third forwarded connection is closed without data');
  await eventually(() => /open failed: resource shortage: Too many forwarded connections/.test(master.errors()), 'OpenSSH reports the refusal');
  const read = await scrape(server);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_MAX_FORWARDED_CHANNELS"}'), 1);
  first.destroy();
  await eventually(async () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('y');
    const ok = await answered(socket);
    socket.destroy();
    return ok;
  }, 'a slot freed by a closed forwarded connection is used again');
  // The client vanishes with forwarded connections open: every channel ends and the helper goes with the container.
  assert.equal(helpersOf(user).length, 1);
  master.child.kill('SIGKILL');
  await new Promise((resolve) => second.once('close', resolve));
  await eventually(() => containersOfUser(user).length === 0, 'no container and no helper left after an abrupt exit', 60_000);
});
