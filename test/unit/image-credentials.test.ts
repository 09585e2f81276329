// Registry credential lookup: docker.execution.auth, then the Docker CLI's config.json; classification of pull failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyPullFailure, engineMessage } from '../../src/backend/docker/image/image-errors.js';
import { PullStreamError } from '../../src/backend/docker/image/image-pull.js';
import { credentialsFromConfig, fromDockerConfig, registryHostOfKey, resolveCredentials } from '../../src/backend/docker/image/registry-auth.js';
import type { LogLevel, Logger } from '../../src/core/logger.js';

const basic = (user: string, pass: string): string => Buffer.from(`${user}:${pass}`).toString('base64');

function recordingLogger(lines: string[]): Logger {
  const log = (level: LogLevel) => (code: string, message: string) => void lines.push(`${level} ${code} ${message}`);
  const logger: Logger = {
    log: (level, code, message) => void lines.push(`${level} ${code} ${message}`),
    debug: log('debug'),
    info: log('info'),
    notice: log('notice'),
    warning: log('warning'),
    error: log('error'),
    child: () => logger,
  };
  return logger;
}

test('config.json keys map to registry hosts; Docker Hub aliases fold to docker.io', () => {
  assert.equal(registryHostOfKey('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(registryHostOfKey('127.0.0.1:5000'), '127.0.0.1:5000');
  assert.equal(registryHostOfKey('http://127.0.0.1:5000/v2/'), '127.0.0.1:5000');
  assert.equal(registryHostOfKey('ghcr.io'), 'ghcr.io');
});

test('docker.execution.auth: auth (base64 user:pass) fills username and password; serveraddress defaults to the registry', () => {
  const creds = credentialsFromConfig({ auth: basic('alice', 'pa:ss') }, '127.0.0.1:5000');
  assert.deepEqual(creds, { serveraddress: '127.0.0.1:5000', username: 'alice', password: 'pa:ss' });
  const hub = credentialsFromConfig({ username: 'bob', password: 'x' }, 'docker.io');
  assert.equal(hub.serveraddress, 'https://index.docker.io/v1/');
});

test('config.json entries are found by registry, with auth or username/password', () => {
  const lines: string[] = [];
  const logger = recordingLogger(lines);
  const parsed = {
    auths: {
      'https://index.docker.io/v1/': { auth: basic('hubuser', 'hubpass') },
      '127.0.0.1:5000': { username: 'u', password: 'p' },
      'ghcr.io': {},
    },
  };
  assert.deepEqual(fromDockerConfig(parsed, 'docker.io', logger), {
    serveraddress: 'https://index.docker.io/v1/',
    username: 'hubuser',
    password: 'hubpass',
  });
  assert.equal(fromDockerConfig(parsed, '127.0.0.1:5000', logger)?.password, 'p');
  assert.equal(fromDockerConfig(parsed, 'ghcr.io', logger), undefined);
  assert.equal(fromDockerConfig(parsed, 'quay.io', logger), undefined);
});

test('credential helpers are skipped with a debug line', () => {
  const lines: string[] = [];
  const found = fromDockerConfig({ auths: { 'ghcr.io': {} }, credsStore: 'desktop' }, 'ghcr.io', recordingLogger(lines));
  assert.equal(found, undefined);
  assert.ok(lines.some((l) => l.startsWith('debug') && l.includes('desktop')), lines.join('\n'));
});

test('resolveCredentials prefers docker.execution.auth, then reads config.json from the given directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-creds-'));
  try {
    const logger = recordingLogger([]);
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { '127.0.0.1:5000': { auth: basic('file', 'secret') } } }));
    const fromFile = await resolveCredentials('127.0.0.1:5000', null, { logger, dockerConfigDir: dir });
    assert.equal(fromFile?.credentials.username, 'file');
    assert.equal(fromFile?.source, join(dir, 'config.json'));
    const fromConfig = await resolveCredentials('127.0.0.1:5000', { username: 'cfg', password: 'pw' }, { logger, dockerConfigDir: dir });
    assert.equal(fromConfig?.credentials.username, 'cfg');
    assert.equal(fromConfig?.source, 'docker.execution.auth');
    const emptyAuth = await resolveCredentials('127.0.0.1:5000', { email: 'x@y' }, { logger, dockerConfigDir: dir });
    assert.equal(emptyAuth?.source, join(dir, 'config.json'));
    assert.equal(await resolveCredentials('127.0.0.1:5000', null, { logger, dockerConfigDir: join(dir, 'missing') }), undefined);
    await writeFile(join(dir, 'config.json'), '{not json');
    assert.equal(await resolveCredentials('127.0.0.1:5000', null, { logger, dockerConfigDir: dir }), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pull failures are classified from status, engine text and progress-stream errors', () => {
  const http = (statusCode: number, text: string): Error =>
    Object.assign(new Error(`(HTTP code ${statusCode}) server error - ${text} `), { statusCode });
  assert.equal(classifyPullFailure(http(500, 'Head "http://r/v2/x/manifests/latest": no basic auth credentials')), 'unauthorized');
  assert.equal(classifyPullFailure(http(500, 'unauthorized: authentication required')), 'unauthorized');
  assert.equal(classifyPullFailure(http(404, 'manifest for r/x:nope not found: manifest unknown')), 'not-found');
  assert.equal(classifyPullFailure(http(500, 'Get "http://127.0.0.1:1/v2/": dial tcp: connect: connection refused')), 'transient');
  assert.equal(classifyPullFailure(new PullStreamError('manifest unknown: manifest unknown')), 'not-found');
  assert.equal(classifyPullFailure(new PullStreamError('failed to register layer: no space left on device')), 'transient');
  assert.equal(classifyPullFailure(Object.assign(new Error('connect ENOENT /x'), { code: 'ENOENT' })), 'unavailable');
  assert.equal(engineMessage(http(404, 'manifest unknown')), 'manifest unknown');
});
