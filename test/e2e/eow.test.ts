// `cssh serve` and OpenSSH's eow@openssh.com: when the client's stdout closes (`ssh host yes | head -1`), the
// program's stdout is dropped and the program gets PIPE (whatever the signal policy), so the session ends as it
// would over OpenSSH's sshd.
import assert from 'node:assert/strict';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { run, startServe } from '../support/serve-harness.js';
import { eventually } from './production-helpers.js';

/** OpenSSH clients send eow@openssh.com only to servers whose version string starts with "OpenSSH". */
const OPENSSH_VERSION = 'SSH-2.0-OpenSSH_9.9';

/** Client signal requests are disabled: the PIPE cssh sends on eow is not one of them. */
const SERVER_CONFIG = { ssh: { serverVersion: OPENSSH_VERSION }, security: { signal: { mode: 'disable' } } };

const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`eow@openssh.com (${mode} mode): ssh host yes | head -1 ends; the server keeps serving`, async () => {
    const srv = await startServe({ mode, image: TEST_IMAGES.busybox, config: SERVER_CONFIG });
    let stopped: number | null = null;
    try {
      const ssh = ['ssh', ...srv.sshArgs(), 'yes'].map(quote).join(' ');
      // `timeout` is the hang guard: without eow handling `yes` would run until the client is killed.
      const pipeline = await run('/bin/sh', ['-c', `{ timeout 60 ${ssh}; echo "ssh-status=$?" >&2; } | head -1`], { timeoutMs: 90_000 });
      assert.equal(pipeline.stdout.toString(), 'y\n', pipeline.stderr);
      // The program died of SIGPIPE (128+13), reported as its exit status; 124 would be the hang guard.
      assert.match(pipeline.stderr, /ssh-status=141\n/, `${pipeline.stderr}\n${srv.output().slice(-3000)}`);
      const after = await srv.ssh(['echo still-serving']);
      assert.deepEqual([after.code, after.stdout.toString()], [0, 'still-serving\n']);
      await eventually(() => srv.containers().length === 0, 'no container left after the clients left', 60_000);
    } finally {
      stopped = await srv.stop();
    }
    assert.equal(stopped, 0, srv.output().slice(-2000));
    assert.deepEqual(srv.containers(), []);
  }, { timeout: 180_000 });
}
