// Lifecycle of `cssh serve`: stable host key and orphan removal across restarts, SIGTERM with sessions open, and
// 30 clients killed mid-session, all leaving zero containers.
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { containersOf, startServe, type ServeHandle } from '../support/serve-harness.js';
import { pushImage, removeImage, startRegistry } from '../support/registry.js';
import { acceptKeys, startWebhookStub } from '../support/webhook-stub.js';

const fingerprint = (srv: ServeHandle): string => /host key\s+(SHA256:\S+)/.exec(srv.output())?.[1] ?? 'none';

async function until(what: string, check: () => boolean, seconds = 120): Promise<void> {
  for (let i = 0; i < seconds * 4 && !check(); i++) await sleep(250);
  assert.ok(check(), `timed out waiting for: ${what}`);
}

/** Starts `count` ssh clients that each run a long sleep in the container; `started()` counts the running ones. */
function sleepers(srv: ServeHandle, count: number): ChildProcess[] & { started(): number } {
  let started = 0;
  const children = Array.from({ length: count }, () => {
    const child = spawn('ssh', [...srv.sshArgs(), 'echo started; sleep 1000'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (chunk: Buffer) => (started += chunk.toString().includes('started') ? 1 : 0));
    child.on('error', () => undefined);
    return child;
  });
  return Object.assign(children, { started: () => started });
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

dockerTest('serve: the host key survives restarts and a restart removes what an earlier run of the instance left', async () => {
  const stateDir = join(mkdtempSync(join(tmpdir(), 'cssh-restart-')), 'state');
  const first = await startServe({ stateDir });
  await first.stop();
  const orphan = (instance: string): string =>
    execFileSync('docker', ['run', '-d', '--network', 'none', '--label', `cssh.instance=${instance}`, '--label', 'cssh.connection=left-behind', TEST_IMAGES.busybox, 'sleep', '300'], { encoding: 'utf8' }).trim();
  const ours = orphan(first.instanceId);
  const theirs = orphan('another-instance');
  try {
    const second = await startServe({ stateDir });
    try {
      assert.equal(fingerprint(second), fingerprint(first));
      assert.match(fingerprint(first), /^SHA256:/);
      assert.equal(second.instanceId, first.instanceId);
      assert.deepEqual(containersOf(first.instanceId), []);
      assert.deepEqual(containersOf('another-instance'), [theirs.slice(0, 12)]);
    } finally {
      await second.stop();
    }
  } finally {
    execFileSync('docker', ['rm', '-f', ours, theirs], { stdio: 'ignore' });
  }
}, { timeout: 180_000 });

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`serve (${mode} mode): SIGTERM with sessions open removes every container and exits 0`, async () => {
    const srv = await startServe({ mode, config: { ssh: { shutdownTimeout: '5s' } } });
    const clients = sleepers(srv, 3);
    try {
      await until('3 programs running', () => clients.started() === 3);
      assert.equal(srv.containers().length, 3);
      assert.equal(await srv.stop('SIGTERM'), 0, srv.output().slice(-3000));
      assert.deepEqual(srv.containers(), []);
      await Promise.all(clients.map(exited));
    } finally {
      for (const client of clients) client.kill('SIGKILL');
      await srv.stop('SIGKILL');
    }
  }, { timeout: 180_000 });

  dockerTest(`serve (${mode} mode): 30 clients killed mid-session leave no container and the server keeps serving`, async () => {
    const srv = await startServe({ mode });
    const clients = sleepers(srv, 30);
    try {
      await until('30 programs running', () => clients.started() === 30, 240);
      assert.equal(srv.containers().length, 30);
      for (const client of clients) client.kill('SIGKILL');
      await until('no containers', () => srv.containers().length === 0, 120);
      const after = await srv.ssh(['echo still-serving']);
      assert.deepEqual([after.code, after.stdout.toString()], [0, 'still-serving\n'], after.stderr);
    } finally {
      for (const client of clients) client.kill('SIGKILL');
      assert.equal(await srv.stop(), 0);
    }
    assert.deepEqual(srv.containers(), []);
  }, { timeout: 420_000 });
}

dockerTest('serve: a legacy dockerrun config runs, converted in memory, with a deprecation warning', async () => {
  // dockerrun configs convert to imagePullPolicy Always, so the image comes from a local registry.
  const registry = await startRegistry();
  const image = await pushImage(registry, TEST_IMAGES.busybox, 'cssh-e2e/legacy');
  const stub = await startWebhookStub();
  const legacy = [
    'listen: 127.0.0.1:0',
    'backend: dockerrun',
    `auth: { url: "${stub.url}", pubkey: true }`, // 0.3 left public-key login off unless pubkey was true
    'dockerrun:',
    '  config:',
    `    container: { image: "${image}" }`,
    '    host: { networkmode: none }',
  ].join('\n');
  const srv = await startServe({ configText: legacy });
  try {
    stub.on('/pubkey', acceptKeys({ tester: [srv.publicKey] }));
    assert.match(srv.output(), /dockerrun backend is deprecated[^\n]*cssh config migrate/);
    const result = await srv.ssh(['echo legacy-ok']);
    assert.deepEqual([result.code, result.stdout.toString()], [0, 'legacy-ok\n'], result.stderr);
  } finally {
    await srv.stop();
    await stub.close();
    await registry.stop();
    await removeImage(image);
  }
  assert.deepEqual(srv.containers(), []);
}, { timeout: 180_000 });

dockerTest('serve: a second SIGTERM forces programs that ignore TERM, and no container is left', async () => {
  const srv = await startServe({ config: { ssh: { shutdownTimeout: '5m' } } });
  const client = spawn('ssh', [...srv.sshArgs(), "trap '' TERM; echo started; while true; do sleep 1; done"], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  client.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  try {
    await until('the program runs', () => out.includes('started'));
    srv.process.kill('SIGTERM');
    await until('shutdown started', () => srv.output().includes('SSH_SHUTDOWN'));
    assert.equal(await srv.stop('SIGTERM'), 0, srv.output().slice(-3000));
    assert.deepEqual(srv.containers(), []);
    await exited(client);
  } finally {
    client.kill('SIGKILL');
    await srv.stop('SIGKILL');
  }
}, { timeout: 180_000 });
