// `cssh serve` start-up as one unit: any failure (host key, taken port) exits non-zero with every port released, with
// metrics and health on or off; SIGTERM during start-up ends it; during a drain /ready answers 503.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { makeClientKey, spawnServeProcess, startServe } from '../support/serve-harness.js';

/** Binds a free loopback port and keeps it (so nothing else can take it) until close(). */
async function holdPort(): Promise<{ port: number; close: () => Promise<void>; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A free port: bound, then released for the server under test to take (only ever used by that one server). */
async function freePort(): Promise<number> {
  const held = await holdPort();
  await held.close();
  return held.port;
}

/** Whether `port` can be bound again (the process that had it released it). */
async function canBind(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

interface Spawned {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
  /** Resolves once the output matches `pattern`; rejects if the process exits first. */
  waitFor: (pattern: RegExp) => Promise<void>;
}

function spawnWithConfig(config: Record<string, unknown>): Spawned {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-startup-'));
  const { publicKey } = makeClientKey(dir);
  writeFileSync(join(dir, 'authorized_keys'), publicKey + '\n');
  const full = {
    auth: { publicKey: { method: 'authorizedkeys', authorizedKeys: { path: join(dir, 'authorized_keys') } } },
    docker: { execution: { container: { Image: TEST_IMAGES.busybox }, host: { NetworkMode: 'none' }, imagePullPolicy: 'Never' } },
    ...config,
  };
  writeFileSync(join(dir, 'cssh.json'), JSON.stringify(full));
  const child = spawnServeProcess(['--config', join(dir, 'cssh.json'), '--state-dir', join(dir, 'state')]);
  let text = '';
  const listeners: (() => void)[] = [];
  const onData = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // A hang is the failure this file guards against: never leave the process behind.
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exit.then(() => clearTimeout(killer));
  const waitFor = (pattern: RegExp): Promise<void> => new Promise((resolve, reject) => {
    const check = (): void => {
      if (pattern.test(text)) resolve();
    };
    listeners.push(check);
    check();
    void exit.then(() => reject(new Error(`serve exited before printing ${String(pattern)}:\n${text}`)));
  });
  return { child, output: () => text, exit, waitFor };
}

/** Exit code of a process that must end by itself; a SIGKILL from the guard timer (a hang) shows up as null. */
async function exitedByItself(spawned: Spawned): Promise<number | null> {
  const code = await spawned.exit;
  assert.notEqual(spawned.child.signalCode, 'SIGKILL', `serve hung and had to be killed:\n${spawned.output()}`);
  return code;
}

for (const observability of [true, false]) {
  const label = observability ? 'metrics and health on' : 'metrics and health off';

  test(`serve (${label}): a missing host key file exits non-zero at once and releases every port`, async () => {
    const [sshPort, metricsPort, healthPort] = [await freePort(), await freePort(), await freePort()];
    const spawned = spawnWithConfig({
      ssh: { listen: `127.0.0.1:${sshPort}`, hostkeys: ['/nonexistent/cssh-test/ssh_host_ed25519_key'] },
      metrics: { enable: observability, listen: `127.0.0.1:${metricsPort}` },
      health: { enable: observability, listen: `127.0.0.1:${healthPort}` },
    });
    const code = await exitedByItself(spawned);
    // Refused with the configuration (exit 1, at its line), before anything is opened.
    assert.equal(code, 1, spawned.output());
    assert.match(spawned.output(), /ssh\.hostkeys\.0: host key file "\/nonexistent\/cssh-test\/ssh_host_ed25519_key" does not exist here/);
    for (const port of [sshPort, metricsPort, healthPort]) assert.ok(await canBind(port), `port ${port} still bound`);
  });

  dockerTest(`serve (${label}): a taken SSH port exits non-zero with SSH_LISTEN_FAILED and releases the other ports`, async () => {
    const taken = await holdPort();
    try {
      const [metricsPort, healthPort] = [await freePort(), await freePort()];
      const spawned = spawnWithConfig({
        ssh: { listen: `127.0.0.1:${taken.port}` },
        metrics: { enable: observability, listen: `127.0.0.1:${metricsPort}` },
        health: { enable: observability, listen: `127.0.0.1:${healthPort}` },
      });
      const code = await exitedByItself(spawned);
      assert.equal(code, 3, spawned.output());
      assert.match(spawned.output(), /SSH_LISTEN_FAILED/);
      assert.match(spawned.output(), /another process uses this port/);
      assert.doesNotMatch(spawned.output(), /SSH_CLIENT_ERROR/, 'a bind failure is not a client error');
      for (const port of [metricsPort, healthPort]) assert.ok(await canBind(port), `port ${port} still bound`);
    } finally {
      await taken.close();
    }
  });
}

for (const which of ['metrics', 'health'] as const) {
  dockerTest(`serve: a taken ${which} port exits non-zero and releases the SSH and the other port`, async () => {
    const taken = await holdPort();
    try {
      const [sshPort, otherPort] = [await freePort(), await freePort()];
      const spawned = spawnWithConfig({
        ssh: { listen: `127.0.0.1:${sshPort}` },
        metrics: { enable: true, listen: `127.0.0.1:${which === 'metrics' ? taken.port : otherPort}` },
        health: { enable: true, listen: `127.0.0.1:${which === 'health' ? taken.port : otherPort}` },
      });
      const code = await exitedByItself(spawned);
      assert.notEqual(code, 0, spawned.output());
      assert.match(spawned.output(), new RegExp(`HTTP_LISTEN_FAILED[\\s\\S]*${which}\\.listen`));
      for (const port of [sshPort, otherPort]) assert.ok(await canBind(port), `port ${port} still bound`);
    } finally {
      await taken.close();
    }
  });
}

test('serve: SIGTERM while start-up waits for a silent Docker engine ends it with every port released', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-silent-engine-'));
  const socket = join(dir, 'docker.sock');
  const silent = createServer((connection) => connection.on('error', () => undefined)); // accepts, never answers
  await new Promise<void>((resolve) => silent.listen(socket, resolve));
  try {
    const [sshPort, metricsPort, healthPort] = [await freePort(), await freePort(), await freePort()];
    const spawned = spawnWithConfig({
      ssh: { listen: `127.0.0.1:${sshPort}` },
      metrics: { enable: true, listen: `127.0.0.1:${metricsPort}` },
      health: { enable: true, listen: `127.0.0.1:${healthPort}` },
      docker: {
        connection: { host: `unix://${socket}` },
        execution: { container: { Image: TEST_IMAGES.busybox }, imagePullPolicy: 'Never' },
      },
    });
    await spawned.waitFor(/METRICS_AVAILABLE/);
    spawned.child.kill('SIGTERM');
    const code = await exitedByItself(spawned);
    assert.equal(code, 0, spawned.output());
    assert.match(spawned.output(), /SERVE_STOPPED_DURING_STARTUP/);
    for (const port of [sshPort, metricsPort, healthPort]) assert.ok(await canBind(port), `port ${port} still bound`);
  } finally {
    silent.close();
  }
});

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`serve (${mode} mode): during a SIGTERM drain /ready answers 503 and /health 200`, async () => {
    const srv = await startServe({
      mode,
      image: TEST_IMAGES.busybox,
      config: { health: { enable: true, listen: '127.0.0.1:0' }, ssh: { listen: '127.0.0.1:0', shutdownTimeout: '60s' } },
    });
    try {
      const health = /Health checks are available at http:\/\/([^/\s]+)\/health/.exec(srv.output())?.[1];
      assert.ok(health, srv.output());
      assert.equal((await fetch(`http://${health}/ready`)).status, 200);
      // A program that ignores TERM holds the drain open until the shutdown timeout or a second signal.
      const client = spawn('ssh', [...srv.sshArgs(), 'trap "" TERM; echo started; while true; do sleep 1; done'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const clientExit = new Promise<number | null>((resolve) => client.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        client.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('started')) resolve(); });
        void clientExit.then((code) => reject(new Error(`ssh exited (${code}) before the program started`)));
      });
      srv.process.kill('SIGTERM');
      await waitForOutput(() => srv.output(), /SERVE_DRAINING/);
      assert.equal((await fetch(`http://${health}/ready`)).status, 503, 'not ready while draining');
      assert.equal((await fetch(`http://${health}/health`)).status, 200, 'still alive while draining');
      srv.process.kill('SIGTERM'); // second signal: force
      assert.notEqual(await clientExit, 0, 'the forced session ends with a failure status');
    } finally {
      await srv.stop();
    }
    assert.deepEqual(srv.containers(), []);
  }, { timeout: 180_000 });
}

/** Waits (polling the server's collected output, up to 60 s) until it matches `pattern`. */
async function waitForOutput(output: () => string, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 600 && !pattern.test(output()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.match(output(), pattern);
}
