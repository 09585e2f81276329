// Message codes of the metrics and health endpoints, each with the sentence that explains it.

export const METRICS_CODES = {
  METRICS_AVAILABLE: 'The Prometheus endpoint is listening (metrics.listen, metrics.path).',
  METRICS_SCRAPE_FAILED: 'Collecting the metrics for a scrape failed; the scraper got HTTP 500.',
  HEALTH_AVAILABLE: 'The health endpoint is listening (health.listen): / and /health for liveness, /ready for readiness.',
  HEALTH_NOT_READY: 'A readiness probe failed or timed out (the Docker engine did not answer); /ready answered 503.',
  HTTP_LISTEN_INVALID: 'metrics.listen or health.listen is not host:port.',
  HTTP_LISTEN_FAILED: 'The metrics or health endpoint could not listen on its address (in use or not allowed).',
  HTTP_TLS_INVALID:
    'The TLS settings of metrics or health cannot be honoured (cert without key, clientcacert without cert, unreadable or mismatched PEM, unknown curve or cipher); serve refuses to start rather than serve plain HTTP.',
  HTTP_REQUEST_REFUSED:
    'The metrics or health endpoint refused one request (wrong method, a body, a malformed, oversized or too slow request, too many connections, a failed TLS handshake or missing client certificate); logged at debug level, other requests are unaffected.',
} as const;

export type MetricsCode = keyof typeof METRICS_CODES;
