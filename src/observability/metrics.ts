// Prometheus metrics: a private registry fed by cssh's events, served over HTTP when `metrics.enable` is set.
import { Registry } from 'prom-client';
import type { AppConfig } from '../config/types.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { serverTlsOptions, type HttpServerTlsConfig } from './http-tls.js';
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

/** The metrics section: enable, listen and path, plus ContainerSSH's optional TLS server options. */
export type MetricsConfig = Pick<AppConfig['metrics'], 'enable' | 'listen' | 'path'> & HttpServerTlsConfig;

/**
 * Creates the registry and, when `config.enable`, serves it on `config.listen` at `config.path` (GET/HEAD only;
 * anything else a 4xx for that request only), over HTTPS when `config.cert`/`key` are set and with client
 * certificates required when `config.clientcacert` is. Events are counted either way. Rejects with a CsshError when
 * the address cannot be bound or the TLS settings cannot be honoured (HTTP_TLS_INVALID). `deps.collect` replaces
 * what a scrape answers (serve --workers: this registry plus every worker's, summed).
 */
export async function createMetrics(config: MetricsConfig, deps: { logger: Logger; collect?: (own: Registry) => Promise<string> }): Promise<Metrics> {
  const registry = new Registry();
  const metrics = defineMetrics(registry);
  initialiseSeries(metrics);
  const sink = metricsSink(metrics);
  if (!config.enable) return { sink, registry, address: undefined, close: async () => undefined };
  const path = config.path === '' ? '/metrics' : config.path;
  const tls = serverTlsOptions(config, 'metrics');
  const endpoint: HttpEndpoint = await listenHttp(config.listen, 'metrics.listen', (_req, res, requested) => {
    if (requested !== path) {
      reply(res, 404, `Not found; metrics are at ${path}\n`);
      return;
    }
    (deps.collect?.(registry) ?? registry.metrics()).then(
      (body) => reply(res, 200, body, registry.contentType),
      (error: unknown) => {
        deps.logger.error('METRICS_SCRAPE_FAILED', 'Collecting metrics failed.', { error: String(error) });
        reply(res, 500, 'metrics collection failed\n');
      },
    );
  }, { tls, logger: deps.logger });
  deps.logger.info('METRICS_AVAILABLE', `Metrics are available at ${endpoint.scheme}://${endpoint.address}${path}`, {
    address: endpoint.address,
    path,
    tls: tls !== undefined,
    clientCertificates: tls?.requestCert === true,
  });
  return { sink, registry, address: endpoint.address, close: endpoint.close };
}
