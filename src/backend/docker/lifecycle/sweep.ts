// `cssh sweep`: lists cssh's containers on an engine by instance, and removes those of instances an operator names as dead.
import { LABEL_CONNECTION, LABEL_INSTANCE, LABEL_USER } from './container-spec.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { deadline } from '../../../core/retry.js';

export interface SweptContainer {
  id: string;
  connection: string;
  user: string;
  state: string;
  /** ISO 8601. */
  created: string;
}

export interface InstanceContainers {
  instance: string;
  containers: SweptContainer[];
  /** Set when a live process on this machine uses this instance id (from the state directory's lock). */
  runningHere?: { pid: number };
}

export interface SweepResult {
  endpoint: string;
  /** Every instance with containers on the engine (all of them when listing; the named ones when removing). */
  instances: InstanceContainers[];
  dryRun: boolean;
  removed: string[];
  failed: { id: string; error: string }[];
}

export interface SweepOptions {
  engine: DockerEngine;
  /** Instances whose containers are removed; empty = list only. */
  remove: string[];
  dryRun: boolean;
  /** The instance a live server on this machine holds (never removed). */
  localHolder?: { id: string; pid: number };
  /** Bound of each engine call, ms. */
  callMs: number;
}

/** Lists (and, for the named instances, removes) cssh's containers. Rejects only when the engine cannot be listed. */
export async function sweep(o: SweepOptions): Promise<SweepResult> {
  const all = await o.engine.listContainers(LABEL_INSTANCE, deadline(o.callMs));
  const byInstance = new Map<string, SweptContainer[]>();
  for (const c of all) {
    const instance = c.labels[LABEL_INSTANCE] ?? '';
    const list = byInstance.get(instance) ?? [];
    list.push({
      id: c.id, connection: c.labels[LABEL_CONNECTION] ?? '', user: c.labels[LABEL_USER] ?? '', state: c.state,
      created: new Date(c.createdMs).toISOString(),
    });
    byInstance.set(instance, list);
  }
  const named = new Set(o.remove);
  const instances: InstanceContainers[] = [...byInstance.entries()]
    .filter(([instance]) => named.size === 0 || named.has(instance))
    .map(([instance, containers]) => ({
      instance,
      containers: containers.sort((a, b) => a.created.localeCompare(b.created)),
      ...(o.localHolder?.id === instance ? { runningHere: { pid: o.localHolder.pid } } : {}),
    }))
    .sort((a, b) => a.instance.localeCompare(b.instance));
  const result: SweepResult = { endpoint: o.engine.endpoint, instances, dryRun: o.dryRun, removed: [], failed: [] };
  if (o.dryRun || named.size === 0) return result;
  await Promise.all(instances.filter((i) => i.runningHere === undefined).flatMap((i) => i.containers).map(async (c) => {
    try {
      await o.engine.removeContainer(c.id, deadline(o.callMs));
      result.removed.push(c.id);
    } catch (error) {
      result.failed.push({ id: c.id, error: error instanceof Error ? error.message : String(error) });
    }
  }));
  return result;
}
