// Under a TTY, the client's stdin EOF must not cut the program's output (OpenSSH's sshd ignores EOF for pty sessions).
import assert from 'node:assert/strict';
import { createDockerBackend } from '../../src/backend/docker/index.js';
import type { ExecutionMode } from '../../src/config/types.js';
import { containersOf, runOnce, testConfig, testContext } from '../support/backend.js';
import { dockerTest } from '../support/docker.js';

for (const mode of ['connection', 'session'] as ExecutionMode[]) {
  dockerTest(`${mode} mode: a TTY program whose stdin ends at once still delivers all its output`, async () => {
    const backend = createDockerBackend({ instanceId: 'test-tty-eof' });
    const ctx = testContext(testConfig(mode));
    const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
    try {
      for (let round = 0; round < 8; round++) {
        const result = await runOnce(conn, { kind: 'exec', command: 'sleep 0.1; echo x; seq 1 200 | tail -n 1' }, {
          pty: { term: 'xterm', cols: 80, rows: 24 },
        });
        assert.deepEqual(result, { code: 0, stdout: 'x\r\n200\r\n', stderr: '' }, `round ${round}`);
      }
    } finally {
      await conn.close();
    }
    assert.deepEqual(containersOf(ctx.info.connectionId), []);
  });
}
