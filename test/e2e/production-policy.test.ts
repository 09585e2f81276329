// End to end with the OpenSSH client: each security policy's allowed and refused paths, and forceCommand.
import assert from 'node:assert/strict';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { containersOfUser, eventually, scrape, sftpBatch, ssh, startServer, uniqueUser } from './production-helpers.js';

const item = (mode: 'enable' | 'filter' | 'disable', allow: string[] = [], deny: string[] = []) => ({ mode, allow, deny });

dockerTest('command, env, tty and subsystem policies: allowed requests run, refused ones are reported', async (t) => {
  const server = await startServer((c) => {
    c.security.command = item('filter', ['echo "$FOO-$BAR"']);
    c.security.env = item('filter', ['FOO']);
    c.security.tty = item('disable');
    c.security.subsystem = item('enable', [], ['sftp']);
  });
  t.after(() => server.stop());
  const user = uniqueUser('prod-policy');

  const allowed = await ssh(server.port, user, ['echo "$FOO-$BAR"'], { flags: ['-o', 'SetEnv=FOO=foo BAR=bar'] });
  assert.equal(allowed.stdout, 'foo-\n', 'FOO passes the env filter, BAR does not');
  assert.equal(allowed.code, 0);

  const refused = await ssh(server.port, user, ['id']);
  assert.match(refused.stderr, /Command execution disabled\./);
  assert.notEqual(refused.code, 0);
  assert.equal(refused.stdout, '');

  // OpenSSH treats a refused PTY it was told to force (-tt) as fatal: nothing runs.
  const tty = await ssh(server.port, user, ['echo "$FOO-$BAR"'], { flags: ['-tt'] });
  assert.match(tty.stderr, /PTY allocation request failed/);
  assert.equal(tty.stdout, '');

  const sftp = await ssh(server.port, user, ['sftp'], { flags: ['-s'] });
  assert.match(sftp.stderr, /Subsystem execution disabled\./);
  assert.notEqual(sftp.code, 0);

  const read = await scrape(server.metrics.address);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_EXEC_REJECTED"}'), 1);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_TTY_REJECTED"}'), 1);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_SUBSYSTEM_REJECTED"}'), 1);
  assert.ok(read('cssh_policy_refusals_total{code="SECURITY_ENV_REJECTED"}') >= 1);
  await eventually(() => containersOfUser(user).length === 0);
});

dockerTest('shell refused under defaultMode disable while an allowed PTY and sftp work', async (t) => {
  const server = await startServer((c) => {
    c.docker.execution.container = { Image: TEST_IMAGES.sftp };
    c.security.defaultMode = 'disable';
    c.security.tty = item('enable');
    c.security.subsystem = item('filter', ['sftp']);
  });
  t.after(() => server.stop());
  const user = uniqueUser('prod-shell');

  const shell = await ssh(server.port, user, [], { flags: ['-tt'], input: 'echo never\n' });
  assert.doesNotMatch(shell.stderr, /PTY allocation request failed/);
  assert.match(shell.stderr + shell.stdout, /Shell execution disabled\./);
  assert.doesNotMatch(shell.stdout, /never/);
  assert.notEqual(shell.code, 0);

  const exec = await ssh(server.port, user, ['true']);
  assert.match(exec.stderr, /Command execution disabled\./);

  const sftp = await sftpBatch(server.port, user, 'cd /usr/lib/openssh\nls\n');
  assert.equal(sftp.code, 0, sftp.stderr);
  assert.match(sftp.stdout, /sftp-server/);
  await eventually(() => containersOfUser(user).length === 0);
});

dockerTest('forceCommand replaces exec, shell and subsystem and passes SSH_ORIGINAL_COMMAND', async (t) => {
  const server = await startServer((c) => {
    c.security.forceCommand = 'echo "forced[$SSH_ORIGINAL_COMMAND]"';
  });
  t.after(() => server.stop());
  const user = uniqueUser('prod-force');

  const exec = await ssh(server.port, user, ['cat /etc/passwd']);
  assert.equal(exec.stdout, 'forced[cat /etc/passwd]\n');
  assert.equal(exec.code, 0);

  const subsystem = await ssh(server.port, user, ['sftp'], { flags: ['-s'] });
  assert.equal(subsystem.stdout, 'forced[sftp]\n');

  const shell = await ssh(server.port, user, [], { flags: ['-tt'] });
  assert.equal(shell.stdout.replace(/\r/g, ''), 'forced[]\n');
  await eventually(() => containersOfUser(user).length === 0);
});
