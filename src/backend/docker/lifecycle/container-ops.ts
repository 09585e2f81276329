// Creating, starting and removing containers with events, retries and their own deadlines; orphan clean-up.
import { randomUUID } from 'node:crypto';
import { CsshError } from '../../../core/errors.js';
import type { EventSink } from '../../../core/events.js';
import type { Logger } from '../../../core/logger.js';
import { deadline } from '../../../core/retry.js';
import { DockerCode } from '../codes.js';
import { LABEL_CREATE, LABEL_INSTANCE } from './container-spec.js';
import type { ContainerCreateSpec, DockerEngine } from '../engine/docker-engine.js';
import { dockerCall } from '../engine/docker-call.js';
import { emitEvent, inPhase } from '../phases.js';

export interface OpsContext {
  engine: DockerEngine;
  logger: Logger;
  onEvent?: EventSink;
}

/**
 * Creates a container. `signal` stops the retries, but an attempt in flight is only bounded by `attemptMs`: aborting
 * it could leave a container the engine created without us learning its id. When `signal` aborted meanwhile, the
 * new container is removed (on `stopMs`) and the abort is rethrown.
 */
export async function createWithEvents(
  o: OpsContext, body: ContainerCreateSpec, mode: 'connection' | 'session',
  signal: AbortSignal, limits: { attemptMs: number; stopMs: number },
): Promise<string> {
  return inPhase(o.onEvent, 'create', async () => {
    o.logger.debug(DockerCode.CONTAINER_CREATE, 'Creating container.');
    const token = randomUUID();
    const labelled = structuredClone(body);
    labelled.Labels = { ...labelled.Labels, [LABEL_CREATE]: token };
    let id: string;
    try {
      id = await dockerCall(() => o.engine.createContainer(structuredClone(labelled), AbortSignal.timeout(limits.attemptMs)), {
        op: 'container-create', code: DockerCode.CONTAINER_CREATE_FAILED, explanation: 'Failed to create the container',
        signal, logger: o.logger, onEvent: o.onEvent,
      });
    } catch (error) {
      sweepAbandonedCreate(o, token, limits.stopMs);
      throw error;
    }
    emitEvent(o.onEvent, { type: 'container-created', id, mode });
    if (signal.aborted) {
      await removeWithEvents(o, id, limits.stopMs);
      throw new CsshError(DockerCode.CONTAINER_CREATE_FAILED, 'Container creation was cancelled', {
        cause: signal.reason, userMessage: 'Failed to initialize SSH session.', permanent: true,
      });
    }
    return id;
  });
}

/** When a container appears after its create was given up (slow engine): now, then twice more as the engine catches up. */
const SWEEP_DELAYS_MS = [0, 5_000, 30_000];

/**
 * A create that failed or timed out may still have made a container whose id never reached cssh. Looks for it by
 * its create token in the background (never keeping the process alive) and removes whatever turns up.
 */
function sweepAbandonedCreate(o: OpsContext, token: string, stopMs: number): void {
  const sweep = async (): Promise<void> => {
    try {
      const ids = (await o.engine.listContainers(`${LABEL_CREATE}=${token}`, deadline(stopMs))).map((c) => c.id);
      for (const id of ids) await removeWithEvents(o, id, stopMs);
    } catch (error) {
      o.logger.debug(DockerCode.CONTAINER_REMOVE_FAILED, 'Looking for a container whose create was given up failed.', { error: String(error) });
    }
  };
  for (const ms of SWEEP_DELAYS_MS) setTimeout(() => void sweep(), ms).unref();
}

export async function startWithEvents(o: OpsContext, id: string, signal: AbortSignal): Promise<void> {
  await inPhase(o.onEvent, 'start', async () => {
    o.logger.debug(DockerCode.CONTAINER_START, 'Starting container.', { containerId: id });
    await dockerCall((sig) => o.engine.startContainer(id, sig), {
      op: 'container-start', code: DockerCode.CONTAINER_START_FAILED, explanation: 'Failed to start the container',
      signal, logger: o.logger, onEvent: o.onEvent,
    });
  });
}

/**
 * Force-removes a container on its own deadline (`stopMs`, never a dead connection's signal); 404 counts as removed.
 * Never throws: a final failure is logged as DOCKER_CONTAINER_REMOVE_FAILED and emitted as container-remove-failed,
 * which the container janitor turns into retries.
 */
export async function removeWithEvents(o: OpsContext, id: string, stopMs: number, orphan = false): Promise<boolean> {
  try {
    await inPhase(o.onEvent, 'remove', async () => {
      o.logger.debug(DockerCode.CONTAINER_REMOVE, 'Removing container.', { containerId: id });
      await dockerCall((sig) => o.engine.removeContainer(id, sig), {
        op: 'container-remove', code: DockerCode.CONTAINER_REMOVE_FAILED, explanation: 'Failed to remove the container',
        signal: deadline(stopMs), logger: o.logger, onEvent: o.onEvent,
      });
    });
    o.logger.debug(DockerCode.CONTAINER_REMOVE_SUCCESSFUL, 'Container removed.', { containerId: id });
    emitEvent(o.onEvent, { type: 'container-removed', id, orphan });
    return true;
  } catch (error) {
    o.logger.error(DockerCode.CONTAINER_REMOVE_FAILED, 'Failed to remove the container; serve retries it in the background.', { containerId: id, error: String(error) });
    emitEvent(o.onEvent, { type: 'container-remove-failed', id });
    return false;
  }
}

/**
 * Removes every container labelled cssh.instance=<instanceId> (left behind by an earlier run of this instance) and
 * never any other. Resolves with the number removed; listing failures reject.
 */
export async function removeOrphans(engine: DockerEngine, instanceId: string, logger: Logger, onEvent?: EventSink): Promise<number> {
  const ids = (await engine.listContainers(`${LABEL_INSTANCE}=${instanceId}`, AbortSignal.timeout(30_000))).map((c) => c.id);
  const results = await Promise.all(ids.map(async (id) => {
    const ok = await removeWithEvents({ engine, logger, onEvent }, id, 60_000, true);
    if (ok) logger.notice(DockerCode.ORPHAN_REMOVED, 'Removed a container left behind by an earlier run.', { containerId: id });
    return ok;
  }));
  return results.filter(Boolean).length;
}
