// The pull policy against the real engine and a real local registry: present, absent and pulled, Always, wrong tag, Never.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { DockerExecutionConfig, ImagePullPolicy } from '../../src/config/types.js';
import type { DockerEngine } from '../../src/backend/docker/engine/docker-engine.js';
import { openDockerEngine } from '../../src/backend/docker/engine/open-engine.js';
import { ensureImage, inspectImage } from '../../src/backend/docker/image/image-policy.js';
import type { CsshEvent } from '../../src/core/events.js';
import { isCsshError } from '../../src/core/errors.js';
import { createNullLogger } from '../../src/core/logger.js';
import { dockerAvailable, dockerTest, TEST_IMAGES } from '../support/docker.js';
import { imagePresent, pushImage, removeImage, startRegistry, type TestRegistry } from '../support/registry.js';

const TIMEOUTS = { containerStart: 60_000, containerStop: 60_000, commandStart: 60_000, signal: 60_000, window: 60_000, http: 15_000 };
let registry: TestRegistry | undefined;
let client: DockerEngine;
let pushed = '';

function execution(image: string, imagePullPolicy: ImagePullPolicy): DockerExecutionConfig {
  return {
    container: { Image: image },
    host: null,
    network: null,
    platform: null,
    containername: '',
    auth: null,
    mode: 'connection',
    idleCommand: ['/bin/sh'],
    shellCommand: ['/bin/sh'],
    agentPath: '',
    disableAgent: true,
    subsystems: {},
    imagePullPolicy,
    exposeAuthMetadataAsEnv: false,
  };
}

async function run(image: string, policy: ImagePullPolicy): Promise<{ events: CsshEvent[]; error?: unknown }> {
  const events: CsshEvent[] = [];
  try {
    await ensureImage(client, execution(image, policy), {
      signal: AbortSignal.timeout(60_000),
      logger: createNullLogger(),
      onEvent: (e) => events.push(e),
      intervalMs: 200,
    });
    return { events };
  } catch (error) {
    return { events, error };
  }
}

const attempts = (events: CsshEvent[], op: string): number =>
  events.filter((e) => e.type === 'docker-request' && e.op === op).length;

before(async () => {
  if (!dockerAvailable) return;
  client = await openDockerEngine({ host: '', cacert: '', cert: '', key: '' }, TIMEOUTS, AbortSignal.timeout(20_000));
  registry = await startRegistry();
  pushed = await pushImage(registry, TEST_IMAGES.busybox, 'cssh-image-policy/busybox', 'v1');
});

after(async () => {
  if (pushed !== '') await removeImage(pushed);
  await registry?.stop();
});

dockerTest('IfNotPresent with a present image checks and does not pull', async () => {
  const { events, error } = await run(TEST_IMAGES.busybox, 'IfNotPresent');
  assert.equal(error, undefined);
  assert.equal(attempts(events, 'image-inspect'), 1);
  assert.equal(attempts(events, 'image-pull'), 0);
});

dockerTest('IfNotPresent with an absent image pulls it from the registry, with progress events', async () => {
  await removeImage(pushed);
  assert.equal(await imagePresent(pushed), false);
  const { events, error } = await run(pushed, 'IfNotPresent');
  assert.equal(error, undefined);
  assert.equal(attempts(events, 'image-pull'), 1);
  assert.ok(events.some((e) => e.type === 'pull-progress'));
  assert.ok(events.some((e) => e.type === 'phase-end' && e.phase === 'pull' && e.ok));
  assert.equal(await imagePresent(pushed), true);
  const again = await run(pushed, 'IfNotPresent');
  assert.equal(attempts(again.events, 'image-pull'), 0);
  await removeImage(pushed);
});

dockerTest('Always pulls even when the image is present', async () => {
  const { events, error } = await run(pushed, 'Always');
  assert.equal(error, undefined);
  assert.equal(attempts(events, 'image-inspect'), 0);
  assert.equal(attempts(events, 'image-pull'), 1);
  await removeImage(pushed);
});

dockerTest('a wrong tag fails at the first attempt with a clear permanent error', async () => {
  const wrong = pushed.replace(/:v1$/, ':no-such-tag');
  const { events, error } = await run(wrong, 'IfNotPresent');
  assert.ok(isCsshError(error), String(error));
  assert.equal(error.code, 'DOCKER_IMAGE_PULL_FAILED');
  assert.equal(error.permanent, true);
  assert.match(error.message, /does not exist/);
  assert.match(error.message, /no-such-tag/);
  assert.equal(attempts(events, 'image-pull'), 1);
});

dockerTest('Never with an absent image fails at once with DOCKER_IMAGE_NOT_FOUND, without pulling', async () => {
  await removeImage(pushed);
  const { events, error } = await run(pushed, 'Never');
  assert.ok(isCsshError(error), String(error));
  assert.equal(error.code, 'DOCKER_IMAGE_NOT_FOUND');
  assert.equal(error.permanent, true);
  assert.match(error.message, /imagePullPolicy/);
  assert.equal(attempts(events, 'image-pull'), 0);
  const present = await run(TEST_IMAGES.busybox, 'Never');
  assert.equal(present.error, undefined);
});

dockerTest('an image id is inspected, never pulled, whatever the policy', async () => {
  const presence = await inspectImage(client, TEST_IMAGES.busybox, AbortSignal.timeout(20_000));
  assert.ok(presence.present);
  const { events, error } = await run(presence.id, 'Always');
  assert.equal(error, undefined);
  assert.equal(attempts(events, 'image-pull'), 0);
  const missing = await run(`sha256:${'0'.repeat(64)}`, 'IfNotPresent');
  assert.ok(isCsshError(missing.error), String(missing.error));
  assert.equal(missing.error.code, 'DOCKER_IMAGE_NOT_FOUND');
  assert.match(missing.error.message, /image id cannot be pulled/);
});
