// Connection mode: the one container of a connection (idle command as its main process), and what it can do.
import type Dockerode from 'dockerode';
import type { ConnectionContext } from '../../core/contracts.js';
import { DockerCode } from './codes.js';
import { buildCreateOptions, connectionEnv } from './container-spec.js';
import { pathExists } from './docker-api.js';
import { writeFiles } from './file-upload.js';
import { deadline } from '../../core/retry.js';
import { createWithEvents, removeWithEvents, startWithEvents, type OpsContext } from './container-ops.js';

/** The connection container and its capabilities, found out once after create. */
export interface ConnectionContainer {
  docker: Dockerode;
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
}

export function apiAtLeast(apiVersion: string, want: string): boolean {
  const [a1 = 0, a2 = 0] = apiVersion.split('.').map(Number);
  const [b1 = 0, b2 = 0] = want.split('.').map(Number);
  return a1 !== b1 ? a1 > b1 : a2 >= b2;
}

/** Creates, probes and starts the container; on any failure removes what it created, then rethrows. */
export async function openConnectionContainer(
  ctx: ConnectionContext, docker: Dockerode, apiVersion: string, instanceId: string, signal: AbortSignal,
): Promise<ConnectionContainer> {
  const execution = ctx.config.docker.execution;
  const ops: OpsContext = { docker, logger: ctx.logger, onEvent: ctx.onEvent };
  const body = buildCreateOptions({
    info: ctx.info, execution, instanceId, cmd: execution.idleCommand, env: connectionEnv(ctx.info, execution),
  });
  const timeouts = ctx.config.docker.timeouts;
  const id = await createWithEvents(ops, body, 'connection', signal, { attemptMs: timeouts.containerStart, stopMs: timeouts.containerStop });
  try {
    const agent = !execution.disableAgent && (await pathExists(docker, id, execution.agentPath, signal));
    const shell = await pathExists(docker, id, '/bin/sh', signal);
    await startWithEvents(ops, id, signal);
    await writeFiles(docker, id, ctx.info.files, ctx.logger, deadline(timeouts.commandStart, signal));
    ctx.logger.debug(DockerCode.CONTAINER_START, 'Connection container running.', { containerId: id, agent, shell });
    return { docker, id, agentPath: execution.agentPath, agent, shell, consoleSize: apiAtLeast(apiVersion, '1.42'), shuttingDown: false };
  } catch (error) {
    await removeWithEvents(ops, id, ctx.config.docker.timeouts.containerStop);
    throw error;
  }
}
