// Prometheus metrics: a private registry fed by cssh's events, served over HTTP when `metrics.enable` is set.
import { Registry } from 'prom-client';
import type { AppConfig } from '../config/types.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { defineMetrics, initialiseSeries } from './metrics-definitions.js';
import { listenHttp, reply, type HttpEndpoint } from './metrics-http.js';
import { metricsSink } from './metrics-sink.js';

export { UNKNOWN_COUNTRY } from './metrics-definitions.js';

export interface Metrics {
  /** Feed every ServerEvent and LifecycleEvent here. Never throws. */
  sink: EventSink;
  /** cssh's own prom-client registry (not the global one). */
  registry: Registry;
  /** host:port the endpoint listens on, or undefined when metrics are disabled. */
  address: string | undefined;
  /** Stops the HTTP endpoint (if any). Idempotent, never throws. */
  close(): Promise<void>;
}

/**
 * Creates the registry and, when `config.enable`, serves it on `config.listen` at `config.path`. Events are counted
 * either way. Rejects with a CsshError when the address cannot be bound.
 */
export async function createMetrics(config: AppConfig['metrics'], deps: { logger: Logger }): Promise<Metrics> {
  const registry = new Registry();
  const metrics = defineMetrics(registry);
  initialiseSeries(metrics);
  const sink = metricsSink(metrics);
  if (!config.enable) return { sink, registry, address: undefined, close: async () => undefined };
  const path = config.path === '' ? '/metrics' : config.path;
  const endpoint: HttpEndpoint = await listenHttp(config.listen, 'metrics.listen', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path || (req.method !== 'GET' && req.method !== 'HEAD')) {
      reply(res, 404, `Not found; metrics are at ${path}\n`);
      return;
    }
    registry.metrics().then(
      (body) => reply(res, 200, body, registry.contentType),
      (error: unknown) => {
        deps.logger.error('METRICS_SCRAPE_FAILED', 'Collecting metrics failed.', { error: String(error) });
        reply(res, 500, 'metrics collection failed\n');
      },
    );
  });
  deps.logger.info('METRICS_AVAILABLE', `Metrics are available at http://${endpoint.address}${path}`, {
    address: endpoint.address,
    path,
  });
  return { sink, registry, address: endpoint.address, close: endpoint.close };
}
