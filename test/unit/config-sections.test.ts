// One fixture per ContainerSSH config section (test/fixtures/containerssh/sections), TLS set on every HTTP client and
// server: together they cover every section, and each validates with no error.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { validateFiles } from '../../src/config/validate-files.js';

const DIR = new URL('../fixtures/containerssh/sections/', import.meta.url).pathname;
const files = readdirSync(DIR).filter((name) => name.endsWith('.yaml')).sort().map((name) => join(DIR, name));
const docs = files.map((file) => parse(readFileSync(file, 'utf8')) as Record<string, unknown>);

/** The value at a dotted path in any of the fixtures, first found. */
function anyAt(path: string): unknown {
  for (const doc of docs) {
    let node: unknown = doc;
    for (const part of path.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
    if (node !== undefined) return node;
  }
  return undefined;
}

test('every section of ContainerSSH\'s configuration has a fixture', () => {
  const sections = new Set(docs.flatMap((doc) => Object.keys(doc)));
  for (const section of ['ssh', 'auth', 'backend', 'docker', 'security', 'log', 'metrics', 'health', 'configserver', 'geoip', 'audit', 'kubernetes', 'sshproxy']) {
    assert.ok(sections.has(section), `no fixture sets ${section}`);
  }
  for (const method of ['password', 'publicKey', 'authz', 'keyboardInteractive', 'gssapi']) assert.notEqual(anyAt(`auth.${method}.method`), undefined, method);
  for (const part of ['connection', 'execution', 'timeouts']) assert.notEqual(anyAt(`docker.${part}`), undefined, part);
});

test('TLS options are set on every HTTP client and server', () => {
  for (const client of ['auth.password.webhook', 'auth.publicKey.webhook', 'auth.authz.webhook', 'configserver']) {
    for (const option of ['cacert', 'cert', 'key', 'tlsVersion', 'curves', 'cipher']) assert.notEqual(anyAt(`${client}.${option}`), undefined, `${client}.${option}`);
  }
  for (const option of ['cacert', 'cert', 'key']) assert.notEqual(anyAt(`docker.connection.${option}`), undefined, `docker.connection.${option}`);
  for (const server of ['metrics', 'health']) {
    for (const option of ['cert', 'key', 'clientcacert', 'tlsVersion', 'curves', 'cipher']) assert.notEqual(anyAt(`${server}.${option}`), undefined, `${server}.${option}`);
  }
});

test('each section fixture, and the 0.4 and 0.5 files, validate with no error', async () => {
  const report = await validateFiles(files);
  for (const file of report.files) assert.deepEqual(file.issues.filter((issue) => issue.severity === 'error'), [], file.file);
  assert.equal(report.exitCode, 0);
  // The ContainerSSH files name host keys on their servers: --offline, as CI would run it.
  const dumps = ['containerssh-0.4.yaml', 'containerssh-0.4.1-example.yaml', 'containerssh-0.5-dump.yaml', 'containerssh-0.6-example.yaml'];
  const offline = await validateFiles(dumps.map((name) => join(DIR, '..', name)), { offline: true });
  for (const file of offline.files) assert.deepEqual(file.issues.filter((issue) => issue.severity === 'error'), [], file.file);
});
