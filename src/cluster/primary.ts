// The primary process of `serve --workers N`: one instance id, sweep, reconciler, metrics and health endpoint for N
// worker processes, each a full SSH server on the shared listen socket.
import { requireDockerBackend, startAsOneUnit, type RunningServe, type ServeOptions } from '../app.js';
import { startContainerJanitor } from '../backend/docker/lifecycle/container-janitor.js';
import { openDockerEngine } from '../backend/docker/index.js';
import { dockerJanitorEngine } from '../backend/docker/lifecycle/removal-queue.js';
import { ResourceStack } from '../core/resource-stack.js';
import { unlessStopped } from '../core/start-up.js';
import { startHealthServer } from '../observability/health.js';
import { createLogger, type ManagedLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { loadHostKeys } from '../ssh/host-keys.js';
import { ClusterLiveConnections } from './cluster-live.js';
import { ClusterMetrics } from './cluster-metrics.js';
import { ClusterSlotLedger } from './cluster-slots.js';
import { removeWorkerContainers } from './worker-containers.js';
import { WorkerPool } from './worker-pool.js';
import { workerShareOfStartups } from './worker-share.js';

export interface ClusterOptions extends ServeOptions {
  /** Worker processes, at least 2 (1 is a plain startServe). */
  workers: number;
}

/**
 * Starts the whole server as one unit, like startServe: any failure (host key, engine, a worker that cannot listen)
 * or a stop request during start-up stops the workers, closes what was opened and rejects with a CsshError whose code
 * names the failure (a worker's own code, e.g. SSH_LISTEN_FAILED).
 */
export async function startCluster(options: ClusterOptions): Promise<RunningServe> {
  requireDockerBackend(options.config);
  const logger = createLogger(options.config.log, options.logDestination);
  return startAsOneUnit(options, logger, (stack) => openCluster(options, logger, stack));
}

async function openCluster(options: ClusterOptions, logger: ManagedLogger, stack: ResourceStack): Promise<RunningServe> {
  const { config, stopRequested } = options;
  const checkpoint = (): void => {
    if (stopRequested?.aborted === true) throw new Error('stopped');
  };
  const counted = new ClusterMetrics();
  const metrics = await createMetrics(config.metrics, { logger, collect: (own) => counted.render(own) });
  stack.push('metrics', metrics, () => metrics.close());
  checkpoint();
  const onEvent = metrics.sink;
  // Loaded (or generated) once here, so the workers all load the same key instead of racing to create it.
  const { keys, generated } = await loadHostKeys(config.ssh.hostkeys, options.stateDir);
  for (const key of keys) logger.info(generated ? 'SSH_HOSTKEY_GENERATED' : 'SSH_HOSTKEY_LOADED', `host key ${key.fingerprint} from ${key.source}`);
  checkpoint();
  const engineBudget = stopRequested === undefined ? AbortSignal.timeout(15_000) : AbortSignal.any([AbortSignal.timeout(15_000), stopRequested]);
  const docker = await unlessStopped(openDockerEngine(config.docker.connection, config.docker.timeouts, engineBudget), stopRequested);
  // One janitor for the instance: id and lock, start-up sweep, the periodic reconciler over every worker's live
  // connections, the shutdown sweep once every worker has ended.
  const live = new ClusterLiveConnections();
  const slots = new ClusterSlotLedger();
  const janitor = await unlessStopped(startContainerJanitor({
    stateDir: options.stateDir, instanceFlag: options.instanceId, instance: config.instance, logger, onEvent, live,
    primary: { engine: docker, connection: config.docker.connection },
    attemptMs: config.docker.timeouts.containerStop,
  }), stopRequested);
  stack.push('janitor', janitor, () => janitor.stop());
  const { instanceId, orphansRemoved } = janitor;
  const engine = dockerJanitorEngine(docker);
  const attemptMs = config.docker.timeouts.containerStop;
  const graceMs = attemptMs + 10_000;
  const pool = new WorkerPool({
    count: options.workers,
    logger,
    start: {
      // The primary serves metrics and health for all; the host key is the one loaded above.
      // Connection caps are counted here for all (ClusterSlotLedger); each worker holds its share of the pre-auth limits.
      config: {
        ...config,
        ssh: workerShareOfStartups(config.ssh, options.workers),
        metrics: { ...config.metrics, enable: false },
        health: { ...config.health, enable: false },
      },
      stateDir: options.stateDir, instanceId, onlyUser: options.onlyUser,
    },
    onMessage: (worker, message) => {
      if (message.t === 'events') counted.record(worker, message.events);
      else if (message.t === 'live') live.set(worker, message.id, message.on);
      else if (message.t === 'engine') janitor.watchEngine(message.connection);
      else if (message.t === 'slot-take') pool.send(worker, { t: 'slot', id: message.id, refused: slots.take(worker, message.username, message.limits) });
      else if (message.t === 'slot-give') slots.give(worker, message.username);
    },
    onGone: (worker) => {
      void counted.retire(worker);
      slots.drop(worker);
      void removeWorkerContainers(live.drop(worker), { engine, instanceId, attemptMs, logger, onEvent });
    },
  });
  logger.info('CLUSTER_STARTING', `Starting ${options.workers} worker processes.`, { workers: options.workers });
  stack.push('workers', pool, () => pool.stop(AbortSignal.abort(), graceMs));
  // Log rotation: each worker writes its own lines, so each must reopen a log file on SIGHUP too.
  const onHangup = (): void => pool.signal('SIGHUP');
  process.on('SIGHUP', onHangup);
  stack.push('sighup', onHangup, () => void process.removeListener('SIGHUP', onHangup));
  const first = await unlessStopped(pool.start(), stopRequested);
  checkpoint();
  const state = { draining: false };
  const ready = async (): Promise<boolean> => !state.draining && (await pool.ready()) && (await docker.ping(), true);
  const health = await startHealthServer(config.health, { logger, ready });
  stack.push('health', health, () => health.close());
  checkpoint();
  const summary = { ...first, hostKeyGenerated: generated, instanceId, orphansRemoved, workers: options.workers };
  const stop = async (deadline: AbortSignal): Promise<void> => {
    state.draining = true;
    logger.notice('SERVE_DRAINING', 'Stop requested: readiness answers 503 while open sessions end.', { workers: pool.pids().length });
    await pool.stop(deadline, graceMs);
    await stack.closeAll();
  };
  return { summary, stop, ready };
}
