// Removes the containers of a worker of serve --workers that ended: those labelled with a connection id it had live.
import { LABEL_CONNECTION, LABEL_INSTANCE } from '../backend/docker/lifecycle/container-spec.js';
import type { JanitorEngine } from '../backend/docker/lifecycle/removal-queue.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { deadline } from '../core/retry.js';

export interface WorkerContainersOptions {
  engine: JanitorEngine;
  instanceId: string;
  /** Bound of the list call and of each removal, ms. */
  attemptMs: number;
  logger: Logger;
  onEvent?: EventSink;
}

/**
 * Removes at once, on the primary engine, this instance's containers whose connection id is in `connectionIds`
 * (no grace period: nobody owns them any more). Anything missed (a container the engine was still creating, another
 * engine, a failed call) is left to the reconciler's next pass, which no longer sees these ids as live. Resolves with
 * the number removed; never throws.
 */
export async function removeWorkerContainers(connectionIds: string[], o: WorkerContainersOptions): Promise<number> {
  if (connectionIds.length === 0) return 0;
  const ids = new Set(connectionIds);
  try {
    const containers = await o.engine.list(`${LABEL_INSTANCE}=${o.instanceId}`, deadline(o.attemptMs));
    const doomed = containers.filter((c) => ids.has(c.labels[LABEL_CONNECTION] ?? ''));
    const results = await Promise.allSettled(doomed.map(async (c) => {
      await o.engine.remove(c.id, deadline(o.attemptMs));
      o.onEvent?.({ type: 'container-removed', id: c.id, orphan: true });
    }));
    const removed = results.filter((r) => r.status === 'fulfilled').length;
    o.logger.notice('CLUSTER_WORKER_CONTAINERS_REMOVED', `Removed ${removed} of ${doomed.length} container(s) of the worker that ended${removed < doomed.length ? '; the reconciler removes the rest' : ''}.`, {
      removed, found: doomed.length, connections: connectionIds.length,
    });
    return removed;
  } catch (error) {
    o.logger.warning('CLUSTER_WORKER_CONTAINERS_REMOVED', 'Listing the containers of the worker that ended failed; the reconciler removes them.', { error: String(error) });
    return 0;
  }
}
