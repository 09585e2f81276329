// The Docker pass-through blocks: any spelling maps to Docker Engine API names; unknown fields are kept and warned about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalDockerKey, CONTAINER_FIELDS, HOST_FIELDS, normalizeDockerBlock } from '../../src/config/docker-fields.js';
import type { ConfigIssue } from '../../src/config/issues.js';
import { parseSource } from '../../src/config/source.js';
import { analyzeSource } from '../../src/config/analyze.js';

function normalize(kind: string, value: Record<string, unknown>) {
  const issues: ConfigIssue[] = [];
  const result = normalizeDockerBlock(kind, value, `docker.execution.${kind}`, issues);
  return { result, issues };
}

test('ContainerSSH lowercase keys, camelCase and API names all map to the API spelling', () => {
  assert.equal(canonicalDockerKey(HOST_FIELDS, 'networkmode'), 'NetworkMode');
  assert.equal(canonicalDockerKey(HOST_FIELDS, 'networkMode'), 'NetworkMode');
  assert.equal(canonicalDockerKey(HOST_FIELDS, 'NetworkMode'), 'NetworkMode');
  assert.equal(canonicalDockerKey(HOST_FIELDS, 'restartpolicy'), 'RestartPolicy');
  assert.equal(canonicalDockerKey(CONTAINER_FIELDS, 'image'), 'Image');
  assert.equal(canonicalDockerKey(CONTAINER_FIELDS, 'workingdir'), 'WorkingDir');
  assert.equal(canonicalDockerKey(CONTAINER_FIELDS, 'nope'), undefined);
});

test('the container block is normalised, values untouched, user-keyed maps (Labels) kept as written', () => {
  const { result, issues } = normalize('container', { image: 'busybox', env: ['A=1'], cmd: ['sh'], labels: { 'com.example.Team': 'x' }, workingdir: '/tmp' });
  assert.deepEqual(result, { Image: 'busybox', Env: ['A=1'], Cmd: ['sh'], Labels: { 'com.example.Team': 'x' }, WorkingDir: '/tmp' });
  assert.deepEqual(issues, []);
});

test('nested host fields are normalised (RestartPolicy, Mounts, PortBindings, LogConfig, Ulimits)', () => {
  const { result, issues } = normalize('host', {
    networkmode: 'none',
    restartpolicy: { name: 'no', maximumretrycount: 0 },
    mounts: [{ type: 'tmpfs', target: '/tmp', tmpfsoptions: { sizebytes: 1024 } }],
    portbindings: { '22/tcp': [{ hostip: '127.0.0.1', hostport: '2200' }] },
    logconfig: { type: 'json-file', config: { 'max-size': '1m' } },
    ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
  });
  assert.deepEqual(result, {
    NetworkMode: 'none',
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    Mounts: [{ Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 1024 } }],
    PortBindings: { '22/tcp': [{ HostIp: '127.0.0.1', HostPort: '2200' }] },
    LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
  });
  assert.deepEqual(issues, []);
});

test('ContainerSSH resources block is flattened into HostConfig, as the Engine API expects', () => {
  const { result } = normalize('host', { resources: { memory: 1000, pidslimit: 50 }, networkmode: 'none' });
  assert.deepEqual(result, { Memory: 1000, PidsLimit: 50, NetworkMode: 'none' });
  assert.equal(normalize('host', { Memory: 5 }).result.Memory, 5);
});

test('network endpoints and platform names are normalised', () => {
  assert.deepEqual(normalize('network', { endpointsconfig: { mynet: { aliases: ['a'], ipamconfig: { ipv4address: '10.0.0.2' } } } }).result,
    { EndpointsConfig: { mynet: { Aliases: ['a'], IPAMConfig: { IPv4Address: '10.0.0.2' } } } });
  assert.deepEqual(normalize('platform', { Architecture: 'amd64', OS: 'linux', osversion: '10' }).result,
    { architecture: 'amd64', os: 'linux', 'os.version': '10' });
});

test('unknown Docker fields are kept as written with a warning and a did-you-mean hint', () => {
  const { result, issues } = normalize('container', { image: 'x', imagee: 'y', frobnicate: 1 });
  assert.deepEqual(result, { Image: 'x', imagee: 'y', frobnicate: 1 });
  assert.equal(issues.length, 2);
  assert.equal(issues[0]?.severity, 'warning');
  assert.equal(issues[0]?.code, 'DOCKER_FIELD_UNKNOWN');
  assert.equal(issues[0]?.path, 'docker.execution.container.imagee');
  assert.equal(issues[0]?.hint, 'did you mean Image?');
  assert.equal(issues[1]?.hint, undefined);
});

test('a HostConfig field put into container gets a hint saying where it belongs', () => {
  const { issues } = normalize('container', { image: 'x', networkmode: 'none' });
  assert.equal(issues[0]?.hint, 'NetworkMode is a HostConfig field: move it to docker.execution.host');
});

test('two spellings of one field are an error', () => {
  const { issues } = normalize('container', { image: 'x', Image: 'y' });
  assert.equal(issues[0]?.code, 'CONFIG_DUPLICATE_KEY');
  assert.equal(issues[0]?.severity, 'error');
});

test('in a whole file, containername/containerName/ContainerName all set execution.containername', () => {
  for (const key of ['containername', 'containerName', 'ContainerName']) {
    const parsed = parseSource(`docker:\n  execution:\n    ${key}: box\n`, 'x.yaml');
    assert.ok(parsed.ok);
    const analysis = analyzeSource(parsed.source, 'validate');
    assert.equal(analysis.config.docker.execution.containername, 'box', key);
    assert.deepEqual(analysis.issues.filter((issue) => issue.severity === 'error').map((issue) => issue.code), ['AUTH_NONE_CONFIGURED'], key);
  }
});

test('a Docker block that is not a mapping is a type error', () => {
  const parsed = parseSource('docker:\n  execution:\n    host: none\n', 'x.yaml');
  assert.ok(parsed.ok);
  const issue = analyzeSource(parsed.source, 'validate').issues.find((each) => each.code === 'CONFIG_TYPE');
  assert.equal(issue?.path, 'docker.execution.host');
  assert.equal(issue?.line, 3);
});

test('scalars in Docker string fields become strings, as Go decodes them (user: 1000 must not reach Docker as a number)', () => {
  const container = normalize('container', { user: 1000, cmd: ['sleep', 10], labels: { version: 2 }, tty: true, stoptimeout: 5 });
  assert.deepEqual(container.result, { User: '1000', Cmd: ['sleep', '10'], Labels: { version: '2' }, Tty: true, StopTimeout: 5 });
  const host = normalize('host', { networkmode: 'none', portbindings: { '22/tcp': [{ hostport: 2222 }] }, restartpolicy: { name: 'no', maximumretrycount: 0 }, memory: 1024 });
  assert.deepEqual(host.result, { NetworkMode: 'none', PortBindings: { '22/tcp': [{ HostPort: '2222' }] }, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, Memory: 1024 });
});
