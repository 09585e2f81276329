// Finds this instance's containers that no live connection uses and removes them: periodically, and as start-up/shutdown sweeps.
import type { EventSink } from '../../../core/events.js';
import type { Logger } from '../../../core/logger.js';
import { deadline } from '../../../core/retry.js';
import { DockerCode } from '../codes.js';
import { LABEL_CONNECTION, LABEL_INSTANCE } from './container-spec.js';
import { emitEvent } from '../phases.js';
import type { JanitorEngine, RemovalQueue } from './removal-queue.js';

/** Connection ids with a live connection in this process (counted: one id may be tracked twice for a moment). */
export class LiveConnections {
  private readonly counts = new Map<string, number>();

  /** Marks `connectionId` live until the returned function is called (idempotent). */
  track(connectionId: string): () => void {
    this.counts.set(connectionId, (this.counts.get(connectionId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.counts.get(connectionId) ?? 1) - 1;
      if (n <= 0) this.counts.delete(connectionId);
      else this.counts.set(connectionId, n);
    };
  }

  has(connectionId: string | undefined): boolean {
    return connectionId !== undefined && this.counts.has(connectionId);
  }

  get size(): number {
    return this.counts.size;
  }
}

export interface ReconcilerOptions {
  instanceId: string;
  live: LiveConnections;
  queue: RemovalQueue;
  logger: Logger;
  onEvent?: EventSink;
  /** Containers younger than this are left alone by a periodic pass, ms. */
  graceMs: number;
  /** Bound of one list or remove call, ms. */
  attemptMs: number;
  /** Clock seam for tests (ms since the epoch). */
  now?: () => number;
}

export type PassKind = 'startup' | 'periodic' | 'shutdown';

export class Reconciler {
  private readonly now: () => number;
  private running: Promise<number> | undefined;

  constructor(private readonly o: ReconcilerOptions) {
    this.now = o.now ?? Date.now;
  }

  /**
   * One pass over every engine: removes this instance's containers that are orphans. A periodic pass spares
   * containers of live connections and containers younger than the grace period (a container the retry queue waits
   * for is removed at once, and leaves the queue); the start-up and shutdown sweeps remove every container of the instance (no connection is live then).
   * Resolves with the number removed; never throws (a failing engine is logged and counted, and tried next time).
   * Overlapping periodic passes share one run.
   */
  pass(engines: Iterable<JanitorEngine>, kind: PassKind): Promise<number> {
    if (kind === 'periodic' && this.running !== undefined) return this.running;
    const run = this.runPass([...engines], kind).finally(() => { if (this.running === run) this.running = undefined; });
    if (kind === 'periodic') this.running = run;
    return run;
  }

  private async runPass(engines: JanitorEngine[], kind: PassKind): Promise<number> {
    const counts = await Promise.all(engines.map((engine) => this.passOne(engine, kind)));
    return counts.reduce((a, b) => a + b, 0);
  }

  private async passOne(engine: JanitorEngine, kind: PassKind): Promise<number> {
    let containers;
    try {
      containers = await engine.list(`${LABEL_INSTANCE}=${this.o.instanceId}`, deadline(this.o.attemptMs));
    } catch (error) {
      emitEvent(this.o.onEvent, { type: 'reconcile-pass', ok: false });
      this.o.logger.warning(DockerCode.RECONCILE_FAILED, `Listing this instance's containers failed (${kind}); trying again later.`, {
        engine: engine.name, error: String(error),
      });
      return 0;
    }
    const cutoff = this.now() - this.o.graceMs;
    const orphans = containers.filter((c) => kind !== 'periodic' || (
      !this.o.live.has(c.labels[LABEL_CONNECTION]) && c.createdMs <= cutoff
    ));
    const removed = await Promise.all(orphans.map(async (c) => {
      try {
        await engine.remove(c.id, deadline(this.o.attemptMs));
      } catch (error) {
        this.o.logger.warning(DockerCode.RECONCILE_FAILED, 'Removing an orphaned container failed; trying again later.', {
          containerId: c.id, engine: engine.name, error: String(error),
        });
        return false;
      }
      this.o.queue.forget(c.id);
      emitEvent(this.o.onEvent, { type: 'container-removed', id: c.id, orphan: true });
      this.o.logger.notice(DockerCode.ORPHAN_REMOVED, `Removed a container of this instance that no live connection uses (${kind}).`, {
        containerId: c.id, connectionId: c.labels[LABEL_CONNECTION], engine: engine.name, pass: kind,
      });
      return true;
    }));
    const ok = removed.every(Boolean);
    emitEvent(this.o.onEvent, { type: 'reconcile-pass', ok });
    this.o.logger.debug(DockerCode.RECONCILE, `Reconciler pass (${kind}) done.`, {
      engine: engine.name, containers: containers.length, orphans: orphans.length, removed: removed.filter(Boolean).length,
    });
    return removed.filter(Boolean).length;
  }
}
