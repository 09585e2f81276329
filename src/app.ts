// Composition root of `cssh serve`: config → logger, metrics, host keys, Docker, backend + decorators, auth, SSH server.
import { createAuthenticator } from './auth/index.js';
import { createDockerBackend, openDockerEngine, startContainerJanitor, startWarmPool } from './backend/docker/index.js';
import type { WorkerHooks } from './cluster/worker-hooks.js';
import type { AppConfig } from './config/types.js';
import { CsshError } from './core/errors.js';
import { ResourceStack } from './core/resource-stack.js';
import { STOPPED_DURING_STARTUP, unlessStopped } from './core/start-up.js';
import { createLogger, type ManagedLogger } from './observability/logger.js';
import { startHealthServer } from './observability/health.js';
import { createMetrics } from './observability/metrics.js';
import { withForwarding } from './forwarding/forwarding-backend.js';
import { applySecurity } from './security/index.js';
import { loadHostKeys, type HostKey } from './ssh/host-keys.js';
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
  /** Aborts when a stop was requested (SIGTERM/SIGINT) before start-up finished: start-up closes what it opened. */
  stopRequested?: AbortSignal;
  /** Set when this process is one worker of `serve --workers N` (src/cluster): its primary sweeps, counts and probes. */
  worker?: WorkerHooks;
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
  /** Worker processes (serve --workers); absent for a single process. */
  workers?: number;
}

export interface RunningServe {
  summary: ServeSummary;
  /**
   * Marks the server as draining (readiness answers 503), stops accepting, asks programs to end, forces them when
   * `deadline` aborts, removes every container of this instance, then closes health, metrics and the logger.
   * Never throws.
   */
  stop: (deadline: AbortSignal) => Promise<void>;
  /** What /ready answers: not draining and the engine answers a ping. */
  ready: () => Promise<boolean>;
}

/**
 * Builds and starts the whole server as one unit: every resource opened (metrics, host keys, Docker client, SSH
 * listener, health) is pushed on a stack, and any failure, or a stop requested through `options.stopRequested`,
 * closes the stack in reverse, logs one line whose code names the failure and rejects with a CsshError.
 */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  requireDockerBackend(options.config);
  const root = createLogger(options.config.log, options.logDestination);
  const logger = options.worker === undefined ? root : root.child(options.worker.logLabels);
  return startAsOneUnit(options, logger, (stack) => openAll(options, logger, stack));
}

/** cssh implements the docker backend only; anything else is refused before a resource is opened. */
export function requireDockerBackend(config: AppConfig): void {
  if (config.backend !== 'docker') {
    throw new CsshError('SSH_BACKEND_UNSUPPORTED', `backend "${config.backend}" is not supported by cssh; set backend: docker`, { permanent: true });
  }
}

/**
 * Runs `open` on a fresh resource stack that holds `logger`. A failure (or a stop request) closes the stack in
 * reverse, logs one line naming the failure (a notice for a stop) and rejects with the CsshError of startFailure.
 */
export async function startAsOneUnit(
  options: ServeOptions, logger: ManagedLogger, open: (stack: ResourceStack) => Promise<RunningServe>,
): Promise<RunningServe> {
  const stack = new ResourceStack();
  stack.push('logger', logger, () => logger.close());
  try {
    return await open(stack);
  } catch (error) {
    const failure = startFailure(error, options.stopRequested);
    if (failure.code === STOPPED_DURING_STARTUP) logger.notice(failure.code, failure.message);
    else logger.error(failure.code, `cssh serve could not start: ${failure.message}`);
    await stack.closeAll();
    throw failure;
  }
}

/** The error start-up ends with: a stop request wins, a CsshError keeps its code, anything else is SERVE_START_FAILED. */
export function startFailure(error: unknown, stopRequested: AbortSignal | undefined): CsshError {
  if (stopRequested?.aborted === true) {
    return new CsshError(STOPPED_DURING_STARTUP, 'stopped by a signal during start-up; nothing was left running', { permanent: true });
  }
  if (error instanceof CsshError) return error;
  return new CsshError('SERVE_START_FAILED', error instanceof Error ? error.message : String(error), { permanent: true });
}

async function openAll(options: ServeOptions, logger: ManagedLogger, stack: ResourceStack): Promise<RunningServe> {
  const { config, stopRequested } = options;
  // Local steps (binds, key files) are quick: a stop request is honoured right after them, once what they opened is
  // on the stack. Steps that wait on the engine are raced against it, so a stop never waits for a slow engine.
  const checkpoint = (): void => {
    if (stopRequested?.aborted === true) throw new Error('stopped');
  };
  const metrics = await createMetrics(config.metrics, { logger });
  stack.push('metrics', metrics, () => metrics.close());
  checkpoint();
  const onEvent = options.worker?.onEvent ?? metrics.sink;
  const { keys, generated } = await loadHostKeys(config.ssh.hostkeys, options.stateDir);
  for (const key of keys) logger.info(generated ? 'SSH_HOSTKEY_GENERATED' : 'SSH_HOSTKEY_LOADED', `host key ${key.fingerprint} from ${key.source}`);
  checkpoint();
  const engineBudget = stopRequested === undefined ? AbortSignal.timeout(15_000) : AbortSignal.any([AbortSignal.timeout(15_000), stopRequested]);
  const docker = await unlessStopped(openDockerEngine(config.docker.connection, config.docker.timeouts, engineBudget), stopRequested);
  // Removal is a promise: instance id, start-up sweep, removal retries, periodic reconciler; stop() sweeps again.
  const janitor = await unlessStopped(startContainerJanitor({
    stateDir: options.stateDir, instanceFlag: options.instanceId, instance: config.instance, logger, onEvent,
    primary: { engine: docker, connection: config.docker.connection },
    attemptMs: config.docker.timeouts.containerStop, ...options.worker?.janitor,
  }), stopRequested);
  stack.push('janitor', janitor, () => janitor.stop());
  const { instanceId, orphansRemoved } = janitor;
  // docker.pool: started containers kept ready (per process); stopped after the SSH server, before the janitor's sweep.
  const pool = startWarmPool({ config, engine: docker, instanceId, logger, onEvent: janitor.primaryEvents(onEvent), track: (id) => janitor.track(id) });
  if (pool !== undefined) stack.push('pool', pool, () => pool.stop());
  const backend = applySecurity(janitor.wrap(withForwarding(createDockerBackend({ instanceId, logger, pool }))), { logger, onEvent, slots: options.worker?.slots });
  const auth = createAuthenticator(config.auth, { logger, onEvent });
  const authenticator = options.onlyUser === undefined ? auth : restrictToUser(auth, options.onlyUser);
  const prepare = createPrepare({ config, backend, onEvent });
  const server = createSshServer({ ssh: config.ssh, hostKeys: keys, authenticator, prepare, logger, onEvent });
  const address = await server.listen();
  stack.push('ssh', server, () => server.shutdown(AbortSignal.abort(), 1_000));
  checkpoint();
  // From the first stop request on, readiness answers 503 so load balancers stop sending connections here.
  const state = { draining: false };
  const ready = async (): Promise<boolean> => !state.draining && (await docker.ping(), true);
  const health = await startHealthServer(config.health, { logger, ready });
  stack.push('health', health, () => health.close());
  checkpoint();
  const summary = summarize(options, instanceId, address, keys, generated, docker, [...authenticator.methods], orphansRemoved);
  const stop = async (deadline: AbortSignal): Promise<void> => {
    state.draining = true;
    logger.notice('SERVE_DRAINING', 'Stop requested: readiness answers 503 while open sessions end.');
    await server.shutdown(deadline, config.docker.timeouts.containerStop + 5_000);
    await stack.closeAll();
  };
  return { summary, stop, ready };
}

function summarize(
  options: ServeOptions,
  instanceId: string,
  address: { host: string; port: number },
  keys: HostKey[],
  generated: boolean,
  docker: { endpoint: string; apiVersion: string },
  authMethods: string[],
  orphansRemoved: number,
): ServeSummary {
  const execution = options.config.docker.execution;
  return {
    listen: `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`,
    hostKeys: keys.map(({ type, fingerprint, source }) => ({ type, fingerprint, source })),
    hostKeyGenerated: generated,
    dockerEndpoint: docker.endpoint,
    dockerApiVersion: docker.apiVersion,
    authMethods,
    image: String(execution.container.Image ?? ''),
    pullPolicy: execution.imagePullPolicy,
    mode: execution.mode,
    instanceId,
    orphansRemoved,
  };
}
