// Logins through cssh with the real OpenSSH client: webhook password and key auth (environment from the webhook
// reaches the container), the built-in password file and authorized_keys, refusals creating no container, the banner.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/auth/index.js';
import { dockerTest } from '../support/docker.js';
import { makeClientKey, startServe, type ServeHandle } from '../support/serve-harness.js';
import { acceptKeys, acceptPasswords, startWebhookStub } from '../support/webhook-stub.js';

function noContainerCreated(srv: ServeHandle): void {
  assert.doesNotMatch(srv.output(), /DOCKER_CONTAINER_CREATE/);
  assert.deepEqual(srv.containers(), []);
}

dockerTest('serve: webhook password and public key auth; refusals create no container', async () => {
  const environment = { GREETING: { value: 'from-webhook', sensitive: false } };
  const stub = await startWebhookStub({ '/password': acceptPasswords({ tester: 'secret' }, { environment }) });
  const webhook = { url: stub.url, timeout: '2s', authTimeout: '5s' };
  const srv = await startServe({
    keepAuth: true,
    config: { auth: { password: { method: 'webhook', webhook }, publicKey: { method: 'webhook', webhook } } },
  });
  try {
    stub.on('/pubkey', acceptKeys({ tester: [srv.publicKey] }));
    const wrongPassword = await srv.ssh(['echo in'], { password: 'wrong' });
    const unknownKey = await srv.ssh(['echo in'], { key: makeClientKey(mkdtempSync(join(tmpdir(), 'cssh-k-'))).keyPath });
    const wrongUser = await srv.ssh(['echo in'], { user: 'mallory' });
    assert.equal(wrongPassword.code, 5, wrongPassword.stderr); // sshpass: the password was refused
    for (const refused of [unknownKey, wrongUser]) assert.equal(refused.code, 255, refused.stderr);
    noContainerCreated(srv);
    const byPassword = await srv.ssh(['echo "$GREETING"'], { password: 'secret' });
    assert.deepEqual([byPassword.code, byPassword.stdout.toString()], [0, 'from-webhook\n'], byPassword.stderr);
    const byKey = await srv.ssh(['echo key-ok']);
    assert.deepEqual([byKey.code, byKey.stdout.toString()], [0, 'key-ok\n'], byKey.stderr);
    const pubkeyBody = stub.requestsTo('/pubkey').at(-1)?.body as Record<string, unknown>;
    assert.equal(pubkeyBody.publicKey, srv.publicKey.split(' ').slice(0, 2).join(' '));
    assert.match(String(pubkeyBody.connectionId), /^[0-9a-f]{32}$/);
  } finally {
    await srv.stop();
    await stub.close();
  }
  assert.deepEqual(srv.containers(), []);
}, { timeout: 180_000 });

dockerTest('serve: built-in password file and authorized_keys; the banner is shown before auth', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-auth-'));
  writeFileSync(join(dir, 'passwords'), `tester:${await hashPassword('hunter2')}\n`);
  const srv = await startServe({
    config: { ssh: { banner: 'Welcome to cssh e2e' }, auth: { password: { method: 'passwords', passwords: { file: join(dir, 'passwords') } } } },
  });
  try {
    const refused = await srv.ssh(['echo in'], { password: 'hunter3', extra: ['-o', 'LogLevel=INFO'] });
    assert.equal(refused.code, 5, refused.stderr); // sshpass: the password was refused
    assert.match(refused.stderr, /Welcome to cssh e2e/);
    noContainerCreated(srv);
    const byPassword = await srv.ssh(['echo pw-ok'], { password: 'hunter2' });
    assert.deepEqual([byPassword.code, byPassword.stdout.toString()], [0, 'pw-ok\n'], byPassword.stderr);
    const byKey = await srv.ssh(['echo key-ok']);
    assert.deepEqual([byKey.code, byKey.stdout.toString()], [0, 'key-ok\n'], byKey.stderr);
  } finally {
    await srv.stop();
  }
  assert.deepEqual(srv.containers(), []);
}, { timeout: 180_000 });

dockerTest('serve: the config server overrides per user; an invalid answer refuses the login with no container', async () => {
  const stub = await startWebhookStub({
    '/config': (req) => {
      const user = (req.body as { username?: string }).username;
      if (user === 'broken') return { body: { config: { docker: { execution: { mode: 'pod' } } } } };
      return { body: { config: { docker: { execution: { container: { Env: ['FROM_CONFIG=per-user'] } } } } } };
    },
  });
  const srv = await startServe({ config: { configserver: { url: `${stub.url}/config` } } });
  try {
    const broken = await srv.ssh(['echo in'], { user: 'broken' });
    assert.equal(broken.code, 255, broken.stderr);
    noContainerCreated(srv);
    const merged = await srv.ssh(['echo "$FROM_CONFIG"']);
    assert.deepEqual([merged.code, merged.stdout.toString()], [0, 'per-user\n'], merged.stderr);
  } finally {
    await srv.stop();
    await stub.close();
  }
  assert.deepEqual(srv.containers(), []);
}, { timeout: 180_000 });
