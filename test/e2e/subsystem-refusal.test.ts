// `ssh -s host nosuch`: an unknown subsystem is refused at the SSH level, as OpenSSH's sshd and ContainerSSH refuse it
// (the client prints "subsystem request failed" and exits 255), in both modes, while a configured one still runs.
import assert from 'node:assert/strict';
import { dockerTest } from '../support/docker.js';
import { startServe } from '../support/serve-harness.js';

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`serve (${mode} mode): an unknown subsystem is refused (exit 255), a configured one runs, nothing is left`, async () => {
    const srv = await startServe({ mode, config: { docker: { execution: { subsystems: { hello: '/bin/hostname' } } } } });
    let stopped: number | null = null;
    try {
      const unknown = await srv.ssh(['-s', '--', 'nosuch']);
      assert.equal(unknown.code, 255, `${unknown.stderr}\n${unknown.stdout.toString()}`);
      assert.match(unknown.stderr, /subsystem request failed on channel 0/);
      assert.doesNotMatch(`${unknown.stderr}${unknown.stdout.toString()}`, /subsystem not supported/);
      assert.match(srv.output(), /subsystem refused: the subsystem \\"nosuch\\" is not configured/);
      // sftp is not in the map given here (a given map replaces the default): refused the same way.
      assert.equal((await srv.ssh(['-s', '--', 'sftp'])).code, 255);
      const known = await srv.ssh(['-s', '--', 'hello']);
      assert.equal(known.code, 0, known.stderr);
      assert.ok(known.stdout.toString().trim().length > 0, 'the subsystem program ran');
    } finally {
      stopped = await srv.stop();
    }
    assert.equal(stopped, 0, srv.output());
    assert.deepEqual(srv.containers(), []);
  }, { timeout: 180_000 });
}
