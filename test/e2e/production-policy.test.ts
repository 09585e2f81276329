// `cssh serve` with the OpenSSH client: each security policy's allowed and refused paths, and forceCommand.
import assert from 'node:assert/strict';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { startWebhookStub } from '../support/webhook-stub.js';
import { containersOfUser, eventually, scrape, sftpBatch, ssh, sshBackground, startServer, uniqueUser } from './production-helpers.js';

const item = (mode: 'enable' | 'filter' | 'disable', allow: string[] = [], deny: string[] = []) => ({ mode, allow, deny });

dockerTest('command, env, tty and subsystem policies: allowed requests run, refused ones are reported', async (t) => {
  const server = await startServer({
    security: {
      command: item('filter', ['echo "$FOO-$BAR"']),
      env: item('filter', ['FOO']),
      tty: item('disable'),
      subsystem: item('enable', [], ['sftp']),
    },
  });
  t.after(() => server.stop());
  const user = uniqueUser('prod-policy');

  const allowed = await ssh(server, user, ['echo "$FOO-$BAR"'], { flags: ['-o', 'SetEnv=FOO=foo BAR=bar'] });
  assert.equal(allowed.stdout, 'foo-\n', 'FOO passes the env filter, BAR does not');
  assert.equal(allowed.code, 0);

  const refused = await ssh(server, user, ['id']);
  assert.match(refused.stderr, /exec request failed on channel 0/);
  assert.notEqual(refused.code, 0);
  assert.equal(refused.stdout, '');

  // OpenSSH treats a refused PTY it was told to force (-tt) as fatal: nothing runs.
  const tty = await ssh(server, user, ['echo "$FOO-$BAR"'], { flags: ['-tt'] });
  assert.match(tty.stderr, /PTY allocation request failed/);
  assert.equal(tty.stdout, '');

  const sftp = await ssh(server, user, ['sftp'], { flags: ['-s'] });
  assert.match(sftp.stderr, /subsystem request failed on channel 0/);
  assert.notEqual(sftp.code, 0);

  const read = await scrape(server);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_EXEC_REJECTED"}'), 1);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_TTY_REJECTED"}'), 1);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_SUBSYSTEM_REJECTED"}'), 1);
  assert.ok(read('cssh_policy_refusals_total{code="SECURITY_ENV_REJECTED"}') >= 1);
  assert.match(server.srv.output(), /SECURITY_EXEC_REJECTED/, 'the refusal is logged with its code');
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('shell refused under defaultMode disable while an allowed PTY and sftp work', async (t) => {
  const server = await startServer(
    { security: { defaultMode: 'disable', tty: item('enable'), subsystem: item('filter', ['sftp']) } },
    { image: TEST_IMAGES.sftp },
  );
  t.after(() => server.stop());
  const user = uniqueUser('prod-shell');

  const shell = await ssh(server, user, [], { flags: ['-tt'], input: 'echo never\n' });
  assert.doesNotMatch(shell.stderr, /PTY allocation request failed/);
  assert.match(shell.stderr, /shell request failed/);
  assert.doesNotMatch(shell.stdout, /never/);
  assert.notEqual(shell.code, 0);

  const exec = await ssh(server, user, ['true']);
  assert.match(exec.stderr, /exec request failed/);

  const sftp = await sftpBatch(server, user, 'cd /usr/lib/openssh\nls\n');
  assert.equal(sftp.code, 0, sftp.stderr);
  assert.match(sftp.stdout, /sftp-server/);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('forceCommand replaces exec, shell and subsystem and passes SSH_ORIGINAL_COMMAND', async (t) => {
  const server = await startServer({ security: { forceCommand: 'echo "forced[$SSH_ORIGINAL_COMMAND]"' } });
  t.after(() => server.stop());
  const user = uniqueUser('prod-force');

  const exec = await ssh(server, user, ['cat /etc/passwd']);
  assert.equal(exec.stdout, 'forced[cat /etc/passwd]\n');
  assert.equal(exec.code, 0);

  const subsystem = await ssh(server, user, ['sftp'], { flags: ['-s'] });
  assert.equal(subsystem.stdout, 'forced[sftp]\n');

  const shell = await ssh(server, user, [], { flags: ['-tt'] });
  assert.equal(shell.stdout.replace(/\r/g, ''), 'forced[]\n');
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('the config server overrides the policy per user', async (t) => {
  const restricted = uniqueUser('prod-restricted');
  const free = uniqueUser('prod-free');
  const stub = await startWebhookStub({
    '/config': (req) => {
      const username = (req.body as { username?: string } | undefined)?.username;
      return { body: { config: username === restricted ? { security: { command: { mode: 'disable' } } } : {} } };
    },
  });
  t.after(() => stub.close());
  const server = await startServer({ configserver: { url: `${stub.url}/config` } });
  t.after(() => server.stop());

  const refused = await ssh(server, restricted, ['echo hi']);
  assert.match(refused.stderr, /exec request failed on channel 0/);
  assert.equal(refused.stdout, '');
  const allowed = await ssh(server, free, ['echo hi']);
  assert.equal(allowed.stdout, 'hi\n');
  assert.equal(stub.requestsTo('/config').length, 2);
  for (const user of [restricted, free]) await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('defaultMode enable allows a shell but forwarding stays refused', async (t) => {
  const server = await startServer({ security: { defaultMode: 'enable' } });
  t.after(() => server.stop());
  const user = uniqueUser('prod-enable');

  const shell = sshBackground(server, user, [], ['-tt']);
  shell.child.stdin.write('echo shell-$((40+2)); exit\n');
  const shellDone = await shell.done;
  assert.match(shellDone.stdout, /shell-42/);
  assert.equal(shellDone.code, 0);

  const remote = await ssh(server, user, ['echo never'], { flags: ['-o', 'ExitOnForwardFailure=yes', '-R', '0:127.0.0.1:9'] });
  assert.match(remote.stderr, /remote port forwarding failed/);
  assert.equal(remote.stdout, '');
  const direct = await ssh(server, user, [], { flags: ['-o', 'LogLevel=INFO', '-W', '127.0.0.1:9'] });
  assert.match(direct.stderr, /open failed: administratively prohibited/);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});
