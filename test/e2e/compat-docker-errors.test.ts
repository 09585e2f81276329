// Real Docker engine errors as an operator's config provokes them: which ones cssh must not retry for a minute.
import assert from 'node:assert/strict';
import Dockerode from 'dockerode';
import { isPermanentDockerError } from '../../src/backend/docker/engine/docker-call.js';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';

async function createError(body: Record<string, unknown>): Promise<unknown> {
  const docker = new Dockerode();
  try {
    const container = await docker.createContainer({ Image: TEST_IMAGES.busybox, HostConfig: { NetworkMode: 'none' }, Labels: { 'cssh.connection': 'compat-docker-errors' }, ...body });
    await container.remove({ force: true });
    return undefined;
  } catch (error) {
    return error;
  }
}

dockerTest('a create body the engine cannot decode (numeric User, as in `user: 1000`) is a permanent error', async () => {
  const error = await createError({ User: 1000 });
  assert.ok(error, 'the engine accepted a numeric User');
  assert.equal(isPermanentDockerError(error), true, (error as Error).message);
});

dockerTest('a create of an image that is not there is a permanent error', async () => {
  const error = await createError({ Image: 'cssh-test/does-not-exist:never' });
  assert.ok(error);
  assert.equal(isPermanentDockerError(error), true, (error as Error).message);
});
