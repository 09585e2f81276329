// The Docker pass-through blocks are type-checked against the Engine API's OpenAPI definition (vendored subset and
// the table generated from it), with ContainerSSH's spellings and case-insensitive keys kept.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyzeSource } from '../../src/config/analyze.js';
import { DOCKER_API_TYPES, DOCKER_API_VERSION } from '../../src/config/docker-api-types.js';
import { extractSubset, renderDockerApiTypes } from '../../src/config/generate-docker-api-types.js';
import type { ConfigIssue } from '../../src/config/issues.js';
import { parseSource } from '../../src/config/source.js';

const vendored = new URL('../../src/config/vendor/docker-engine-api.yaml', import.meta.url);
const generated = new URL('../../src/config/docker-api-types.ts', import.meta.url);

function analyze(docker: string) {
  const parsed = parseSource(`auth:\n  publicKey:\n    method: authorizedkeys\n    authorizedKeys:\n      path: /k/{username}\ndocker:\n  execution:\n${docker}`, 'cfg.yaml');
  assert.ok(parsed.ok);
  return analyzeSource(parsed.source, 'validate');
}

const typeErrors = (issues: ConfigIssue[]) => issues.filter((issue) => issue.code === 'CONFIG_TYPE');

test('docker-api-types.ts is what the generator makes from the vendored Engine API definition', () => {
  assert.equal(readFileSync(generated, 'utf8'), renderDockerApiTypes(readFileSync(vendored, 'utf8')),
    'regenerate: npx tsx src/config/generate-docker-api-types.ts');
  assert.match(readFileSync(vendored, 'utf8'), /Apache License, Version 2\.0/);
  assert.ok(Number(DOCKER_API_VERSION) >= 1.41, DOCKER_API_VERSION);
  assert.equal(DOCKER_API_TYPES.host.properties?.Memory?.type, 'integer');
  assert.equal(DOCKER_API_TYPES.host.properties?.Binds?.type, 'array');
  assert.equal(DOCKER_API_TYPES.container.properties?.Image?.type, 'string');
});

test('image: 42, env: "FOO=1", memory: 512m, binds: /srv:/srv, privileged: "yes" are errors naming path, type and fix', () => {
  const { issues } = analyze('    container:\n      image: 42\n      env: "FOO=1"\n    host:\n      memory: 512m\n      binds: /srv:/srv\n      privileged: "yes"\n');
  const found = typeErrors(issues).map((issue) => [issue.path, issue.expected, issue.line, issue.hint]);
  assert.deepEqual(found, [
    ['docker.execution.container.image', 'a string', 9, 'write an image reference such as busybox:1.36 (quote a name made only of digits)'],
    ['docker.execution.container.env', 'a list', 10, 'write a list, for example ["FOO=1"]'],
    ['docker.execution.host.memory', 'a whole number', 12, 'Docker takes a number of bytes here: write 536870912 for 512m'],
    ['docker.execution.host.binds', 'a list', 13, 'write a list, for example ["/srv:/srv"]'],
    ['docker.execution.host.privileged', 'true or false', 14, 'write true or false, without quotes'],
  ]);
  assert.match(typeErrors(issues)[0]?.message ?? '', /the Docker field Image takes a string, not 42/);
  assert.equal(issues.filter((issue) => issue.severity === 'error').length, 5, 'one error per value, no follow-up "no image" error');
});

test('nested values are checked too: Ulimits items, RestartPolicy, Healthcheck, network endpoints', () => {
  const { issues } = analyze('    container:\n      image: busybox\n      healthcheck:\n        retries: three\n    host:\n      restartpolicy:\n        maximumretrycount: "5"\n      ulimits:\n        - {name: nofile, soft: lots}\n    network:\n      endpointsconfig:\n        bridge:\n          aliases: ssh\n');
  assert.deepEqual(typeErrors(issues).map((issue) => issue.path), [
    'docker.execution.container.healthcheck.retries',
    'docker.execution.host.restartpolicy.maximumretrycount',
    'docker.execution.host.ulimits.0.soft',
    'docker.execution.network.endpointsconfig.bridge.aliases',
  ]);
});

test('ContainerSSH spellings and any case still work; a number in a string field is its text, as Go\'s YAML makes it', () => {
  const { issues, config } = analyze('    container:\n      Image: busybox\n      user: 1000\n      WORKINGDIR: /tmp\n      labels: {port: 8080}\n    host:\n      resources: {memory: 536870912, pidslimit: 256, nanocpus: 1000000000}\n      portbindings:\n        22/tcp: [{hostport: 2222}]\n      readOnlyRootfs: true\n    platform: {os: linux, osversion: "10"}\n');
  assert.deepEqual(issues.filter((issue) => issue.severity === 'error'), []);
  const { container, host, platform } = config.docker.execution;
  assert.deepEqual([container.User, container.WorkingDir, container.Labels], ['1000', '/tmp', { port: '8080' }]);
  assert.deepEqual([host?.Memory, host?.PortBindings, host?.ReadonlyRootfs], [536870912, { '22/tcp': [{ HostPort: '2222' }] }, true]);
  assert.deepEqual(platform, { os: 'linux', 'os.version': '10' });
});

test('the subset extractor keeps every definition the blocks need and drops descriptions', () => {
  const swagger = {
    info: { version: '9.99' },
    definitions: {
      ContainerConfig: { type: 'object', description: 'x', properties: { Image: { type: 'string', example: 'a' }, Healthcheck: { $ref: '#/definitions/HealthConfig' } } },
      HealthConfig: { type: 'object', properties: { Retries: { type: 'integer' } } },
      HostConfig: { allOf: [{ $ref: '#/definitions/Resources' }, { type: 'object', properties: { Binds: { type: 'array', items: { type: 'string' } } } }] },
      Resources: { type: 'object', properties: { Memory: { type: 'integer' } } },
      NetworkingConfig: { type: 'object', properties: {} },
      OCIPlatform: { type: 'object', properties: { os: { type: 'string' } } },
      Unrelated: { type: 'object' },
    },
  };
  const text = extractSubset(swagger, 'test');
  assert.doesNotMatch(text, /Unrelated|example: |description: x/);
  const rendered = renderDockerApiTypes(text);
  assert.match(rendered, /DOCKER_API_VERSION = "9\.99"/);
  assert.match(rendered, /\\"Memory\\":\{\\"type\\":\\"integer\\"\}/);
  assert.throws(() => extractSubset({ definitions: {} }, 'empty'), /ContainerConfig is missing/);
});
