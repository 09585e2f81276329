// Connection mode: the one container of a connection (idle command as its main process), and what it can do.
import type { DockerConfig } from '../../../config/types.js';
import type { ConnectionContext } from '../../../core/contracts.js';
import { DockerCode } from '../codes.js';
import { connectionBody } from './container-spec.js';
import { apiAtLeast, CONSOLE_SIZE_API, type ContainerCreateSpec, type DockerEngine } from '../engine/docker-engine.js';
import { writeFiles } from './file-upload.js';
import { deadline } from '../../../core/retry.js';
import { createWithEvents, removeWithEvents, startWithEvents, type OpsContext } from './container-ops.js';

/** The connection container and its capabilities, found out once after create. */
export interface ConnectionContainer {
  engine: DockerEngine;
  id: string;
  agentPath: string;
  /** The guest agent is enabled and present in the image. */
  agent: boolean;
  /** /bin/sh is present (used for the pid wrapper and signal helper when there is no agent). */
  shell: boolean;
  /** The API accepts ConsoleSize on exec create (1.42+). */
  consoleSize: boolean;
  /** Set once removal began: new execs are refused. */
  shuttingDown: boolean;
  /** A warm pool container: called once the connection has removed it (the pool stops vouching for it). */
  onRemoved?: () => void;
}

/** Creates, probes and starts the container; on any failure removes what it created, then rethrows. */
export async function openConnectionContainer(
  ctx: ConnectionContext, engine: DockerEngine, instanceId: string, signal: AbortSignal,
): Promise<ConnectionContainer> {
  const ops: OpsContext = { engine, logger: ctx.logger, onEvent: ctx.onEvent };
  const container = await createAndStart(ops, ctx.config.docker, connectionBody(ctx.config, ctx.info, instanceId), signal);
  try {
    await writeFiles(engine, container.id, ctx.info.files, ctx.logger, deadline(ctx.config.docker.timeouts.commandStart, signal));
  } catch (error) {
    await removeWithEvents(ops, container.id, ctx.config.docker.timeouts.containerStop);
    throw error;
  }
  return container;
}

/**
 * Creates `body`, probes it (guest agent, /bin/sh) and starts it: a connection's container, or a warm pool's before
 * any connection. On any failure removes what it created, then rethrows.
 */
export async function createAndStart(
  ops: OpsContext, docker: Pick<DockerConfig, 'execution' | 'timeouts'>, body: ContainerCreateSpec, signal: AbortSignal,
): Promise<ConnectionContainer> {
  const { execution, timeouts } = docker;
  const { engine } = ops;
  const id = await createWithEvents(ops, body, 'connection', signal, { attemptMs: timeouts.containerStart, stopMs: timeouts.containerStop });
  try {
    const agent = !execution.disableAgent && (await engine.pathExists(id, execution.agentPath, signal));
    const shell = await engine.pathExists(id, '/bin/sh', signal);
    await startWithEvents(ops, id, signal);
    ops.logger.debug(DockerCode.CONTAINER_START, 'Connection container running.', { containerId: id, agent, shell });
    return { engine, id, agentPath: execution.agentPath, agent, shell, consoleSize: apiAtLeast(engine.apiVersion, CONSOLE_SIZE_API), shuttingDown: false };
  } catch (error) {
    await removeWithEvents(ops, id, timeouts.containerStop);
    throw error;
  }
}
