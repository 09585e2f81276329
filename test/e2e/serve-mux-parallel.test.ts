// Many sessions opened at once on one multiplexed connection (ControlMaster) are all served, in both modes.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { run, startServe } from '../support/serve-harness.js';

const PARALLEL = 10;

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`serve (${mode} mode): ${PARALLEL} sessions opened at once through one ControlMaster all run`, async () => {
    const srv = await startServe({ mode, image: TEST_IMAGES.busybox });
    const control = join(mkdtempSync(join(tmpdir(), 'cssh-mux-')), 'cm');
    const args = [...srv.sshArgs().slice(0, -1), '-o', `ControlPath=${control}`];
    const target = srv.sshArgs().at(-1) ?? '';
    try {
      const master = await run('ssh', [...args, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=60', '-fN', target], { timeoutMs: 60_000 });
      assert.equal(master.code, 0, master.stderr);
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) => run('ssh', [...args, target, `echo session ${i}`], { timeoutMs: 120_000 })),
      );
      results.forEach((result, i) => {
        assert.equal(result.code, 0, `session ${i}: ${result.stderr}`);
        assert.equal(result.stdout.toString(), `session ${i}\n`);
      });
      await run('ssh', [...args, '-O', 'exit', target], { timeoutMs: 30_000 });
    } finally {
      await srv.stop();
    }
    assert.deepEqual(srv.containers(), []);
  }, { timeout: 300_000 });
}
