// `cssh serve --workers 2` with connection caps: security.maxConnections* hold for the whole server, not per worker.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { startServe, type ServeHandle } from '../support/serve-harness.js';
import { eventually } from './production-helpers.js';

const WORKERS = 2;

/** Worker pid of each log line with `code`. */
function pidsOf(srv: ServeHandle, code: string): number[] {
  return srv.output().split('\n').flatMap((line) => {
    if (!line.startsWith('{') || !line.includes(`"${code}"`)) return [];
    try {
      const parsed = JSON.parse(line) as { code: string; details: { pid?: number } };
      return parsed.code === code && parsed.details.pid !== undefined ? [parsed.details.pid] : [];
    } catch {
      return [];
    }
  });
}

/** An ssh client of `user` holding its connection open with `sleep` until killed. */
function holder(srv: ServeHandle, user: string): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn('ssh', [...srv.sshArgs(user), 'sleep', '600'], { stdio: 'ignore' });
  return { child, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

dockerTest(`serve --workers ${WORKERS}: maxConnectionsPerUser and maxConnections hold across all workers; a slot comes back when its connection or its worker ends`, async () => {
  const srv = await startServe({
    workers: WORKERS,
    image: TEST_IMAGES.busybox,
    config: { security: { maxConnections: 2, maxConnectionsPerUser: 1 }, ssh: { shutdownTimeout: '2s' } },
  });
  const holders: ReturnType<typeof holder>[] = [];
  try {
    const alice = holder(srv, 'alice');
    holders.push(alice);
    await eventually(() => srv.containers().length === 1, 'alice holds one connection');

    // Four more logins of alice: the primary hands connections to the workers in turn, so both workers get some;
    // each must refuse, including the worker that does not hold alice's first connection.
    const again = await Promise.all([1, 2, 3, 4].map(() => srv.ssh(['echo', 'hi'], { user: 'alice' })));
    for (const r of again) {
      assert.notEqual(r.code, 0);
      assert.equal(r.stdout.toString(), '');
      assert.match(r.stderr, /Too many connections for this user; close one and try again\./);
    }
    const refusedBy = new Set(pidsOf(srv, 'SECURITY_MAX_CONNECTIONS_PER_USER'));
    assert.equal(refusedBy.size, WORKERS, `both workers refused alice (refusing pids: ${[...refusedBy].join(', ')})`);

    // maxConnections: 2 in total: bob takes the second slot; carol is refused on either worker.
    const bob = holder(srv, 'bob');
    holders.push(bob);
    await eventually(() => srv.containers().length === 2, 'bob holds the second connection');
    const carol = await Promise.all([1, 2, 3, 4].map(() => srv.ssh(['echo', 'hi'], { user: 'carol' })));
    for (const r of carol) assert.match(r.stderr, /Too many connections to this server; please try again later\./);
    assert.equal(new Set(pidsOf(srv, 'SECURITY_MAX_CONNECTIONS')).size, WORKERS, 'both workers refused carol');

    // Closing a connection gives its slot back to the whole server.
    alice.child.kill('SIGKILL');
    await alice.exited;
    let welcome = await srv.ssh(['echo', 'welcome'], { user: 'carol' });
    await eventually(async () => {
      if (welcome.stdout.toString() !== 'welcome\n') welcome = await srv.ssh(['echo', 'welcome'], { user: 'carol' });
      return welcome.stdout.toString() === 'welcome\n';
    }, 'carol gets the slot alice gave back');

    // A worker that is killed gives back every slot it held: bob's worker dies, a new login of bob is admitted.
    const workerOfBob = srv.output().split('\n').filter((line) => line.includes('"SSH_AUTH_SUCCESSFUL"') && line.includes('bob'))
      .map((line) => (JSON.parse(line) as { details: { pid: number } }).details.pid)[0];
    assert.ok(workerOfBob !== undefined, 'bob\'s login is logged with its worker pid');
    process.kill(workerOfBob, 'SIGKILL');
    await bob.exited;
    await eventually(() => /CLUSTER_WORKER_REPLACED/.test(srv.output()), 'the killed worker is replaced', 60_000);
    let bobAgain = await srv.ssh(['echo', 'back'], { user: 'bob' });
    await eventually(async () => {
      if (bobAgain.stdout.toString() !== 'back\n') bobAgain = await srv.ssh(['echo', 'back'], { user: 'bob' });
      return bobAgain.stdout.toString() === 'back\n';
    }, 'bob is admitted again once his worker is gone');

    assert.equal(await srv.stop('SIGTERM'), 0, srv.output());
    assert.deepEqual(srv.containers(), []);
  } finally {
    for (const h of holders) h.child.kill('SIGKILL');
    await srv.stop();
  }
}, { timeout: 240_000 });
