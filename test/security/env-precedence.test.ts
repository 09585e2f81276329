// The operator's env (config Env, auth webhook environment) wins over the client's; SSH_ORIGINAL_COMMAND is cssh's.
import assert from 'node:assert/strict';
import { dockerTest } from '../support/docker.js';
import { startServe } from '../support/serve-harness.js';
import { acceptKeys, startWebhookStub } from '../support/webhook-stub.js';

const CLIENT_ENV = ['-o', 'SetEnv=FROM_CONFIG=client FROM_WEBHOOK=client CLIENT_ONLY=client SSH_ORIGINAL_COMMAND=forged'];
const SHOW = 'echo "$FROM_CONFIG|$FROM_WEBHOOK|$CLIENT_ONLY|${SSH_ORIGINAL_COMMAND-unset}"';

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`${mode} mode: config Env and webhook environment win over SSH env; SSH_ORIGINAL_COMMAND is set by cssh`, async () => {
    const environment = { FROM_WEBHOOK: { value: 'webhook', sensitive: false } };
    const stub = await startWebhookStub({});
    const srv = await startServe({
      mode,
      keepAuth: true,
      config: {
        auth: { publicKey: { method: 'webhook', webhook: { url: stub.url, timeout: '2s', authTimeout: '5s' } } },
        docker: { execution: { container: { Env: ['FROM_CONFIG=config'] } } },
      },
    });
    try {
      stub.on('/pubkey', acceptKeys({ tester: [srv.publicKey] }, { environment }));
      const exec = await srv.ssh([SHOW], { extra: CLIENT_ENV });
      assert.equal(exec.code, 0, exec.stderr);
      assert.equal(exec.stdout.toString(), `config|webhook|client|${SHOW}\n`);
      const shell = await srv.ssh([], { extra: [...CLIENT_ENV, '-T'], input: `${SHOW}\nexit\n` });
      assert.equal(shell.code, 0, shell.stderr);
      assert.equal(shell.stdout.toString(), 'config|webhook|client|\n', 'a shell gets an empty SSH_ORIGINAL_COMMAND, never the client\'s');
      assert.match(srv.output(), /SECURITY_ENV_RESERVED/);
    } finally {
      await srv.stop();
      await stub.close();
    }
    assert.deepEqual(srv.containers(), []);
  }, { timeout: 180_000 });
}
