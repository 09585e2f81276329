// `cssh serve` with the OpenSSH client: policy refusals as OpenSSH request failures, login grace, disconnect texts,
// oversized packets and forwarding refusals.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest } from '../support/docker.js';
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
