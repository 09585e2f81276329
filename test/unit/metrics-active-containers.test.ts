// cssh_active_containers counts a container from its creation to its first removal report, whoever reports it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { defineMetrics } from '../../src/observability/metrics-definitions.js';
import { metricsSink } from '../../src/observability/metrics-sink.js';

async function gauge(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values[0]?.value ?? NaN;
}

test('a container reported removed twice, or removed without being created here, is counted out once or not at all', async () => {
  const registry = new Registry();
  const sink = metricsSink(defineMetrics(registry));
  sink({ type: 'container-created', id: 'a', mode: 'connection' });
  sink({ type: 'container-created', id: 'b', mode: 'session' });
  sink({ type: 'container-created', id: 'helper', mode: 'connection' });
  assert.equal(await gauge(registry, 'cssh_active_containers'), 3);

  // A helper's removal raced its AutoRemove: the 409 path and the retry both report it.
  sink({ type: 'container-removed', id: 'helper', orphan: false });
  sink({ type: 'container-removed', id: 'helper', orphan: false });
  assert.equal(await gauge(registry, 'cssh_active_containers'), 2, 'the helper is counted out once');

  // A container this process never created (another worker's, or an earlier run's) does not move the gauge.
  sink({ type: 'container-removed', id: 'someone-else', orphan: false });
  sink({ type: 'container-removed', id: 'earlier-run', orphan: true });
  assert.equal(await gauge(registry, 'cssh_active_containers'), 2, 'never below what is really there');
  assert.equal(await gauge(registry, 'cssh_orphans_removed_total'), 1);

  sink({ type: 'container-removed', id: 'a', orphan: false });
  sink({ type: 'container-removed', id: 'b', orphan: false });
  assert.equal(await gauge(registry, 'cssh_active_containers'), 0);
});
