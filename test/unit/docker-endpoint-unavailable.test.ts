// An engine that is not there (missing socket, refused TCP, a non-socket path) gives one permanent DOCKER_UNAVAILABLE error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { openDockerEngine } from '../../src/backend/docker/engine/open-engine.js';
import { isCsshError } from '../../src/core/errors.js';

const TIMEOUTS = { containerStart: 60_000, containerStop: 60_000, commandStart: 60_000, signal: 60_000, window: 60_000, http: 15_000 };

async function openError(host: string): Promise<unknown> {
  try {
    await openDockerEngine({ host, cacert: '', cert: '', key: '' }, TIMEOUTS, AbortSignal.timeout(60_000));
  } catch (error) {
    return error;
  }
  return undefined;
}

function assertUnavailable(error: unknown, endpoint: string, reason: RegExp): void {
  assert.ok(isCsshError(error), String(error));
  assert.equal(error.code, 'DOCKER_UNAVAILABLE');
  assert.equal(error.permanent, true);
  assert.ok(error.message.includes(endpoint), error.message);
  assert.match(error.message, reason);
  assert.match(error.message, /docker\.connection\.host|DOCKER_HOST/);
}

test('a socket path that does not exist fails at once with DOCKER_UNAVAILABLE naming it', async () => {
  const error = await openError('unix:///nonexistent/cssh-test/docker.sock');
  assertUnavailable(error, 'unix:///nonexistent/cssh-test/docker.sock', /does not exist/);
});

test('a TCP endpoint with no engine listening fails with DOCKER_UNAVAILABLE', async () => {
  const error = await openError('tcp://127.0.0.1:1');
  assertUnavailable(error, 'tcp://127.0.0.1:1', /refused/);
});

test('a path that is not a socket is reported as unreachable, not as a hang', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-sock-'));
  try {
    const path = join(dir, 'docker.sock');
    await writeFile(path, '');
    const error = await openError(`unix://${path}`);
    assertUnavailable(error, path, /refused|not a socket/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a host without a scheme is a config error, not a connection attempt', async () => {
  const error = await openError('127.0.0.1:2375');
  assert.ok(isCsshError(error));
  assert.equal(error.code, 'DOCKER_CONFIG_ERROR');
});

test('a web server that is not Docker is named as such, without its page and without claiming a timeout', async (t) => {
  const web = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<!DOCTYPE HTML><html><body>Error response</body></html>'));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  t.after(() => web.close());
  const address = web.address();
  const endpoint = `tcp://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const error = await openError(endpoint);
  assertUnavailable(error, endpoint, /answered HTTP 404 to GET \/version, so it is not a Docker engine/);
  assert.ok(isCsshError(error) && !/DOCTYPE|no answer within/.test(error.message), String(error));
});
