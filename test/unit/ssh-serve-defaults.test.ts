// Zero-config defaults of `cssh serve`: state directory, loopback listen, invoking user only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../src/config/index.js';
import type { SshAuthenticator } from '../../src/ssh/auth-types.js';
import { applyZeroConfigDefaults, defaultStateDir, restrictToUser } from '../../src/ssh/serve-defaults.js';

test('the state directory follows XDG_STATE_HOME, else ~/.local/state', () => {
  assert.equal(defaultStateDir({ XDG_STATE_HOME: '/var/state' }), '/var/state/cssh');
  assert.match(defaultStateDir({}), /\/\.local\/state\/cssh$/);
});

test('zero-config listens on loopback and reads the invoking user\'s authorized_keys, for that user only', async () => {
  const config = applyZeroConfigDefaults(defaultConfig(), { name: 'alice', authorizedKeys: '/home/alice/.ssh/authorized_keys' });
  assert.equal(config.ssh.listen, '127.0.0.1:2222');
  assert.equal(config.auth.publicKey.method, 'authorizedkeys');
  assert.equal(config.auth.publicKey.authorizedKeys.path, '/home/alice/.ssh/authorized_keys');
  const asked: string[] = [];
  const inner: SshAuthenticator = {
    methods: ['publickey'],
    password: async () => ({ success: true }),
    publicKey: async (req) => (asked.push(req.username), { success: true }),
    authorize: async () => ({ success: true }),
  };
  const only = restrictToUser(inner, 'alice');
  const base = { connectionId: 'c', remoteAddress: '127.0.0.1:1', clientVersion: 'SSH-2.0-x' };
  const signal = new AbortController().signal;
  assert.equal((await only.publicKey({ ...base, username: 'alice' }, 'ssh-ed25519 AAAA', signal)).success, true);
  assert.equal((await only.publicKey({ ...base, username: 'bob' }, 'ssh-ed25519 AAAA', signal)).success, false);
  assert.equal((await only.password({ ...base, username: 'bob' }, Buffer.from('x'), signal)).success, false);
  assert.deepEqual(asked, ['alice']);
});
