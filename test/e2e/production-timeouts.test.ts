// `cssh serve` with the OpenSSH client: idle timeout (silent vs active), maximum session duration, login grace time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/auth/index.js';
import { dockerTest } from '../support/docker.js';
import { containersOfUser, eventually, scrape, ssh, startServer, uniqueUser } from './production-helpers.js';

const timeouts = { timeoutWarning: { message: 'cssh-e2e: ending ({reason})', leadTime: '1s' }, terminateGracePeriod: '1s' };

dockerTest('idle timeout ends a silent sleep with the warning first, and spares an active session', async (t) => {
  const server = await startServer({ security: { idleTimeout: '2s', ...timeouts } });
  t.after(() => server.stop());
  const user = uniqueUser('prod-idle');

  const silent = await ssh(server, user, ['sleep 600'], { flags: ['-tt'] });
  assert.match(silent.stdout, /cssh-e2e: ending \(idle timeout\)\r\n/);
  assert.ok(silent.code === 143 || silent.code === 137, `ended by TERM or KILL, got ${String(silent.code)}`);

  const active = await ssh(server, user, ['for i in 1 2 3 4 5 6 7 8 9 10; do echo tick $i; sleep 0.4; done']);
  assert.equal(active.code, 0, active.stderr);
  assert.equal(active.stdout.split('\n').filter((l) => l.startsWith('tick')).length, 10);
  assert.doesNotMatch(active.stdout, /cssh-e2e: ending/);
  assert.match(server.srv.output(), /SECURITY_IDLE_TIMEOUT/);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
  await eventually(async () => (await scrape(server))('cssh_active_containers') === 0, 'active containers back to 0');
});

dockerTest('idle timeout in session mode ends the program and removes the session container', async (t) => {
  const server = await startServer({ security: { idleTimeout: '2s', ...timeouts } }, { mode: 'session' });
  t.after(() => server.stop());
  const user = uniqueUser('prod-idle-session');
  const silent = await ssh(server, user, ['sleep 600'], { flags: ['-tt'] });
  assert.match(silent.stdout, /cssh-e2e: ending \(idle timeout\)\r\n/);
  assert.ok(silent.code === 143 || silent.code === 137, `ended by TERM or KILL, got ${String(silent.code)}`);
  await eventually(() => containersOfUser(user).length === 0, 'session container removed');
});

dockerTest('maximum session duration ends even a busy session, warning first', async (t) => {
  const server = await startServer({ security: { maxSessionDuration: '2s', ...timeouts } });
  t.after(() => server.stop());
  const user = uniqueUser('prod-duration');
  const busy = await ssh(server, user, ['while true; do echo busy; sleep 0.2; done']);
  assert.match(busy.stdout, /busy\n/);
  assert.match(busy.stdout, /cssh-e2e: ending \(maximum session duration\)\r\n/);
  assert.ok(busy.code === 143 || busy.code === 137, `ended by TERM or KILL, got ${String(busy.code)}`);
  assert.match(server.srv.output(), /SECURITY_MAX_DURATION/);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('login grace time drops a client that has not authenticated in time', async (t) => {
  const user = uniqueUser('prod-grace');
  const password = 'grace-pw';
  const dir = await mkdtemp(join(tmpdir(), 'cssh-grace-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'passwords'), `${user}:${await hashPassword(password)}\n`);
  const server = await startServer({
    // A short keepalive also bounds how long serve lingers on SIGTERM after a login attempt that came too late.
    ssh: { loginGraceTime: '1s', clientAliveInterval: '1s' },
    auth: { password: { method: 'passwords', passwords: { file: join(dir, 'passwords') } } },
  });
  t.after(() => server.stop());
  const byPassword = ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password', '-p', String(server.port)];

  const inTime = await server.srv.ssh(['echo in-time'], { user, password });
  assert.equal(inTime.stdout.toString(), 'in-time\n', 'the password is right when given at once');

  // The same password, but only well after the grace time.
  const askpass = join(dir, 'askpass.sh');
  await writeFile(askpass, `#!/bin/sh\nsleep 4\necho ${password}\n`);
  await chmod(askpass, 0o755);
  const client = spawn('ssh', [...byPassword, `${user}@127.0.0.1`, 'echo never'], {
    env: { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => client.kill('SIGKILL'));
  let stderr = '';
  let stdout = '';
  client.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  client.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => client.on('close', (c) => resolve(c)));
  assert.equal(stdout, '');
  assert.equal(code, 255, stderr);
  assert.match(stderr, /Received disconnect|Disconnected from|Connection (closed|reset)|closed by remote host|Broken pipe/i);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');

  // A client that connects and never even sends its version line is dropped too (ssh2 never reports it).
  const silent = await new Promise<string>((resolve) => {
    const socket = connect(server.port, '127.0.0.1');
    const guard = setTimeout(() => (socket.destroy(), resolve('still open after 20 s')), 20_000);
    socket.on('data', () => undefined); // the server's own version line
    socket.on('error', () => undefined);
    socket.on('close', () => (clearTimeout(guard), resolve('closed by the server')));
  });
  assert.equal(silent, 'closed by the server');
  assert.match(server.srv.output(), /sent no SSH version within ssh\.loginGraceTime/);
});
