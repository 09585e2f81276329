// Which connection ids are live across the workers of serve --workers: each worker reports, the primary's reconciler asks.
import { LiveConnections } from '../backend/docker/lifecycle/reconciler.js';

/** In a worker: the janitor's live set, which also tells the primary when an id starts and stops being live. */
export class ReportingLiveConnections extends LiveConnections {
  constructor(private readonly report: (connectionId: string, on: boolean) => void) {
    super();
  }

  override track(connectionId: string): () => void {
    const first = !this.has(connectionId);
    const release = super.track(connectionId);
    if (first) this.report(connectionId, true);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      if (!this.has(connectionId)) this.report(connectionId, false);
    };
  }
}

/** In the primary: the union of what every worker reported; a worker that ends takes its ids with it. */
export class ClusterLiveConnections extends LiveConnections {
  private readonly byWorker = new Map<number, Set<string>>();

  /** Records a worker's report. */
  set(worker: number, connectionId: string, on: boolean): void {
    let ids = this.byWorker.get(worker);
    if (ids === undefined) {
      ids = new Set();
      this.byWorker.set(worker, ids);
    }
    if (on) ids.add(connectionId);
    else ids.delete(connectionId);
  }

  /** Forgets a worker that ended; returns the ids it had live (their containers have no owner any more). */
  drop(worker: number): string[] {
    const ids = this.byWorker.get(worker);
    this.byWorker.delete(worker);
    return ids === undefined ? [] : [...ids];
  }

  override has(connectionId: string | undefined): boolean {
    if (connectionId === undefined) return false;
    for (const ids of this.byWorker.values()) if (ids.has(connectionId)) return true;
    return false;
  }

  override get size(): number {
    let n = 0;
    for (const ids of this.byWorker.values()) n += ids.size;
    return n;
  }
}
