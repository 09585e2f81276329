// Conformance: a pty reports its size before and after a resize; TERM reaches a running sleep without the agent.
import assert from 'node:assert/strict';
import { createDockerBackend } from '../../src/backend/docker/index.js';
import type { ExecutionMode } from '../../src/config/types.js';
import { containersOf, eventually, runOnce, startInteractive, testConfig, testContext } from '../support/backend.js';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';

for (const mode of ['connection', 'session'] as ExecutionMode[]) {
  dockerTest(`${mode} mode: pty size before and after a resize, TERM and exit`, async () => {
    const backend = createDockerBackend({ instanceId: 'test-pty' });
    const ctx = testContext(testConfig(mode, TEST_IMAGES.bash));
    const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
    try {
      const once = await runOnce(conn, { kind: 'exec', command: 'stty size; echo "$TERM"' }, { pty: { term: 'xterm', cols: 80, rows: 25 } });
      assert.equal(once.code, 0);
      assert.equal(once.stdout, '25 80\r\nxterm\r\n');

      const shell = await startInteractive(conn, { kind: 'shell' }, { pty: { term: 'xterm', cols: 80, rows: 25 }, env: { foo: 'bar' } });
      shell.stdin.write('stty size; echo "b:$BASH_VERSION:$foo"\n');
      await eventually(() => /\n25 80\r\n/.test(shell.stdout.text) && /b:\d[^:]*:bar/.test(shell.stdout.text));
      await shell.session.resize({ cols: 120, rows: 40 });
      shell.stdin.write('stty size\n');
      await eventually(() => shell.stdout.text.includes('40 120'));
      shell.stdin.write('exit 0\n');
      assert.equal((await shell.program.exited).code, 0);
      await shell.session.close();

      const sleeper = await startInteractive(conn, { kind: 'exec', command: 'echo started; sleep 30' });
      await eventually(() => sleeper.stdout.text.includes('started'));
      await sleeper.session.signal('TERM');
      assert.equal((await sleeper.program.exited).code, 143);
      await sleeper.session.close();
      await assert.rejects(sleeper.session.signal('TERM'), { code: 'DOCKER_PROGRAM_NOT_RUNNING' });
    } finally {
      await conn.close();
    }
    assert.deepEqual(containersOf(ctx.info.connectionId), []);
  });
}
