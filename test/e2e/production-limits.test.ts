// `cssh serve` with the OpenSSH client: maxSessions over one multiplexed connection, and connection caps per user and in total.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest } from '../support/docker.js';
import { containersOfUser, eventually, scrape, ssh, sshBackground, startServer, uniqueUser, type ProductionServer } from './production-helpers.js';

/** A remote program that prints "started" and waits for one input line; `release()` sends it. */
function hold(server: ProductionServer, user: string, flags: string[] = []) {
  const run = sshBackground(server, user, ['echo started; read line'], flags);
  return {
    ...run,
    started: () => eventually(() => run.output().includes('started'), `${user} started`),
    release: async () => {
      run.child.stdin.end('\n');
      return run.done;
    },
  };
}

dockerTest('maxSessions caps concurrent sessions on one connection; a closed session frees its slot', async (t) => {
  const server = await startServer({ security: { maxSessions: 1 } });
  t.after(() => server.stop());
  const user = uniqueUser('prod-sessions');
  const control = join(tmpdir(), `${user}.mux`);
  const master = sshBackground(server, user, ['-N'], ['-o', 'ControlMaster=yes', '-o', 'LogLevel=INFO', '-o', `ControlPath=${control}`]);
  // Clients go through the master; the unusable port stops OpenSSH from falling back to a connection of its own.
  const mux = ['-o', `ControlPath=${control}`, '-o', 'Port=1'];
  t.after(() => master.child.kill());
  await eventually(() => existsSync(control));

  const first = hold(server, user, mux);
  await first.started();
  const second = await ssh(server, user, ['echo second'], { flags: mux });
  assert.match(second.stderr, /session request failed/);
  assert.equal(second.stdout, '');
  await eventually(() => /open failed: resource shortage: Too many sessions\./.test(master.errors()));

  assert.equal((await first.release()).code, 0);
  let third = await ssh(server, user, ['echo third'], { flags: mux });
  // The slot is freed when the server has seen the first channel close; retry briefly if this client was faster.
  await eventually(async () => {
    if (third.stdout !== 'third\n') third = await ssh(server, user, ['echo third'], { flags: mux });
    return third.stdout === 'third\n';
  });
  const read = await scrape(server);
  assert.ok(read('cssh_policy_refusals_total{code="SECURITY_MAX_SESSIONS"}') >= 1);

  await ssh(server, user, ['-O', 'exit'], { flags: mux });
  await master.done;
  await eventually(() => containersOfUser(user).length === 0);
});

dockerTest('connection caps: per login username and in total, with a clear message; closing frees the slot', async (t) => {
  const server = await startServer({ security: { maxConnections: 2, maxConnectionsPerUser: 1 } });
  t.after(() => server.stop());
  const alice = uniqueUser('prod-alice');
  const bob = uniqueUser('prod-bob');
  const carol = uniqueUser('prod-carol');

  const aliceHold = hold(server, alice);
  await aliceHold.started();
  const aliceAgain = await ssh(server, alice, ['echo hi']);
  assert.match(aliceAgain.stderr, /Too many connections for this user; close one and try again\./);
  assert.equal(aliceAgain.stdout, '');
  assert.notEqual(aliceAgain.code, 0);

  const bobHold = hold(server, bob);
  await bobHold.started();
  const carolRefused = await ssh(server, carol, ['echo hi']);
  assert.match(carolRefused.stderr, /Too many connections to this server; please try again later\./);
  assert.notEqual(carolRefused.code, 0);

  assert.equal((await aliceHold.release()).code, 0);
  let again = await ssh(server, alice, ['echo again']);
  await eventually(async () => {
    if (again.stdout !== 'again\n') again = await ssh(server, alice, ['echo again']);
    return again.stdout === 'again\n';
  }, 'alice reconnects').catch((error: Error) => assert.fail(`${error.message}: ${JSON.stringify(again)}`));
  assert.equal((await bobHold.release()).code, 0);
  assert.equal((await ssh(server, carol, ['echo welcome'])).stdout, 'welcome\n');

  const read = await scrape(server);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_MAX_CONNECTIONS_PER_USER"}'), 1);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_MAX_CONNECTIONS"}'), 1);
  for (const user of [alice, bob, carol]) await eventually(() => containersOfUser(user).length === 0, `${user} has no container`);
});
