// Pulls from a registry that requires htpasswd credentials: right and wrong passwords, config.json, and none at all.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DockerExecutionConfig, RegistryAuth } from '../../src/config/types.js';
import type { DockerEngine } from '../../src/backend/docker/engine/docker-engine.js';
import { openDockerEngine } from '../../src/backend/docker/engine/open-engine.js';
import { ensureImage } from '../../src/backend/docker/image/image-policy.js';
import type { CsshEvent } from '../../src/core/events.js';
import { isCsshError } from '../../src/core/errors.js';
import { createNullLogger } from '../../src/core/logger.js';
import { dockerAvailable, dockerTest, TEST_IMAGES } from '../support/docker.js';
import { imagePresent, pushImage, removeImage, startRegistry, type TestRegistry } from '../support/registry.js';

const TIMEOUTS = { containerStart: 60_000, containerStop: 60_000, commandStart: 60_000, signal: 60_000, window: 60_000, http: 15_000 };
const USER = { username: 'cssh', password: 'right-password' };
let registry: TestRegistry | undefined;
let client: DockerEngine;
let pushed = '';
let emptyConfigDir = '';

function execution(auth: RegistryAuth | null): DockerExecutionConfig {
  return {
    container: { Image: pushed },
    host: null,
    network: null,
    platform: null,
    containername: '',
    auth,
    mode: 'connection',
    idleCommand: ['/bin/sh'],
    shellCommand: ['/bin/sh'],
    agentPath: '',
    disableAgent: true,
    subsystems: {},
    imagePullPolicy: 'IfNotPresent',
    exposeAuthMetadataAsEnv: false,
  };
}

async function pull(auth: RegistryAuth | null, dockerConfigDir: string): Promise<{ events: CsshEvent[]; error?: unknown }> {
  const events: CsshEvent[] = [];
  await removeImage(pushed);
  try {
    await ensureImage(client, execution(auth), {
      signal: AbortSignal.timeout(60_000),
      logger: createNullLogger(),
      onEvent: (e) => events.push(e),
      intervalMs: 200,
      dockerConfigDir,
    });
    return { events };
  } catch (error) {
    return { events, error };
  }
}

const pullAttempts = (events: CsshEvent[]): number => events.filter((e) => e.type === 'docker-request' && e.op === 'image-pull').length;

before(async () => {
  if (!dockerAvailable) return;
  client = await openDockerEngine({ host: '', cacert: '', cert: '', key: '' }, TIMEOUTS, AbortSignal.timeout(20_000));
  registry = await startRegistry({ auth: USER });
  pushed = await pushImage(registry, TEST_IMAGES.busybox, 'cssh-registry-auth/busybox', 'v1');
  emptyConfigDir = join(registry.dir, 'empty-docker-config');
  await mkdir(emptyConfigDir);
});

after(async () => {
  if (pushed !== '') await removeImage(pushed);
  await registry?.stop();
});

dockerTest('the right password in docker.execution.auth pulls the image', async () => {
  const { error } = await pull({ ...USER }, emptyConfigDir);
  assert.equal(error, undefined);
  assert.equal(await imagePresent(pushed), true);
});

dockerTest('a wrong password fails at the first attempt, saying the credentials were rejected', async () => {
  const { events, error } = await pull({ username: USER.username, password: 'wrong' }, emptyConfigDir);
  assert.ok(isCsshError(error), String(error));
  assert.equal(error.code, 'DOCKER_IMAGE_PULL_FAILED');
  assert.equal(error.permanent, true);
  assert.match(error.message, /rejected the credentials from docker\.execution\.auth/);
  assert.equal(pullAttempts(events), 1);
  assert.equal(await imagePresent(pushed), false);
});

dockerTest('no credentials at all fails at once, saying credentials are required', async () => {
  const { events, error } = await pull(null, emptyConfigDir);
  assert.ok(isCsshError(error), String(error));
  assert.equal(error.code, 'DOCKER_IMAGE_PULL_FAILED');
  assert.match(error.message, /requires credentials/);
  assert.equal(pullAttempts(events), 1);
});

dockerTest('credentials from the Docker config.json are used when the config has none', async () => {
  const dir = join(registry?.dir ?? '', 'user-docker-config');
  await mkdir(dir, { recursive: true });
  const auth = Buffer.from(`${USER.username}:${USER.password}`).toString('base64');
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [`http://${registry?.host ?? ''}`]: { auth } } }));
  const { error } = await pull(null, dir);
  assert.equal(error, undefined);
  assert.equal(await imagePresent(pushed), true);
});
