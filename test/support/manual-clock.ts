// A TimerClock that moves only when a test advances it: timeout logic is tested without real waiting.
import { setImmediate as turn } from 'node:timers/promises';
import type { TimerClock, TimerHandle } from '../../src/core/timer-clock.js';

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
}

export class ManualClock implements TimerClock {
  private time = 0;
  private seq = 0;
  private readonly pending = new Set<Scheduled>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const entry = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.pending.add(entry);
    return entry;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle as Scheduled);
  }

  /** Number of callbacks still scheduled. */
  get scheduled(): number {
    return this.pending.size;
  }

  /**
   * Moves time forward by `ms`, running every callback that falls due, earliest first, with time set to its due
   * moment. Between callbacks (and before returning) pending promise reactions and I/O callbacks run, so work a
   * callback starts (a signal promise, a stream write) can schedule the next timer before time moves on.
   */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await this.settle();
    for (;;) {
      const next = this.earliestDue(end);
      if (next === undefined) break;
      this.pending.delete(next);
      this.time = next.at;
      next.fn();
      await this.settle();
    }
    this.time = end;
    await this.settle();
  }

  private earliestDue(end: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const entry of this.pending) {
      if (entry.at > end) continue;
      if (best === undefined || entry.at < best.at || (entry.at === best.at && entry.seq < best.seq)) best = entry;
    }
    return best;
  }

  private async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await turn();
  }
}
