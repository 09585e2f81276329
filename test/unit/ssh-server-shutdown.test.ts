// The SSH server's shutdown leaves nothing behind: a deadline that fires after shutdown finished arms no timer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshConfig } from '../../src/config/types.js';
import { testSshConfig } from '../support/ssh-config.js';
import { createNullLogger } from '../../src/core/logger.js';
import { loadHostKeys } from '../../src/ssh/host-keys.js';
import { createSshServer } from '../../src/ssh/server.js';

const ssh: SshConfig = testSshConfig({ serverVersion: 'SSH-2.0-ContainerSSH', kex: ['curve25519-sha256@libssh.org'], macs: ['hmac-sha2-256'], shutdownTimeout: 2000 });

const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

test('a shutdown deadline that fires after shutdown finished leaves no timer running', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-ssh-stop-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { keys } = await loadHostKeys([], dir);
  const server = createSshServer({
    ssh,
    hostKeys: keys,
    authenticator: { methods: [], password: async () => ({ success: false }), publicKey: async () => ({ success: false }), authorize: async () => ({ success: false }) },
    prepare: () => Promise.reject(new Error('no backend in this test')),
    logger: createNullLogger(),
  });
  await server.listen();
  const deadline = new AbortController();
  await server.shutdown(deadline.signal, 20_000);
  await new Promise((resolve) => setImmediate(resolve));
  const before = timers();
  deadline.abort();
  assert.equal(timers(), before, 'the hard limit must not be armed once everything is closed');
});
