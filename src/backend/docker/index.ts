// The Docker backend: createDockerBackend() turns authenticated connections into containers and programs.
import type { Backend, ConnectionContext, ConnectionHandler } from '../../core/contracts.js';
import { CsshError } from '../../core/errors.js';
import { createNullLogger, type Logger } from '../../core/logger.js';
import { deadline } from '../../core/retry.js';
import { DockerCode } from './codes.js';
import { ClientPool, defaultEnsurer, defaultOpener, type ClientOpener, type ImageEnsurer } from './engine/engine-pool.js';
import { apiAtLeast, CONSOLE_SIZE_API } from './engine/docker-engine.js';
import { openConnectionContainer } from './lifecycle/connection-container.js';
import { DockerConnection } from './lifecycle/connection-handler.js';
import type { WarmPool } from './lifecycle/warm-pool.js';
import { inPhase } from './phases.js';

export { removeOrphans } from './lifecycle/container-ops.js';
export { DockerCode, DOCKER_CODE_DESCRIPTIONS } from './codes.js';
export type { DockerEngine } from './engine/docker-engine.js';
export { openDockerEngine } from './engine/open-engine.js';
export { startContainerJanitor, type ContainerJanitor } from './lifecycle/container-janitor.js';
export { startWarmPool, type WarmPool } from './lifecycle/warm-pool.js';

export interface DockerBackendOptions {
  /** Labels every container (cssh.instance) so a restarted server can remove what an earlier run left behind. */
  instanceId: string;
  /** Backend-wide log lines (connection lines go to each ConnectionContext's logger). */
  logger?: Logger;
  /** Replaces how engines are opened (defaults to openDockerEngine: endpoint, bounded ping, API version). */
  openClient?: ClientOpener;
  /** Replaces the image policy step (defaults to the image module's ensureImage). */
  ensureImage?: ImageEnsurer;
  /** Ready connection-mode containers (docker.pool); a login whose spec matches takes one instead of creating one. */
  pool?: WarmPool;
}

function configError(explanation: string): CsshError {
  return new CsshError(DockerCode.CONFIG_ERROR, explanation, { userMessage: 'Failed to initialize SSH session.', permanent: true });
}

function checkExecution(ctx: ConnectionContext): void {
  const execution = ctx.config.docker.execution;
  if ((execution.container.Image ?? '') === '') throw configError('no image name specified (docker.execution.container.image)');
  if (execution.mode === 'connection' && execution.idleCommand.length === 0) {
    throw configError('docker.execution.idleCommand is empty; connection mode needs an idle command');
  }
}

/**
 * Creates the Docker backend. connect() runs under the containerStart deadline (and `signal`): client, image policy,
 * and in connection mode the container's create and start. Any failure removes what was created and rejects.
 */
export function createDockerBackend(options: DockerBackendOptions): Backend {
  const pool = new ClientPool(options.openClient ?? defaultOpener);
  const ensureImage = options.ensureImage ?? defaultEnsurer;
  const backendLogger = options.logger ?? createNullLogger();
  return {
    async connect(ctx: ConnectionContext, signal: AbortSignal): Promise<ConnectionHandler> {
      checkExecution(ctx);
      const { docker: dockerConfig } = ctx.config;
      const limit = deadline(dockerConfig.timeouts.containerStart, signal);
      const engine = await inPhase(ctx.onEvent, 'connect', () => pool.get(dockerConfig.connection, dockerConfig.timeouts, limit));
      const image = (): Promise<void> => ensureImage(engine, dockerConfig.execution, { signal: limit, logger: ctx.logger, onEvent: ctx.onEvent });
      const consoleSize = apiAtLeast(engine.apiVersion, CONSOLE_SIZE_API);
      if (dockerConfig.execution.mode === 'session') {
        await image();
        return new DockerConnection(ctx, engine, consoleSize, options.instanceId, undefined);
      }
      // With a warm pool, a hit has proved the image present (and current); Always still pulls before choosing.
      const pullFirst = options.pool === undefined || dockerConfig.execution.imagePullPolicy === 'Always';
      if (pullFirst) await image();
      const pooled = await options.pool?.take(ctx, limit);
      if (pooled !== undefined) return new DockerConnection(ctx, pooled.engine, consoleSize, options.instanceId, pooled);
      if (!pullFirst) await image();
      const container = await openConnectionContainer(ctx, engine, options.instanceId, limit);
      backendLogger.debug('DOCKER_CONTAINER_START', 'Connection container ready.', { containerId: container.id, connectionId: ctx.info.connectionId });
      return new DockerConnection(ctx, engine, consoleSize, options.instanceId, container);
    },
  };
}
