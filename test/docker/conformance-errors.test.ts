// Conformance: an unreachable engine, a wrong socket path and a missing image fail at once with their codes, leaving
// nothing; orphan removal touches only its own instance.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import Dockerode from 'dockerode';
import { createDockerBackend, removeOrphans } from '../../src/backend/docker/index.js';
import { unprobedEngine } from '../../src/backend/docker/engine/open-engine.js';
import type { AppConfig } from '../../src/config/types.js';
import { createNullLogger } from '../../src/core/logger.js';
import { containersOf, testConfig, testContext } from '../support/backend.js';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';

/** Deadlines far beyond the test's hang guard: only failing fast can pass. */
function slowDeadlines(config: AppConfig): AppConfig {
  config.docker.timeouts = { ...config.docker.timeouts, containerStart: 300_000, commandStart: 300_000 };
  return config;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 1;
}

const cases: [string, (c: AppConfig) => Promise<void> | void, string][] = [
  ['a wrong socket path', (c) => { c.docker.connection.host = 'unix:///nonexistent/cssh/docker.sock'; }, 'DOCKER_UNAVAILABLE'],
  ['an engine that is down', async (c) => { c.docker.connection.host = `tcp://127.0.0.1:${await closedPort()}`; }, 'DOCKER_UNAVAILABLE'],
  ['a missing image with Never', (c) => { c.docker.execution.container = { Image: 'cssh-test/absent:never' }; }, 'DOCKER_IMAGE_NOT_FOUND'],
];

for (const mode of ['connection', 'session'] as const) {
  for (const [name, change, code] of cases) {
    dockerTest(`${mode} mode: ${name} gives ${code} at once and leaves nothing`, async () => {
      const config = slowDeadlines(testConfig(mode));
      await change(config);
      const ctx = testContext(config);
      const backend = createDockerBackend({ instanceId: 'test-errors' });
      const error = await backend.connect(ctx, AbortSignal.timeout(60_000)).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof Error, 'connect must fail');
      assert.equal((error as { code?: string }).code, code, String(error));
      assert.ok(error.message.length > 20, 'the message explains the problem');
      assert.deepEqual(containersOf(ctx.info.connectionId), []);
    }, { timeout: 45_000 });
  }
}

dockerTest('removeOrphans removes its own instance containers and never another instance\'s', async () => {
  const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
  const connection = `orphan${Date.now().toString(16)}`;
  const make = async (instance: string): Promise<string> => {
    const c = await docker.createContainer({
      Image: TEST_IMAGES.busybox, Cmd: ['sleep', '60'], HostConfig: { NetworkMode: 'none' },
      Labels: { 'cssh.instance': instance, 'cssh.connection': connection },
    });
    return c.id;
  };
  const mine = await make('test-orphans-mine');
  const theirs = await make('test-orphans-theirs');
  try {
    assert.equal(await removeOrphans(await unprobedEngine({ host: '', cacert: '', cert: '', key: '' }), 'test-orphans-mine', createNullLogger()), 1);
    const left = execFileSync('docker', ['ps', '-aq', '--no-trunc', '--filter', `label=cssh.connection=${connection}`], { encoding: 'utf8' });
    assert.ok(!left.includes(mine), 'own orphan removed');
    assert.ok(left.includes(theirs), 'other instance untouched');
  } finally {
    await docker.getContainer(theirs).remove({ force: true }).catch(() => undefined);
    await docker.getContainer(mine).remove({ force: true }).catch(() => undefined);
  }
});
