// The primary's view of serve --workers metrics: one registry per worker fed by its events, summed with the primary's own.
import { AggregatorRegistry, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { CsshEvent, EventSink } from '../core/events.js';
import { defineMetrics } from '../observability/metrics-definitions.js';
import { metricsSink } from '../observability/metrics-sink.js';

type MetricJson = MetricObjectWithValues<MetricValue<string>>;

/**
 * Counts every worker's events in a registry of its own (kept in the primary, so a scrape never waits on a worker),
 * and answers a scrape with the sum of all of them and the primary's registry. When a worker ends, its counters and
 * histograms are kept (added to a "retired" total, so no counter ever goes backwards) and its gauges dropped (its
 * connections, sessions and containers are gone with it).
 */
export class ClusterMetrics {
  private readonly workers = new Map<number, { registry: Registry; sink: EventSink }>();
  private retired: MetricJson[] = [];

  /** Counts events of `worker` (created on first use). */
  record(worker: number, events: CsshEvent[]): void {
    let entry = this.workers.get(worker);
    if (entry === undefined) {
      const registry = new Registry();
      entry = { registry, sink: metricsSink(defineMetrics(registry)) };
      this.workers.set(worker, entry);
    }
    for (const event of events) entry.sink(event);
  }

  /** A worker ended: keeps its cumulative series, forgets its gauges. */
  async retire(worker: number): Promise<void> {
    const entry = this.workers.get(worker);
    if (entry === undefined) return;
    this.workers.delete(worker);
    const cumulative = (await entry.registry.getMetricsAsJSON()).filter((m) => String(m.type) !== 'gauge') as MetricJson[];
    this.retired = this.retired.length === 0 ? cumulative : await sumJson([this.retired, cumulative]);
  }

  /** The Prometheus text of the whole server: `own` (the primary's registry) plus every worker's. */
  async render(own: Registry): Promise<string> {
    const parts = [await own.getMetricsAsJSON()] as MetricJson[][];
    for (const { registry } of this.workers.values()) parts.push((await registry.getMetricsAsJSON()));
    if (this.retired.length > 0) parts.push(this.retired);
    return AggregatorRegistry.aggregate(parts).metrics();
  }
}

async function sumJson(parts: MetricJson[][]): Promise<MetricJson[]> {
  return (await AggregatorRegistry.aggregate(parts).getMetricsAsJSON());
}
