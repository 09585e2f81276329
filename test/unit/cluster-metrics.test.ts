// serve --workers metrics in the primary: workers' events summed with the primary's own; a retired worker's counters stay, its gauges go.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { ClusterMetrics } from '../../src/cluster/cluster-metrics.js';
import { defineMetrics } from '../../src/observability/metrics-definitions.js';
import { metricsSink } from '../../src/observability/metrics-sink.js';

function sample(text: string, series: string): number {
  for (const line of text.split('\n')) {
    const at = line.lastIndexOf(' ');
    if (at > 0 && line.slice(0, at) === series) return Number(line.slice(at + 1));
  }
  return NaN;
}

test('a scrape sums the primary and every worker; a worker that ends keeps its counters and loses its gauges', async () => {
  const own = new Registry();
  metricsSink(defineMetrics(own))({ type: 'reconcile-pass', ok: true });
  const cluster = new ClusterMetrics();
  cluster.record(1, [{ type: 'ssh-connection-open' }, { type: 'ssh-connection-open' }, { type: 'container-created', id: 'a', mode: 'connection' }]);
  cluster.record(2, [{ type: 'ssh-connection-open' }, { type: 'phase-end', phase: 'create', ms: 120, ok: true }]);
  let text = await cluster.render(own);
  assert.equal(sample(text, 'containerssh_ssh_connections_total{country="XX"}'), 3);
  assert.equal(sample(text, 'containerssh_ssh_current_connections{country="XX"}'), 3);
  assert.equal(sample(text, 'cssh_reconcile_passes_total{outcome="ok"}'), 1);
  assert.equal(sample(text, 'cssh_container_create_duration_seconds_count{outcome="ok"}'), 1);

  await cluster.retire(1);
  cluster.record(3, [{ type: 'ssh-connection-open' }]);
  text = await cluster.render(own);
  assert.equal(sample(text, 'containerssh_ssh_connections_total{country="XX"}'), 4, 'counters never go backwards');
  assert.equal(sample(text, 'containerssh_ssh_current_connections{country="XX"}'), 2, 'the ended worker\'s open connections are gone');
  assert.equal(sample(text, 'cssh_containers_created_total{mode="connection"}'), 1);
  assert.equal(sample(text, 'cssh_active_containers'), 0);

  await cluster.retire(2);
  await cluster.retire(3);
  text = await cluster.render(own);
  assert.equal(sample(text, 'containerssh_ssh_connections_total{country="XX"}'), 4, 'retired totals add up over several workers');
  assert.equal(sample(text, 'cssh_container_create_duration_seconds_count{outcome="ok"}'), 1);
});
