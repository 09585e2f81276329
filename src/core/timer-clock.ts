// The clock that timeouts read and schedule on: the process's real timers in production, a manual clock in tests.

/** An opaque handle of one scheduled callback. */
export type TimerHandle = object;

export interface TimerClock {
  /** Milliseconds on a monotonic scale (only differences matter). */
  now(): number;
  /** Runs `fn` once after `ms`; the handle cancels it. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The process's own timers and monotonic clock. */
export const realClock: TimerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
