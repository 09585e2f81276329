// Session mode with an empty shellCommand runs the image's own CMD, as migrated 0.3 (dockerrun) configs expect.
import assert from 'node:assert/strict';
import { createDockerBackend } from '../../src/backend/docker/index.js';
import { containersOf, runOnce, testConfig, testContext } from '../support/backend.js';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';

dockerTest('session mode: an empty shellCommand starts the image CMD (cssh-test/bash: CMD /bin/bash)', async () => {
  const backend = createDockerBackend({ instanceId: 'test-image-cmd' });
  const ctx = testContext(testConfig('session', TEST_IMAGES.bash, { shellCommand: [] }));
  const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
  try {
    const shell = await runOnce(conn, { kind: 'shell' }, { stdin: 'echo "from $0"; exit 5\n' });
    assert.deepEqual(shell, { code: 5, stdout: 'from /bin/bash\n', stderr: '' });
  } finally {
    await conn.close();
  }
  assert.deepEqual(containersOf(ctx.info.connectionId), []);
});
