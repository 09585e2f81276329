// `cssh serve --workers 2` driven by the real OpenSSH client: logins spread over both workers with exact output, one
// metrics endpoint sums them, a SIGKILLed worker is replaced and its containers removed, SIGTERM removes everything.
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { spawnServeProcess, startServe, type ServeHandle } from '../support/serve-harness.js';
import { metricsAddress, METRICS_ON, scrapeMetrics } from '../support/serve-metrics.js';
import { eventually } from './production-helpers.js';

const WORKERS = 2;

interface LogLine {
  code: string;
  details: Record<string, unknown>;
}

/** The server's JSON log lines (workers and primary write to the same stdout). */
function logLines(srv: ServeHandle): LogLine[] {
  return srv.output().split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/** Worker pid of each authenticated connection, by connection id. */
function loginPids(srv: ServeHandle): Map<string, number> {
  const pids = new Map<string, number>();
  for (const line of logLines(srv)) {
    if (line.code === 'SSH_AUTH_SUCCESSFUL') pids.set(String(line.details.connectionId), Number(line.details.pid));
  }
  return pids;
}

function containersOfConnection(connectionId: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=cssh.connection=${connectionId}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** What `seq 1 n` prints. */
function seq(n: number): string {
  let out = '';
  for (let i = 1; i <= n; i++) out += `${i}\n`;
  return out;
}

/** An ssh client running `sleep` in its container until killed. */
function sleeper(srv: ServeHandle): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn('ssh', [...srv.sshArgs(), 'sleep', '600'], { stdio: 'ignore' });
  return { child, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

dockerTest(`serve --workers ${WORKERS}: concurrent logins spread over the workers with exact output; metrics sum them; SIGTERM removes every container`, async () => {
  const srv = await startServe({ workers: WORKERS, image: TEST_IMAGES.busybox, config: { ...METRICS_ON, ssh: { shutdownTimeout: '2s' } } });
  let stopped = false;
  try {
    assert.match(srv.output(), /\n {2}workers\s+2 processes sharing the port\n/);
    const clients = 8;
    const results = await Promise.all(Array.from({ length: clients }, (_, i) => srv.ssh([`echo c${i}; seq 1 2000; echo e${i} >&2`])));
    results.forEach((r, i) => {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), `c${i}\n${seq(2000)}`);
      assert.match(r.stderr, new RegExp(`^e${i}$`, 'm'));
    });
    const pids = new Set(loginPids(srv).values());
    assert.equal(pids.size, WORKERS, `every worker took logins: ${[...pids].join(', ')}`);
    // One endpoint, the sum of both workers (their events reach the primary asynchronously).
    const address = metricsAddress(srv);
    await eventually(async () => (await scrapeMetrics(address)).get('containerssh_ssh_connections_total') === clients, 'connections counted');
    const metrics = await scrapeMetrics(address);
    assert.equal(metrics.get('containerssh_auth_success_total'), clients);
    assert.equal(metrics.get('cssh_containers_created_total'), clients);
    // A session still running at SIGTERM: ended, its container removed, exit 0.
    const running = sleeper(srv);
    await eventually(() => srv.containers().length > 0, 'a container for the sleeping session');
    stopped = true;
    assert.equal(await srv.stop('SIGTERM'), 0, srv.output());
    await running.exited;
    assert.deepEqual(srv.containers(), [], 'every container of the instance removed');
    assert.match(srv.output(), /SERVE_DRAINING/);
  } finally {
    if (!stopped) await srv.stop();
  }
}, { timeout: 180_000 });

dockerTest(`serve --workers ${WORKERS}: a SIGKILLed worker is replaced, its containers are removed, the other worker's sessions go on`, async () => {
  const srv = await startServe({
    workers: WORKERS,
    image: TEST_IMAGES.busybox,
    config: { ...METRICS_ON, health: { enable: true, listen: '127.0.0.1:0' }, ssh: { shutdownTimeout: '2s' } },
  });
  const sleepers: ReturnType<typeof sleeper>[] = [];
  try {
    const health = /Health checks are available at (http:\/\/[^\s"]+)\/health/.exec(srv.output())?.[1];
    assert.ok(health !== undefined, srv.output());
    assert.equal((await fetch(`${health}/ready`)).status, 200);
    // Sessions on both workers (round robin: a few connections reach each).
    for (let i = 0; i < 4; i++) sleepers.push(sleeper(srv));
    await eventually(() => srv.containers().length === 4 && new Set(loginPids(srv).values()).size === WORKERS, 'four sessions on both workers');
    const logins = loginPids(srv);
    const victim = [...logins.values()][0] ?? 0;
    const doomed = [...logins].filter(([, pid]) => pid === victim).map(([id]) => id);
    const spared = [...logins].filter(([, pid]) => pid !== victim).map(([id]) => id);
    assert.ok(doomed.length > 0 && spared.length > 0);
    const before = (await scrapeMetrics(metricsAddress(srv))).get('containerssh_ssh_connections_total') ?? 0;

    process.kill(victim, 'SIGKILL');
    await eventually(() => /CLUSTER_WORKER_REPLACED/.test(srv.output()), 'a new worker in place of the killed one', 60_000);
    assert.match(srv.output(), new RegExp(`CLUSTER_WORKER_EXITED[^\\n]*pid ${victim}\\) ended \\(signal SIGKILL\\)`));
    await eventually(() => doomed.every((id) => containersOfConnection(id).length === 0), 'the killed worker\'s containers removed');
    for (const id of spared) assert.equal(containersOfConnection(id).length, 1, `container of ${id} (other worker) kept`);
    assert.equal((await fetch(`${health}/ready`)).status, 200, 'ready again with the replacement');

    // The server still serves, on the new worker too; counters never go backwards.
    const results = await Promise.all([1, 2, 3, 4].map((i) => srv.ssh([`echo after${i}`])));
    results.forEach((r, i) => assert.equal(r.stdout.toString(), `after${i + 1}\n`, r.stderr));
    assert.ok(new Set(loginPids(srv).values()).size >= WORKERS);
    await eventually(async () => ((await scrapeMetrics(metricsAddress(srv))).get('containerssh_ssh_connections_total') ?? 0) >= before + 4, 'counters kept across the replacement');

    assert.equal(await srv.stop('SIGTERM'), 0, srv.output());
    assert.deepEqual(srv.containers(), []);
  } finally {
    for (const s of sleepers) s.child.kill('SIGKILL');
    await srv.stop();
  }
}, { timeout: 180_000 });

dockerTest(`serve --workers ${WORKERS}: a taken SSH port fails the whole start with SSH_LISTEN_FAILED and exit 3`, async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    const port = (taken.address() as { port: number }).port;
    const child = spawnServeProcess(['--image', TEST_IMAGES.busybox, '--listen', `127.0.0.1:${port}`, '--workers', String(WORKERS), '--state-dir', join(mkdtempSync(join(tmpdir(), 'cssh-workers-')), 'state')]);
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(guard);
    assert.equal(child.signalCode, null, `serve hung:\n${text}`);
    assert.equal(code, 3, text);
    assert.match(text, /SSH_LISTEN_FAILED/);
    assert.match(text, /another process uses this port/);
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});

dockerTest(`serve --workers ${WORKERS}: when the primary is SIGKILLed, the workers end their sessions, remove their containers and exit`, async () => {
  const srv = await startServe({ workers: WORKERS, image: TEST_IMAGES.busybox, config: { ssh: { shutdownTimeout: '2s' } } });
  const sleepers: ReturnType<typeof sleeper>[] = [];
  try {
    for (let i = 0; i < 3; i++) sleepers.push(sleeper(srv));
    await eventually(() => srv.containers().length === 3, 'three sessions');
    const workers = [...new Set(loginPids(srv).values())];
    process.kill(srv.process.pid ?? 0, 'SIGKILL');
    const alive = (): number[] => workers.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    await eventually(() => alive().length === 0, 'every worker ended');
    assert.deepEqual(srv.containers(), [], 'the workers removed their containers');
    assert.match(srv.output(), /CLUSTER_PRIMARY_GONE/);
  } finally {
    for (const s of sleepers) s.child.kill('SIGKILL');
    await srv.stop();
  }
});
