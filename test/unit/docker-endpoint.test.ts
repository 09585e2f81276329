// Endpoint resolution from config and environment, TLS material, and API-version negotiation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDockerEndpoint, type EndpointEnvironment } from '../../src/backend/docker/engine/docker-endpoint.js';
import { compareApiVersions, negotiateApiVersion, unreachableReason } from '../../src/backend/docker/engine/open-engine.js';
import { isCsshError } from '../../src/core/errors.js';

const PEM = (what: string): string => `-----BEGIN ${what}-----\nAAAA\n-----END ${what}-----\n`;

function fakeEnv(env: Record<string, string>, files: Record<string, string> = {}): EndpointEnvironment {
  return {
    env,
    exists: (path) => path in files,
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    home: '/home/u',
  };
}

const noConn = { host: '', cacert: '', cert: '', key: '' };

function assertConfigError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => isCsshError(error) && error.code === 'DOCKER_CONFIG_ERROR' && pattern.test(error.message));
}

test('defaults to /var/run/docker.sock when nothing is set', () => {
  const ep = resolveDockerEndpoint(noConn, fakeEnv({}));
  assert.equal(ep.socketPath, '/var/run/docker.sock');
  assert.equal(ep.url, 'unix:///var/run/docker.sock');
  assert.equal(ep.source, 'default');
});

test('prefers the rootless socket when it exists', () => {
  const env = fakeEnv({ XDG_RUNTIME_DIR: '/run/user/1000' }, { '/run/user/1000/docker.sock': '' });
  const ep = resolveDockerEndpoint(noConn, env);
  assert.equal(ep.socketPath, '/run/user/1000/docker.sock');
  assert.equal(ep.source, 'rootless');
  assert.equal(resolveDockerEndpoint(noConn, fakeEnv({ XDG_RUNTIME_DIR: '/run/user/1000' })).source, 'default');
});

test('DOCKER_HOST wins over the sockets; DOCKER_TLS_VERIFY reads the certs from DOCKER_CERT_PATH', () => {
  const unix = resolveDockerEndpoint(noConn, fakeEnv({ DOCKER_HOST: 'unix:///run/podman/podman.sock', XDG_RUNTIME_DIR: '/r' }, { '/r/docker.sock': '' }));
  assert.equal(unix.socketPath, '/run/podman/podman.sock');
  assert.equal(unix.source, 'DOCKER_HOST');
  const files = { '/certs/ca.pem': PEM('CA'), '/certs/cert.pem': PEM('CERT'), '/certs/key.pem': PEM('KEY') };
  const tls = resolveDockerEndpoint(noConn, fakeEnv({ DOCKER_HOST: 'tcp://10.0.0.5', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, files));
  assert.equal(tls.protocol, 'https');
  assert.equal(tls.port, 2376);
  assert.equal(tls.hostname, '10.0.0.5');
  assert.equal(tls.tls?.verify, true);
  assert.equal(tls.tls?.ca, PEM('CA'));
  const plain = resolveDockerEndpoint(noConn, fakeEnv({ DOCKER_HOST: 'tcp://10.0.0.5:2375' }));
  assert.equal(plain.protocol, 'http');
  assert.equal(plain.tls, undefined);
  assert.equal(plain.url, 'tcp://10.0.0.5:2375');
});

test('DOCKER_TLS_VERIFY without DOCKER_CERT_PATH reads ~/.docker; a missing cert file is a clear error', () => {
  const files = { '/home/u/.docker/ca.pem': 'c', '/home/u/.docker/cert.pem': 'c', '/home/u/.docker/key.pem': 'k' };
  const ep = resolveDockerEndpoint(noConn, fakeEnv({ DOCKER_HOST: 'tcp://h:1', DOCKER_TLS_VERIFY: '1' }, files));
  assert.equal(ep.tls?.key, 'k');
  assertConfigError(() => resolveDockerEndpoint(noConn, fakeEnv({ DOCKER_HOST: 'tcp://h:1', DOCKER_TLS_VERIFY: '1' })), /ca\.pem/);
});

test('docker.connection.host wins over DOCKER_HOST', () => {
  const ep = resolveDockerEndpoint({ ...noConn, host: 'unix:///custom.sock' }, fakeEnv({ DOCKER_HOST: 'tcp://other:2375' }));
  assert.equal(ep.socketPath, '/custom.sock');
  assert.equal(ep.source, 'config');
});

test('config TLS takes PEM text or file paths, and only all three together', () => {
  const files = { '/etc/cssh/key.pem': PEM('KEY') };
  const conn = { host: 'tcp://docker.example:2376', cacert: PEM('CA'), cert: PEM('CERT'), key: '/etc/cssh/key.pem' };
  const ep = resolveDockerEndpoint(conn, fakeEnv({}, files));
  assert.equal(ep.protocol, 'https');
  assert.equal(ep.tls?.key, PEM('KEY'));
  assert.equal(ep.tls?.cert.trim(), PEM('CERT').trim());
  assertConfigError(() => resolveDockerEndpoint({ ...conn, key: '' }, fakeEnv({}, files)), /together.*2 of 3/);
  assertConfigError(() => resolveDockerEndpoint({ ...conn, key: '/missing.pem' }, fakeEnv({}, files)), /docker\.connection\.key.*\/missing\.pem/);
});

test('http:// is plain, https:// is TLS, IPv6 hosts keep their brackets in the URL', () => {
  assert.equal(resolveDockerEndpoint({ ...noConn, host: 'http://127.0.0.1:2375' }, fakeEnv({})).protocol, 'http');
  const v6 = resolveDockerEndpoint({ ...noConn, host: 'https://[::1]:2376' }, fakeEnv({}));
  assert.equal(v6.protocol, 'https');
  assert.equal(v6.hostname, '::1');
  assert.equal(v6.url, 'https://[::1]:2376');
});

test('a host without a scheme or with an unsupported one is a clear config error', () => {
  assertConfigError(() => resolveDockerEndpoint({ ...noConn, host: '127.0.0.1:2375' }, fakeEnv({})), /no scheme.*tcp:\/\//);
  assertConfigError(() => resolveDockerEndpoint({ ...noConn, host: 'ssh://me@box' }, fakeEnv({})), /not supported/);
  assertConfigError(() => resolveDockerEndpoint(noConn, fakeEnv({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' })), /DOCKER_HOST/);
});

test('API version negotiation takes the lower of server and client, within the server minimum', () => {
  assert.equal(negotiateApiVersion('1.41', '1.12'), '1.41');
  assert.equal(negotiateApiVersion('1.52', '1.44'), '1.47');
  assert.equal(negotiateApiVersion('1.60', '1.50'), '1.50');
  assert.throws(() => negotiateApiVersion('1.20'), /older than/);
  assert.ok(compareApiVersions('1.9', '1.10') < 0);
});

test('connection errors that mean "unreachable" are recognised', () => {
  assert.match(unreachableReason({ code: 'ENOENT' }) ?? '', /does not exist/);
  assert.match(unreachableReason({ code: 'EACCES' }) ?? '', /permission/);
  assert.equal(unreachableReason(new Error('boom')), undefined);
});
