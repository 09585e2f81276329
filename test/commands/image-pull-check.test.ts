// `cssh image pull-check`: exit codes 0/1/2, the --json shape, and --pull against a real local registry.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerAvailable, dockerTest, TEST_IMAGES } from '../support/docker.js';
import { imagePresent, pushImage, removeImage, startRegistry, type TestRegistry } from '../support/registry.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const RUNNER = `const { default: C } = await import(${JSON.stringify(join(ROOT, 'src/commands/image/pull-check.ts'))});
await C.run(process.argv.slice(1), ${JSON.stringify(join(ROOT, 'package.json'))});`;

const JSON_KEYS = [
  'apiVersion', 'atConnection', 'canonical', 'command', 'endpoint', 'error', 'exitCode', 'image', 'local', 'message', 'ok', 'policy',
  'present', 'pulled', 'remoteDigest', 'status',
].sort();

let registry: TestRegistry | undefined;
let authRegistry: TestRegistry | undefined;
let pushed = '';
let pushedAuth = '';
let dir = '';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cssh(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RUNNER, '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, DOCKER_CONFIG: join(dir, 'no-docker-config'), FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function config(name: string, execution: string, connection = ''): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, `docker:\n${connection}  execution:\n${execution}`);
  return file;
}

const image = (ref: string, extra = ''): string => `    container:\n      image: ${ref}\n${extra}`;

async function json(args: string[]): Promise<{ code: number | null; body: Record<string, unknown> }> {
  const run = await cssh([...args, '--json']);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
  assert.deepEqual(Object.keys(body).sort(), JSON_KEYS);
  assert.equal(body.exitCode, run.code);
  return { code: run.code, body };
}

before(async () => {
  if (!dockerAvailable) return;
  dir = await mkdtemp(join(tmpdir(), 'cssh-pull-check-'));
  registry = await startRegistry();
  pushed = await pushImage(registry, TEST_IMAGES.busybox, 'cssh-pull-check/busybox', 'v1');
  authRegistry = await startRegistry({ auth: { username: 'puller', password: 'good' } });
  pushedAuth = await pushImage(authRegistry, TEST_IMAGES.busybox, 'cssh-pull-check/private', 'v1');
});

after(async () => {
  for (const ref of [pushed, pushedAuth]) if (ref !== '') await removeImage(ref);
  await registry?.stop();
  await authRegistry?.stop();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

dockerTest('a present image is ready: exit 0, endpoint, API version and canonical name reported', async () => {
  const file = await config('present', image(TEST_IMAGES.busybox));
  const { code, body } = await json(['--config', file]);
  assert.equal(code, 0);
  assert.equal(body.status, 'ready');
  assert.equal(body.present, true);
  assert.equal(body.atConnection, 'none');
  assert.equal(body.canonical, 'docker.io/cssh-test/busybox:latest');
  assert.match(String(body.endpoint), /^unix:\/\//);
  assert.match(String(body.apiVersion), /^1\.\d+$/);
  const text = await cssh(['--config', file]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /endpoint\s+unix:\/\/.*Engine API 1\.\d+/);
  assert.match(text.stdout, /ready:/);
});

dockerTest('an absent image the policy would pull needs a pull (exit 1); --pull pulls it (exit 0)', async () => {
  await removeImage(pushed);
  const file = await config('absent', image(pushed));
  const { code, body } = await json(['--config', file]);
  assert.equal(code, 1);
  assert.equal(body.status, 'needs-pull');
  assert.equal(body.present, false);
  assert.equal(body.atConnection, 'pull');
  assert.match(String(body.remoteDigest), /^sha256:/);
  const pulled = await cssh(['--config', file, '--pull']);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.match(pulled.stdout, /pulling 127\.0\.0\.1:\d+\/cssh-pull-check\/busybox:v1/);
  assert.match(pulled.stdout, /ready: pulled/);
  assert.equal(await imagePresent(pushed), true);
  const always = await json(['--config', await config('always', image(pushed, '    imagePullPolicy: Always\n'))]);
  assert.equal(always.code, 1);
  assert.equal(always.body.atConnection, 'pull');
  await removeImage(pushed);
});

dockerTest('a wrong tag is unavailable (exit 2) with a message that says the tag does not exist', async () => {
  const file = await config('wrong-tag', image(pushed.replace(/:v1$/, ':missing')));
  const { code, body } = await json(['--config', file]);
  assert.equal(code, 2);
  assert.equal(body.status, 'unavailable');
  assert.deepEqual(Object.keys(body.error as object).sort(), ['code', 'message']);
  assert.equal((body.error as { code: string }).code, 'DOCKER_IMAGE_PULL_FAILED');
  assert.match(String(body.message), /does not exist/);
  const pulled = await cssh(['--config', file, '--pull']);
  assert.equal(pulled.code, 2);
  assert.match(pulled.stderr, /unavailable \[DOCKER_IMAGE_PULL_FAILED\].*does not exist/);
});

dockerTest('registry credentials: missing or wrong is exit 2 saying so, right is exit 1 and --pull works', async () => {
  await removeImage(pushedAuth);
  const none = await json(['--config', await config('auth-none', image(pushedAuth))]);
  assert.equal(none.code, 2);
  assert.match(String(none.body.message), /requires credentials/);
  const wrongAuth = '    auth:\n      username: puller\n      password: bad\n';
  const wrong = await json(['--config', await config('auth-wrong', image(pushedAuth, wrongAuth))]);
  assert.equal(wrong.code, 2);
  assert.match(String(wrong.body.message), /rejected the credentials from docker\.execution\.auth/);
  const rightFile = await config('auth-right', image(pushedAuth, '    auth:\n      username: puller\n      password: good\n'));
  const right = await json(['--config', rightFile]);
  assert.equal(right.code, 1);
  const pulled = await json(['--config', rightFile, '--pull']);
  assert.equal(pulled.code, 0);
  assert.equal(pulled.body.pulled, true);
  await removeImage(pushedAuth);
});

dockerTest('Never with an absent image is exit 2 with DOCKER_IMAGE_NOT_FOUND', async () => {
  await removeImage(pushed);
  const { code, body } = await json(['--config', await config('never', image(pushed, '    imagePullPolicy: Never\n'))]);
  assert.equal(code, 2);
  assert.equal(body.atConnection, 'fail');
  assert.equal((body.error as { code: string }).code, 'DOCKER_IMAGE_NOT_FOUND');
});

dockerTest('an unreachable engine and an unreadable config are exit 2 with their codes', async () => {
  const down = await json([
    '--config',
    await config('down', image(TEST_IMAGES.busybox), '  connection:\n    host: unix:///nonexistent/cssh/docker.sock\n'),
  ]);
  assert.equal(down.code, 2);
  assert.equal((down.body.error as { code: string }).code, 'DOCKER_UNAVAILABLE');
  assert.match(String(down.body.message), /unix:\/\/\/nonexistent\/cssh\/docker\.sock.*does not exist/);
  const missing = await json(['--config', join(dir, 'does-not-exist.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(String((missing.body.error as { code: string }).code), /^CONFIG_/);
});
