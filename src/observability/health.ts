// Health endpoint: GET /health (liveness) and GET /ready (readiness, from a caller-supplied probe such as a Docker ping).
import type { AppConfig } from '../config/types.js';
import type { Logger } from '../core/logger.js';
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

/**
 * Serves GET/HEAD /health → 200 "ok" while the process runs, and /ready → 200 "ready" when `ready()` resolves true
 * within the bound, else 503 "not ready". Does nothing when `config.enable` is false. Rejects with a CsshError when
 * the address cannot be bound.
 */
export async function startHealthServer(config: AppConfig['health'], deps: HealthDeps): Promise<HealthServer> {
  if (!config.enable) return { address: '', close: async () => undefined };
  const bound = deps.readyTimeoutMs ?? READY_PROBE_TIMEOUT_MS;
  const endpoint = await listenHttp(config.listen, 'health.listen', (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, 'Method not allowed\n');
    } else if (path === '/health') {
      reply(res, 200, 'ok\n');
    } else if (path === '/ready') {
      void probe(deps, bound).then((ok) => reply(res, ok ? 200 : 503, ok ? 'ready\n' : 'not ready\n'));
    } else {
      reply(res, 404, 'Not found; try /health or /ready\n');
    }
  });
  deps.logger.info('HEALTH_AVAILABLE', `Health checks are available at http://${endpoint.address}/health and /ready`, {
    address: endpoint.address,
  });
  return { address: endpoint.address, close: endpoint.close };
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
