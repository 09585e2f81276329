// End to end with the OpenSSH client: idle timeout (silent vs active), maximum session duration, login grace time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest } from '../support/docker.js';
import { containersOfUser, eventually, PASSWORD, scrape, ssh, startServer, uniqueUser } from './production-helpers.js';

const WARNING = 'cssh-e2e: ending ({reason})';

dockerTest('idle timeout ends a silent sleep with the warning first, and spares an active session', async (t) => {
  const server = await startServer((c) => {
    c.security.idleTimeout = 2000;
    c.security.timeoutWarning = { message: WARNING, leadTime: 1000 };
    c.security.terminateGracePeriod = 1000;
  });
  t.after(() => server.stop());
  const user = uniqueUser('prod-idle');

  const silent = await ssh(server.port, user, ['sleep 600'], { flags: ['-tt'] });
  assert.match(silent.stdout, /cssh-e2e: ending \(idle timeout\)\r\n/);
  assert.ok(silent.code === 143 || silent.code === 137, `ended by TERM or KILL, got ${String(silent.code)}`);

  const active = await ssh(server.port, user, ['for i in 1 2 3 4 5 6 7 8 9 10; do echo tick $i; sleep 0.4; done']);
  assert.equal(active.code, 0, active.stderr);
  assert.equal(active.stdout.split('\n').filter((l) => l.startsWith('tick')).length, 10);
  assert.doesNotMatch(active.stdout, /cssh-e2e: ending/);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
  const read = await scrape(server.metrics.address);
  assert.equal(read('cssh_active_containers'), 0);
});

dockerTest('maximum session duration ends even a busy session, warning first', async (t) => {
  const server = await startServer((c) => {
    c.security.maxSessionDuration = 2000;
    c.security.timeoutWarning = { message: WARNING, leadTime: 1000 };
    c.security.terminateGracePeriod = 1000;
  });
  t.after(() => server.stop());
  const user = uniqueUser('prod-duration');
  const busy = await ssh(server.port, user, ['while true; do echo busy; sleep 0.2; done']);
  assert.match(busy.stdout, /busy\n/);
  assert.match(busy.stdout, /cssh-e2e: ending \(maximum session duration\)\r\n/);
  assert.ok(busy.code === 143 || busy.code === 137, `ended by TERM or KILL, got ${String(busy.code)}`);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('login grace time drops a client that has not authenticated', async (t) => {
  const server = await startServer((c) => {
    c.ssh.loginGraceTime = 1000;
  });
  t.after(() => server.stop());
  const dir = await mkdtemp(join(tmpdir(), 'cssh-grace-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // The right password, but only well after the grace time: without it the login would succeed and print "never".
  const askpass = join(dir, 'askpass.sh');
  await writeFile(askpass, `#!/bin/sh\nsleep 4\necho ${PASSWORD}\n`);
  await chmod(askpass, 0o755);
  const user = uniqueUser('prod-grace');
  const client = spawn(
    'ssh',
    ['-p', String(server.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'PubkeyAuthentication=no',
      '-o', 'PreferredAuthentications=password', `${user}@127.0.0.1`, 'echo never'],
    { env: { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => client.kill('SIGKILL'));
  let stderr = '';
  let stdout = '';
  client.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  client.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => client.on('close', (c) => resolve(c)));
  assert.equal(stdout, '');
  assert.equal(code, 255, stderr);
  assert.match(stderr, /Received disconnect|Disconnected from|Connection (closed|reset)|closed by remote host|Broken pipe/i);
  assert.equal(containersOfUser(user).length, 0);
});
