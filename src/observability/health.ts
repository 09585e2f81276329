// Health endpoint: GET / and /health (liveness, / answered as ContainerSSH's probes expect) and GET /ready
// (readiness, from a caller-supplied probe such as a Docker ping), over HTTP or HTTPS.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../config/types.js';
import type { Logger } from '../core/logger.js';
import { serverTlsOptions, type HttpServerTlsConfig } from './http-tls.js';
import { listenHttp, reply } from './metrics-http.js';

/** How long /ready waits for the probe before answering 503. */
export const READY_PROBE_TIMEOUT_MS = 2000;

export interface HealthServer {
  /** host:port the endpoint listens on ('' when health is disabled). */
  address: string;
  /** Stops listening. Idempotent, never throws. */
  close(): Promise<void>;
}

export interface HealthDeps {
  /** Resolves true when cssh can serve (e.g. the Docker engine answers a ping). May reject or hang: both mean not ready. */
  ready: () => Promise<boolean>;
  logger: Logger;
  /** Override of READY_PROBE_TIMEOUT_MS (tests). */
  readyTimeoutMs?: number;
}

/** The health section: enable and listen, plus ContainerSSH's optional TLS server options. */
export type HealthConfig = Pick<AppConfig['health'], 'enable' | 'listen'> & HttpServerTlsConfig;

/**
 * Serves GET/HEAD /health → 200 "ok" while the process runs; / → 200 with ContainerSSH's body (JSON `"ok"`, or
 * text `ok` when the client accepts only text/plain); /ready → 200 "ready" when `ready()` resolves true within
 * the bound, else 503 "not ready". Other paths 404, other methods 405, anything malformed a 4xx for that request
 * only. HTTPS only when `config.cert`/`key` are set, with client certificates required when `config.clientcacert`
 * is. Does nothing when `config.enable` is false. Rejects with a CsshError when the address cannot be bound or the
 * TLS settings cannot be honoured (HTTP_TLS_INVALID).
 */
export async function startHealthServer(config: HealthConfig, deps: HealthDeps): Promise<HealthServer> {
  if (!config.enable) return { address: '', close: async () => undefined };
  const bound = deps.readyTimeoutMs ?? READY_PROBE_TIMEOUT_MS;
  const tls = serverTlsOptions(config, 'health');
  const endpoint = await listenHttp(
    config.listen,
    'health.listen',
    (req, res, path) => {
      if (path === '/health') {
        reply(res, 200, 'ok\n');
      } else if (path === '/') {
        answerLikeContainerSsh(req, res);
      } else if (path === '/ready') {
        void probe(deps, bound).then((ok) => reply(res, ok ? 200 : 503, ok ? 'ready\n' : 'not ready\n'));
      } else {
        reply(res, 404, 'Not found; try /health or /ready\n');
      }
    },
    { tls, logger: deps.logger },
  );
  const base = `${endpoint.scheme}://${endpoint.address}`;
  deps.logger.info('HEALTH_AVAILABLE', `Health checks are available at ${base}/health and /ready`, {
    address: endpoint.address,
    tls: tls !== undefined,
    clientCertificates: tls?.requestCert === true,
  });
  return { address: endpoint.address, close: endpoint.close };
}

/**
 * ContainerSSH's health service answers 200 with the JSON string "ok" (content negotiation: plain `ok` for a client
 * that accepts text/plain but not JSON).
 */
function answerLikeContainerSsh(req: IncomingMessage, res: ServerResponse): void {
  const accept = (req.headers.accept ?? '').toLowerCase();
  const textOnly = accept.includes('text/plain') && !accept.includes('application/json') && !accept.includes('*/*');
  if (textOnly) reply(res, 200, 'ok');
  else reply(res, 200, '"ok"', 'application/json');
}

/** true only when `ready()` resolves true before `ms`; never rejects. */
async function probe(deps: HealthDeps, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    const ok = await Promise.race([deps.ready().then((v) => v === true), timeout]);
    if (!ok) deps.logger.debug('HEALTH_NOT_READY', 'Readiness probe failed or timed out.');
    return ok;
  } catch (error) {
    deps.logger.debug('HEALTH_NOT_READY', 'Readiness probe failed.', { error: String(error) });
    return false;
  } finally {
    clearTimeout(timer);
  }
}
