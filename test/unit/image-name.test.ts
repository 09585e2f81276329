// Image reference canonicalisation (Docker's normalisation rules) and the pull-policy decision table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarName, parseImageReference } from '../../src/backend/docker/image/image-name.js';
import { decidePull } from '../../src/backend/docker/image/image-policy.js';
import { isCsshError } from '../../src/core/errors.js';

const canonical = (image: string): string => parseImageReference(image).canonical;

test('Docker Hub names get docker.io/, official images library/, and :latest', () => {
  assert.equal(canonical('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(canonical('busybox:1.36'), 'docker.io/library/busybox:1.36');
  assert.equal(canonical('cssh-test/busybox'), 'docker.io/cssh-test/busybox:latest');
  assert.equal(canonical('containerssh/containerssh-guest-image'), 'docker.io/containerssh/containerssh-guest-image:latest');
  assert.equal(canonical('docker.io/busybox'), 'docker.io/library/busybox:latest');
  assert.equal(canonical('index.docker.io/library/alpine:3'), 'docker.io/library/alpine:3');
});

test('registry hosts (with a dot, a port, or localhost) stay as they are', () => {
  assert.equal(canonical('127.0.0.1:5000/x'), '127.0.0.1:5000/x:latest');
  assert.equal(canonical('127.0.0.1:5000/team/app:v2'), '127.0.0.1:5000/team/app:v2');
  assert.equal(canonical('localhost/app'), 'localhost/app:latest');
  assert.equal(canonical('ghcr.io/org/img:1.0'), 'ghcr.io/org/img:1.0');
  const ref = parseImageReference('registry.example.com:5000/a/b:c');
  assert.equal(ref.registry, 'registry.example.com:5000');
  assert.equal(ref.path, 'a/b');
  assert.equal(ref.tag, 'c');
  assert.equal(ref.repository, 'registry.example.com:5000/a/b');
});

test('digests are kept; a digest alone gets no :latest', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const ref = parseImageReference(`alpine@${digest}`);
  assert.equal(ref.canonical, `docker.io/library/alpine@${digest}`);
  assert.equal(ref.tag, undefined);
  assert.equal(ref.digest, digest);
  assert.equal(canonical(`alpine:3@${digest}`), `docker.io/library/alpine:3@${digest}`);
});

test('image ids are recognised and not rewritten', () => {
  const id = 'b'.repeat(64);
  const ref = parseImageReference(id);
  assert.equal(ref.isId, true);
  assert.equal(ref.canonical, `sha256:${id}`);
});

test('invalid references are clear config errors', () => {
  for (const bad of ['', 'Busybox', 'busybox:bad tag', 'a//b', 'alpine@sha256:short']) {
    assert.throws(
      () => parseImageReference(bad),
      (error: unknown) => isCsshError(error) && error.code === 'DOCKER_CONFIG_ERROR' && /docker\.execution\.container\.image/.test(error.message),
      bad,
    );
  }
});

test('familiar names are the short form Docker prints', () => {
  assert.equal(familiarName(parseImageReference('busybox')), 'busybox:latest');
  assert.equal(familiarName(parseImageReference('cssh-test/busybox')), 'cssh-test/busybox:latest');
  assert.equal(familiarName(parseImageReference('127.0.0.1:5000/x')), '127.0.0.1:5000/x:latest');
});

test('the pull policy: IfNotPresent pulls only when absent, Always always, Never never', () => {
  assert.equal(decidePull('IfNotPresent', true), 'none');
  assert.equal(decidePull('IfNotPresent', false), 'pull');
  assert.equal(decidePull('Always', true), 'pull');
  assert.equal(decidePull('Always', undefined), 'pull');
  assert.equal(decidePull('Never', true), 'none');
  assert.equal(decidePull('Never', false), 'fail');
});
