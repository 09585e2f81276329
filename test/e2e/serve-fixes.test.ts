// `cssh serve` with the OpenSSH client: policy refusals as OpenSSH request failures, login grace, disconnect texts,
// oversized packets and forwarding refusals.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/auth/index.js';
import { dockerTest } from '../support/docker.js';
import { run } from '../support/serve-harness.js';
import { containersOfUser, eventually, scrape, ssh, sshBackground, startServer, uniqueUser } from './production-helpers.js';

const item = (mode: 'enable' | 'filter' | 'disable', allow: string[] = [], deny: string[] = []) => ({ mode, allow, deny });

dockerTest('policy refusals of exec, shell and subsystem are request failures; stdin still reaches allowed commands', async (t) => {
  const server = await startServer({
    security: { command: item('filter', ['cat']), shell: item('disable'), subsystem: item('disable'), forceCommand: '' },
  });
  t.after(() => server.stop());
  const user = uniqueUser('fix-refuse');

  const exec = await ssh(server, user, ['id'], { input: '' });
  assert.match(exec.stderr, /exec request failed on channel 0/);
  assert.doesNotMatch(exec.stderr, /Command execution disabled/, 'no text on stderr: the request itself failed');
  assert.equal(exec.code, 255);
  assert.equal(exec.stdout, '');

  const shell = await ssh(server, user, [], { flags: ['-T'], input: 'echo never\n' });
  assert.match(shell.stderr, /shell request failed on channel 0/);
  assert.equal(shell.stdout, '');

  const subsystem = await ssh(server, user, ['sftp'], { flags: ['-s'], input: '' });
  assert.match(subsystem.stderr, /subsystem request failed on channel 0/);

  // The stdin guarantee: input sent right after the request reaches an allowed command.
  const cat = await ssh(server, user, ['cat'], { input: 'stdin-kept\n' });
  assert.equal(cat.stdout, 'stdin-kept\n');
  assert.equal(cat.code, 0);

  const read = await scrape(server);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_EXEC_REJECTED"}'), 1, 'counted once');
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_SHELL_REJECTED"}'), 1);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_SUBSYSTEM_REJECTED"}'), 1);
  assert.match(server.srv.output(), /SSH_REQUEST_FAILED[^\n]*SECURITY_EXEC_REJECTED|SECURITY_EXEC_REJECTED[^\n]*SSH_REQUEST_FAILED/);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('a refused exec on a shared connection fails only that session; the connection keeps serving', async (t) => {
  const server = await startServer({ security: { command: item('filter', ['echo ok']), forceCommand: 'echo "forced[$SSH_ORIGINAL_COMMAND]"' } });
  t.after(() => server.stop());
  const user = uniqueUser('fix-mux');
  const dir = await mkdtemp(join(tmpdir(), 'cssh-mux-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const mux = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${join(dir, 'cm')}`, '-o', 'ControlPersist=30'];

  const first = await ssh(server, user, ['echo ok'], { flags: mux, input: '' });
  assert.equal(first.stdout, 'forced[echo ok]\n', 'an allowed original request runs the forced command');
  const refused = await ssh(server, user, ['id'], { flags: mux, input: '' });
  // A multiplexed client whose exec failed ends with status 255 (the master reports the failure, not the client).
  assert.equal(refused.code, 255, 'forceCommand does not let a refused original request through');
  assert.equal(refused.stdout, '');
  const again = await ssh(server, user, ['echo ok'], { flags: mux, input: '' });
  assert.equal(again.stdout, 'forced[echo ok]\n');
  assert.equal(again.code, 0);
  await ssh(server, user, [], { flags: [...mux, '-O', 'exit'] });
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('a refused PTY is "PTY allocation request failed" and a refused SetEnv leaves the variable unset', async (t) => {
  const server = await startServer({ security: { tty: item('disable'), env: item('enable', [], ['SECRET']) } });
  t.after(() => server.stop());
  const user = uniqueUser('fix-pty');
  const tty = sshBackground(server, user, ['echo "[$SECRET][$OTHER]"'], ['-t', '-t', '-o', 'SetEnv=SECRET=x OTHER=y']);
  const done = await tty.done;
  assert.match(done.stderr, /PTY allocation request failed/);
  const env = await ssh(server, user, ['echo "[$SECRET][$OTHER]"'], { flags: ['-o', 'SetEnv=SECRET=x OTHER=y'], input: '' });
  assert.equal(env.stdout, '[][y]\n');
  assert.match(server.srv.output(), /SECURITY_ENV_REJECTED/);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('a password given after the login grace time is refused, and serve still stops at once', async (t) => {
  const user = uniqueUser('fix-grace');
  const dir = await mkdtemp(join(tmpdir(), 'cssh-grace-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'passwords'), `${user}:${await hashPassword('late-pw')}\n`);
  // No clientAliveInterval: nothing but the fix may end the late connection.
  const server = await startServer({
    ssh: { loginGraceTime: '1s' },
    auth: { password: { method: 'passwords', passwords: { file: join(dir, 'passwords') } } },
  });
  t.after(() => server.stop());
  const askpass = join(dir, 'askpass.sh');
  await writeFile(askpass, '#!/bin/sh\nsleep 3\necho late-pw\n');
  await chmod(askpass, 0o755);
  const options = ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password', '-p', String(server.port)];
  const client = spawn('ssh', [...options, `${user}@127.0.0.1`, 'echo never'], {
    env: { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => client.kill('SIGKILL'));
  let stdout = '';
  client.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => client.on('close', (c) => resolve(c)));
  assert.equal(code, 255);
  assert.equal(stdout, '');
  await eventually(() => server.srv.output().includes('SSH_DISCONNECTED'), 'the connection is closed server-side');
  await new Promise((resolve) => setTimeout(resolve, 1000)); // room for a password check that should not happen
  const log = server.srv.output();
  assert.match(log, /loginGraceTime/, 'the drop is logged');
  assert.doesNotMatch(log, new RegExp(`AUTH_SUCCESSFUL[^\n]*${user}`), 'the late password was not even checked');
  assert.equal(containersOfUser(user).length, 0);
  assert.equal(await server.srv.stop(), 0, 'serve exits cleanly with nothing left to wait for');
});

dockerTest('a connection the backend cannot prepare is told why in the disconnect message', async (t) => {
  const server = await startServer({}, { image: 'cssh-test/absent-image:never' });
  t.after(() => server.stop());
  const user = uniqueUser('fix-absent');
  const result = await ssh(server, user, ['echo hi'], { flags: ['-o', 'LogLevel=INFO'], input: '' });
  assert.equal(result.code, 255);
  assert.match(result.stderr, /Received disconnect from 127\.0\.0\.1 port \d+:11: Failed to initialize SSH session\./);
  assert.match(server.srv.output(), /SSH_BACKEND_REJECTED_HANDSHAKE/);
  assert.equal(containersOfUser(user).length, 0);
});

dockerTest('an exec command line over the packet limit is refused with a reason on both sides; 30 KB still runs', async (t) => {
  const server = await startServer({});
  t.after(() => server.stop());
  const user = uniqueUser('fix-long');
  const fits = await ssh(server, user, [`echo ${'y'.repeat(30_000)} | wc -c`], { input: '' });
  assert.equal(fits.stdout.trim(), '30001');
  const long = await ssh(server, user, [`echo ${'x'.repeat(40_000)}`], { flags: ['-o', 'LogLevel=INFO'], input: '' });
  assert.equal(long.code, 255);
  assert.equal(long.stdout, '');
  assert.match(long.stderr, /Packet too large/);
  assert.match(server.srv.output(), /"level":"warning"[^\n]*SSH_CLIENT_ERROR[^\n]*larger than the 35000-byte limit/);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('forwarding refusals are logged with ContainerSSH\'s codes and counted; the session keeps working', async (t) => {
  const server = await startServer({});
  t.after(() => server.stop());
  const user = uniqueUser('fix-fwd');
  const remote = await ssh(server, user, ['echo still-works'], { flags: ['-o', 'LogLevel=INFO', '-R', '0:127.0.0.1:9'], input: '' });
  assert.match(remote.stderr, /remote port forwarding failed/);
  assert.equal(remote.stdout, 'still-works\n');
  const direct = await ssh(server, user, [], { flags: ['-o', 'LogLevel=INFO', '-W', '127.0.0.1:9'], input: '' });
  assert.match(direct.stderr, /open failed: administratively prohibited: Forwarding is rejected/);
  // OpenSSH asks for X11 only with a DISPLAY set (fake authentication data without xauth).
  const x11Done = await run('ssh', ['-o', 'LogLevel=INFO', '-X', ...server.srv.sshArgs(user), 'echo x11-session'], { env: { ...process.env, DISPLAY: ':0' } });
  assert.equal(x11Done.stdout.toString(), 'x11-session\n');
  assert.match(x11Done.stderr, /X11 forwarding request failed/);
  const read = await scrape(server);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_REVERSE_FORWARDING_REJECTED"}'), 1);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_FORWARDING_REJECTED"}'), 1);
  const log = server.srv.output();
  assert.match(log, /SECURITY_REVERSE_FORWARDING_REJECTED/);
  assert.match(log, /SECURITY_FORWARDING_REJECTED/);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_X11_FORWARDING_REJECTED"}'), 1);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('SIGHUP does not kill serve: it keeps serving and a later SIGTERM still removes everything', async (t) => {
  const server = await startServer({});
  t.after(() => server.stop());
  const user = uniqueUser('fix-hup');
  server.srv.process.kill('SIGHUP');
  await eventually(() => server.srv.output().includes('SIGHUP ignored'), 'SIGHUP acknowledged').catch((error: unknown) => {
    const child = server.srv.process;
    throw new Error(`${String(error)}; serve exit=${child.exitCode ?? 'running'} signal=${child.signalCode ?? '-'}; output tail:\n${server.srv.output().slice(-3000)}`);
  });
  const after = await ssh(server, user, ['echo still-serving'], { input: '' });
  assert.equal(after.stdout, 'still-serving\n');
  assert.equal(await server.srv.stop('SIGTERM'), 0);
  assert.deepEqual(server.srv.containers(), []);
});
