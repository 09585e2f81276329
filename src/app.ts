// Composition root of `cssh serve`: config → logger, metrics, host keys, Docker, backend + decorators, auth, SSH server.
import { createAuthenticator } from './auth/index.js';
import { createDockerBackend } from './backend/docker/index.js';
import { startContainerJanitor } from './backend/docker/container-janitor.js';
import { openDockerClient } from './backend/docker/docker-client.js';
import type { AppConfig } from './config/types.js';
import { CsshError } from './core/errors.js';
import { createLogger } from './observability/logger.js';
import { startHealthServer } from './observability/health.js';
import { createMetrics } from './observability/metrics.js';
import { applySecurity } from './security/index.js';
import { loadHostKeys } from './ssh/host-keys.js';
import { createPrepare } from './ssh/prepare.js';
import { restrictToUser } from './ssh/serve-defaults.js';
import { createSshServer } from './ssh/server.js';

export interface ServeOptions {
  config: AppConfig;
  /** Holds the generated host key. */
  stateDir: string;
  /** --instance: label value (cssh.instance) of this server's containers; default instance.id, else the state dir's id. */
  instanceId?: string;
  /** Only this login name may authenticate (zero-config mode). */
  onlyUser?: string;
  /** Log lines go here instead of the configured destination (tests). */
  logDestination?: NodeJS.WritableStream;
}

/** What `serve` prints at start. */
export interface ServeSummary {
  listen: string;
  hostKeys: { type: string; fingerprint: string; source: string }[];
  hostKeyGenerated: boolean;
  dockerEndpoint: string;
  dockerApiVersion: string;
  authMethods: string[];
  image: string;
  pullPolicy: string;
  mode: string;
  instanceId: string;
  orphansRemoved: number;
}

export interface RunningServe {
  summary: ServeSummary;
  /**
   * Stops accepting, asks programs to end, forces them when `deadline` aborts, removes every container of this
   * instance, then closes metrics, health and the logger. Never throws.
   */
  stop: (deadline: AbortSignal) => Promise<void>;
}

/** Builds and starts the whole server. Rejects with a CsshError naming the problem (bad host key, Docker down, port taken). */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const { config } = options;
  if (config.backend !== 'docker') {
    throw new CsshError('SSH_BACKEND_UNSUPPORTED', `backend "${config.backend}" is not supported by cssh; set backend: docker`, { permanent: true });
  }
  const logger = createLogger(config.log, options.logDestination);
  const metrics = await createMetrics(config.metrics, { logger });
  const onEvent = metrics.sink;
  const { keys, generated } = await loadHostKeys(config.ssh.hostkeys, options.stateDir);
  for (const key of keys) logger.info(generated ? 'SSH_HOSTKEY_GENERATED' : 'SSH_HOSTKEY_LOADED', `host key ${key.fingerprint} from ${key.source}`);
  const docker = await openDockerClient(config.docker.connection, config.docker.timeouts, AbortSignal.timeout(15_000));
  // Removal is a promise: instance id, start-up sweep, removal retries, periodic reconciler; stop() sweeps again.
  const janitor = await startContainerJanitor({
    stateDir: options.stateDir, instanceFlag: options.instanceId, instance: config.instance, logger, onEvent,
    primary: { docker: docker.docker, endpoint: docker.endpoint, connection: config.docker.connection },
    attemptMs: config.docker.timeouts.containerStop,
  });
  const { instanceId, orphansRemoved } = janitor;
  const backend = applySecurity(janitor.wrap(createDockerBackend({ instanceId, logger })), { logger, onEvent });
  const auth = createAuthenticator(config.auth, { logger, onEvent });
  const authenticator = options.onlyUser === undefined ? auth : restrictToUser(auth, options.onlyUser);
  const prepare = createPrepare({ config, backend, onEvent });
  const server = createSshServer({ ssh: config.ssh, hostKeys: keys, authenticator, prepare, logger, onEvent });
  const address = await server.listen();
  const health = await startHealthServer(config.health, { logger, ready: async () => (await docker.docker.ping(), true) });
  const execution = config.docker.execution;
  const summary: ServeSummary = {
    listen: `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`,
    hostKeys: keys.map(({ type, fingerprint, source }) => ({ type, fingerprint, source })),
    hostKeyGenerated: generated,
    dockerEndpoint: docker.endpoint,
    dockerApiVersion: docker.apiVersion,
    authMethods: [...authenticator.methods],
    image: String(execution.container.Image ?? ''),
    pullPolicy: execution.imagePullPolicy,
    mode: execution.mode,
    instanceId,
    orphansRemoved,
  };
  const stop = async (deadline: AbortSignal): Promise<void> => {
    await server.shutdown(deadline, config.docker.timeouts.containerStop + 5_000);
    await janitor.stop(); // anything a stuck close or a failed removal left
    await Promise.all([health.close(), metrics.close()]);
    logger.close();
  };
  return { summary, stop };
}
