// `cssh serve`: scrape the metrics endpoint during and after real OpenSSH sessions and check counters and gauges move.
import assert from 'node:assert/strict';
import { dockerTest } from '../support/docker.js';
import { containersOfUser, eventually, scrape, ssh, sshBackground, startServer, uniqueUser } from './production-helpers.js';

dockerTest('metrics follow a real session: gauges up while it runs and back to 0 after, counters keep the history', async (t) => {
  const server = await startServer({ security: { command: { mode: 'filter', allow: ['echo started; read line'] } } });
  t.after(() => server.stop());
  const user = uniqueUser('prod-metrics');
  const before = await scrape(server);
  assert.equal(before('cssh_active_containers'), 0);
  assert.equal(before('containerssh_ssh_current_connections{country="XX"}'), 0);

  const running = sshBackground(server, user, ['echo started; read line']);
  await eventually(() => running.output().includes('started'), 'session started');
  const during = await scrape(server);
  assert.equal(during('cssh_active_sessions'), 1);
  assert.equal(during('cssh_active_containers'), 1);
  assert.equal(during('containerssh_ssh_current_connections{country="XX"}'), 1);
  assert.equal(during('containerssh_ssh_successful_handshakes_total{country="XX"}'), 1);
  assert.equal(during('cssh_containers_created_total{mode="connection"}'), 1);
  assert.equal(during('cssh_container_create_duration_seconds_count{outcome="ok"}'), 1);
  assert.equal(during('cssh_container_start_duration_seconds_count{outcome="ok"}'), 1);
  assert.ok(during('containerssh_backend_requests_total{backend="docker"}') >= 3, 'inspect, create, start at least');

  running.child.stdin.end('\n');
  assert.equal((await running.done).code, 0);
  const refused = await ssh(server, user, ['id']);
  assert.match(refused.stderr, /exec request failed/);

  // Removal finishes after the client has gone: wait for it, then read everything from one scrape.
  let after = await scrape(server);
  await eventually(async () => {
    after = await scrape(server);
    return (
      after('cssh_active_containers') === 0 &&
      after('cssh_container_remove_duration_seconds_count{outcome="ok"}') === 2 &&
      after('containerssh_ssh_current_connections{country="XX"}') === 0
    );
  }, 'both containers removed and both connections closed');
  assert.equal(after('cssh_active_sessions'), 0);
  assert.equal(after('containerssh_ssh_connections_total{country="XX"}'), 2);
  assert.equal(after('cssh_containers_created_total{mode="connection"}'), 2);
  assert.equal(after('cssh_policy_refusals_total{code="SECURITY_EXEC_REJECTED"}'), 1);
  assert.ok(after('containerssh_backend_requests_total{backend="docker"}') > during('containerssh_backend_requests_total{backend="docker"}'));
  assert.equal(containersOfUser(user).length, 0);
});
