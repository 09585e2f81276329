// Removal is a promise: containers whose removal failed are retried in the background with backoff, each attempt logged and counted.
import type { EventSink } from '../../../core/events.js';
import type { Logger } from '../../../core/logger.js';
import { deadline } from '../../../core/retry.js';
import { DockerCode } from '../codes.js';
import type { DockerEngine, LabelledContainer } from '../engine/docker-engine.js';
import { emitEvent } from '../phases.js';

/** What the janitor needs of an engine: list labelled containers, force-remove one (absent counts as removed). */
export interface JanitorEngine {
  /** The endpoint, for log lines. */
  readonly name: string;
  list(label: string, signal: AbortSignal): Promise<LabelledContainer[]>;
  /** Resolves once the container is gone (a 404 included); rejects when the engine did not remove it. */
  remove(id: string, signal: AbortSignal): Promise<void>;
}

/** The janitor's view of a DockerEngine, named by its endpoint. */
export function dockerJanitorEngine(engine: DockerEngine): JanitorEngine {
  return {
    name: engine.endpoint,
    list: (label, signal) => engine.listContainers(label, signal),
    remove: (id, signal) => engine.removeContainer(id, signal),
  };
}

/** Waits before attempts 1, 2, ...: doubling from 1 s, capped at 30 s; about 2 minutes in all, then the reconciler's turn. */
export const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000];
/** More queued removals than this are not kept (the reconciler still finds them); bounds memory during a long outage. */
export const DEFAULT_MAX_QUEUED = 10_000;

export interface RemovalQueueOptions {
  logger: Logger;
  onEvent?: EventSink;
  /** Bound of one removal attempt, ms. */
  attemptMs: number;
  delaysMs?: number[];
  maxQueued?: number;
}

interface Entry {
  engine: JanitorEngine;
  id: string;
  attempt: number;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

export class RemovalQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly delays: number[];
  private readonly maxQueued: number;
  private closed = false;

  constructor(private readonly o: RemovalQueueOptions) {
    this.delays = o.delaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.maxQueued = o.maxQueued ?? DEFAULT_MAX_QUEUED;
  }

  /** Containers waiting for a retry. */
  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Queues a container whose removal failed; a container already queued keeps its place. Never throws. */
  add(engine: JanitorEngine, id: string): void {
    if (this.closed || this.entries.has(id)) return;
    if (this.entries.size >= this.maxQueued) {
      this.o.logger.warning(DockerCode.REMOVE_GAVE_UP, 'Removal retry queue is full; the reconciler will remove the container.', { containerId: id, queued: this.entries.size });
      return;
    }
    const entry: Entry = { engine, id, attempt: 0 };
    this.entries.set(id, entry);
    this.schedule(entry);
  }

  /** The container is gone by other means (a later removal, the reconciler): stop retrying it. */
  forget(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.entries.delete(id);
  }

  private schedule(entry: Entry): void {
    const wait = this.delays[entry.attempt];
    if (wait === undefined) {
      this.entries.delete(entry.id);
      this.o.logger.error(DockerCode.REMOVE_GAVE_UP, 'Gave up retrying the removal; the reconciler removes the container once the engine answers.', {
        containerId: entry.id, attempts: entry.attempt, engine: entry.engine.name,
      });
      return;
    }
    entry.timer = setTimeout(() => { entry.running = this.attempt(entry); }, wait);
    entry.timer.unref();
  }

  private async attempt(entry: Entry): Promise<void> {
    entry.attempt += 1;
    try {
      await entry.engine.remove(entry.id, deadline(this.o.attemptMs));
      if (this.entries.get(entry.id) !== entry) return;
      this.entries.delete(entry.id);
      emitEvent(this.o.onEvent, { type: 'container-remove-retry', ok: true });
      emitEvent(this.o.onEvent, { type: 'container-removed', id: entry.id, orphan: false });
      this.o.logger.notice(DockerCode.CONTAINER_REMOVE_SUCCESSFUL, 'Container removed on retry.', { containerId: entry.id, attempt: entry.attempt });
    } catch (error) {
      if (this.entries.get(entry.id) !== entry) return;
      emitEvent(this.o.onEvent, { type: 'container-remove-retry', ok: false });
      const next = this.delays[entry.attempt];
      this.o.logger.warning(DockerCode.REMOVE_RETRY, 'Removing the container failed again; retrying.', {
        containerId: entry.id, attempt: entry.attempt, nextInMs: next, error: String(error),
      });
      if (!this.closed) this.schedule(entry);
    }
  }

  /**
   * Stops the timers and makes one last attempt for every queued container, each bounded by attemptMs and all by
   * `signal`. Resolves with the ids still not removed. Never throws.
   */
  async drain(signal: AbortSignal): Promise<string[]> {
    this.closed = true;
    const entries = [...this.entries.values()];
    for (const entry of entries) clearTimeout(entry.timer);
    await Promise.all(entries.map((e) => e.running?.catch(() => undefined) ?? Promise.resolve()));
    const left: string[] = [];
    await Promise.all([...this.entries.values()].map(async (entry) => {
      try {
        await entry.engine.remove(entry.id, deadline(this.o.attemptMs, signal));
        emitEvent(this.o.onEvent, { type: 'container-removed', id: entry.id, orphan: false });
      } catch {
        left.push(entry.id);
      }
      this.entries.delete(entry.id);
    }));
    return left;
  }
}
