// Unit tests of the metrics registry and its real HTTP endpoint, fed with cssh's typed events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CsshError } from '../../src/core/errors.js';
import type { CsshEvent } from '../../src/core/events.js';
import { createNullLogger } from '../../src/core/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';

/** The value of one sample line, e.g. `containerssh_ssh_current_connections{country="XX"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    const at = line.lastIndexOf(' ');
    if (at > 0 && line.slice(0, at) === series) return Number(line.slice(at + 1));
  }
  return undefined;
}

async function scrape(address: string | undefined, path = '/metrics'): Promise<string> {
  assert.ok(address !== undefined);
  const res = await fetch(`http://${address}${path}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  return res.text();
}

test('the endpoint serves ContainerSSH and cssh metrics that move with events', async (t) => {
  const metrics = await createMetrics({ enable: true, listen: '127.0.0.1:0', path: '/metrics' }, { logger: createNullLogger() });
  t.after(() => metrics.close());
  const feed = (...events: CsshEvent[]): void => events.forEach((e) => metrics.sink(e));

  let text = await scrape(metrics.address);
  assert.equal(sample(text, 'containerssh_backend_requests_total{backend="docker"}'), 0);
  assert.equal(sample(text, 'cssh_active_containers'), 0);

  feed(
    { type: 'ssh-connection-open' },
    { type: 'ssh-handshake', ok: true },
    { type: 'auth-request', authtype: 'password', retry: false },
    { type: 'auth-result', authtype: 'password', ok: true },
    { type: 'config-request', retry: false },
    { type: 'config-request-failure', retry: false, hard: false, reason: 'CONFIG_INVALID_STATUS_CODE' },
    { type: 'phase-end', phase: 'pull', ms: 1500, ok: true },
    { type: 'docker-request', op: 'create', ok: true },
    { type: 'docker-request', op: 'start', ok: false },
    { type: 'phase-end', phase: 'create', ms: 120, ok: true },
    { type: 'phase-end', phase: 'start', ms: 80, ok: true },
    { type: 'container-created', id: 'c1', mode: 'session' },
    { type: 'container-created', id: 'c2', mode: 'session' },
    { type: 'session-open' },
    { type: 'policy-refusal', code: 'SECURITY_EXEC_REJECTED' },
  );
  text = await scrape(metrics.address);
  assert.equal(sample(text, 'containerssh_ssh_connections_total{country="XX"}'), 1);
  assert.equal(sample(text, 'containerssh_ssh_current_connections{country="XX"}'), 1);
  assert.equal(sample(text, 'containerssh_ssh_successful_handshakes_total{country="XX"}'), 1);
  assert.equal(sample(text, 'containerssh_auth_server_requests_total{authtype="password",retry="0"}'), 1);
  assert.equal(sample(text, 'containerssh_auth_success_total{country="XX",authtype="password"}'), 1);
  assert.equal(sample(text, 'containerssh_config_server_failures_total{type="soft",retry="0",reason="CONFIG_INVALID_STATUS_CODE"}'), 1);
  assert.equal(sample(text, 'containerssh_backend_requests_total{backend="docker"}'), 2);
  assert.equal(sample(text, 'containerssh_backend_errors_total{backend="docker"}'), 1);
  assert.equal(sample(text, 'cssh_image_pulls_total{outcome="ok"}'), 1);
  assert.equal(sample(text, 'cssh_image_pull_duration_seconds_sum{outcome="ok"}'), 1.5);
  assert.equal(sample(text, 'cssh_container_create_duration_seconds_count{outcome="ok"}'), 1);
  assert.equal(sample(text, 'cssh_container_start_duration_seconds_count{outcome="ok"}'), 1);
  assert.equal(sample(text, 'cssh_active_containers'), 2);
  assert.equal(sample(text, 'cssh_active_sessions'), 1);
  assert.equal(sample(text, 'cssh_policy_refusals_total{code="SECURITY_EXEC_REJECTED"}'), 1);

  feed(
    { type: 'session-close' },
    { type: 'container-removed', id: 'c1', orphan: false },
    { type: 'container-removed', id: 'c2', orphan: false },
    { type: 'container-removed', id: 'old', orphan: true },
    { type: 'phase-end', phase: 'remove', ms: 300, ok: true },
    { type: 'ssh-connection-close' },
  );
  text = await scrape(metrics.address);
  assert.equal(sample(text, 'cssh_active_containers'), 0);
  assert.equal(sample(text, 'cssh_active_sessions'), 0);
  assert.equal(sample(text, 'cssh_orphans_removed_total'), 1);
  assert.equal(sample(text, 'cssh_container_remove_duration_seconds_count{outcome="ok"}'), 1);
  assert.equal(sample(text, 'containerssh_ssh_current_connections{country="XX"}'), 0);
  assert.equal(sample(text, 'containerssh_ssh_connections_total{country="XX"}'), 1);
});

test('the endpoint answers only on its path, and close() stops it', async () => {
  const metrics = await createMetrics({ enable: true, listen: '127.0.0.1:0', path: '/prom' }, { logger: createNullLogger() });
  assert.ok((await scrape(metrics.address, '/prom')).includes('containerssh_ssh_connections_total'));
  assert.equal((await fetch(`http://${metrics.address}/metrics`)).status, 404);
  await metrics.close();
  await metrics.close();
  await assert.rejects(fetch(`http://${metrics.address}/prom`));
});

test('disabled metrics still count but open no port; the registry is not the global one', async () => {
  const a = await createMetrics({ enable: false, listen: '0.0.0.0:9100', path: '/metrics' }, { logger: createNullLogger() });
  const b = await createMetrics({ enable: false, listen: '0.0.0.0:9100', path: '/metrics' }, { logger: createNullLogger() });
  assert.equal(a.address, undefined);
  a.sink({ type: 'session-open' });
  assert.equal(sample(await a.registry.metrics(), 'cssh_active_sessions'), 1);
  assert.equal(sample(await b.registry.metrics(), 'cssh_active_sessions'), 0);
  a.sink({ type: 'not-an-event' } as unknown as CsshEvent);
  await a.close();
});

test('a bad or busy listen address is a clear error naming metrics.listen', async (t) => {
  await assert.rejects(
    createMetrics({ enable: true, listen: 'localhost', path: '/metrics' }, { logger: createNullLogger() }),
    (e) => e instanceof CsshError && /metrics\.listen: expected host:port/.test(e.message),
  );
  const first = await createMetrics({ enable: true, listen: '127.0.0.1:0', path: '/metrics' }, { logger: createNullLogger() });
  t.after(() => first.close());
  await assert.rejects(
    createMetrics({ enable: true, listen: first.address!, path: '/metrics' }, { logger: createNullLogger() }),
    (e) => e instanceof CsshError && /metrics\.listen: cannot listen on/.test(e.message),
  );
});

test('unauthenticated connections: a gauge of those held and a counter of refusals by code, all present from the start', async (t) => {
  const metrics = await createMetrics({ enable: true, listen: '127.0.0.1:0', path: '/metrics' }, { logger: createNullLogger() });
  t.after(() => metrics.close());
  let text = await scrape(metrics.address);
  assert.equal(sample(text, 'cssh_ssh_unauthenticated_connections'), 0);
  for (const code of ['SSH_MAX_STARTUPS', 'SSH_PER_SOURCE_MAX_STARTUPS', 'SSH_LOGIN_GRACE_EXPIRED']) {
    assert.equal(sample(text, `cssh_ssh_unauthenticated_refused_total{code="${code}"}`), 0, code);
  }
  const events: CsshEvent[] = [
    { type: 'ssh-unauthenticated', open: true },
    { type: 'ssh-unauthenticated', open: true },
    { type: 'ssh-unauthenticated', open: false },
    { type: 'ssh-unauthenticated-refused', code: 'SSH_MAX_STARTUPS' },
    { type: 'ssh-unauthenticated-refused', code: 'SSH_MAX_STARTUPS' },
    { type: 'ssh-unauthenticated-refused', code: 'SSH_LOGIN_GRACE_EXPIRED' },
  ];
  events.forEach((e) => metrics.sink(e));
  text = await scrape(metrics.address);
  assert.equal(sample(text, 'cssh_ssh_unauthenticated_connections'), 1);
  assert.equal(sample(text, 'cssh_ssh_unauthenticated_refused_total{code="SSH_MAX_STARTUPS"}'), 2);
  assert.equal(sample(text, 'cssh_ssh_unauthenticated_refused_total{code="SSH_LOGIN_GRACE_EXPIRED"}'), 1);
});
