// The one retry helper: fixed-interval attempts under a deadline, giving up at once on permanent errors.
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Aborts the whole operation (the deadline). Each attempt receives a signal derived from it. */
  signal: AbortSignal;
  /** Wait between attempts, in ms. ContainerSSH uses 10 s for Docker and webhooks. */
  intervalMs: number;
  /** Optional per-attempt time limit, in ms. */
  attemptTimeoutMs?: number;
  /** True when an error should not be retried (401/403/404/501, bad input). */
  isPermanent?: (error: unknown) => boolean;
  /** Called after each failed attempt that will be retried; for logs and metrics. Must not throw. */
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs `attempt` until it succeeds, a permanent error occurs, or `signal` aborts.
 * Rejects with the last attempt's error (or the abort reason when no attempt finished).
 */
export async function retry<T>(attempt: (signal: AbortSignal, attemptNo: number) => Promise<T>, options: RetryOptions): Promise<T> {
  let lastError: unknown = undefined;
  for (let attemptNo = 1; ; attemptNo++) {
    if (options.signal.aborted) throw lastError ?? options.signal.reason;
    const perAttempt = options.attemptTimeoutMs === undefined ? undefined : releasableDeadline(options.attemptTimeoutMs, options.signal);
    try {
      return await attempt(perAttempt?.signal ?? options.signal, attemptNo);
    } catch (error) {
      lastError = error;
      if (options.signal.aborted || options.isPermanent?.(error) === true) throw error;
      options.onRetry?.(error, attemptNo);
    } finally {
      perAttempt?.release(); // a finished attempt's timer and parent listener must not pile up over many retries
    }
    try {
      await sleep(options.intervalMs, undefined, { signal: options.signal });
    } catch {
      throw lastError;
    }
  }
}

/**
 * A signal that aborts when `parent` aborts or after `ms` milliseconds, whichever comes first (reason: a
 * TimeoutError, or the parent's reason). Built on a timer that holds its controller strongly: Node 20's
 * AbortSignal.any() keeps only weak references to its sources, so an AbortSignal.timeout() nobody else holds can
 * be garbage-collected and the deadline would never fire. The timer does not keep the process alive.
 */
export function deadline(ms: number, parent?: AbortSignal): AbortSignal {
  return releasableDeadline(ms, parent).signal;
}

/** deadline(), plus release(): stops the timer and detaches from `parent` without aborting (the work is done). */
export function releasableDeadline(ms: number, parent?: AbortSignal): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')), ms);
  timer.unref();
  const onParentAbort = (): void => controller.abort(parent?.reason);
  if (parent?.aborted === true) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  controller.signal.addEventListener(
    'abort',
    () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
    { once: true },
  );
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}

/**
 * A signal that aborts with `parent`, plus release(): detaches it from `parent` once its work is done. Give one to
 * each call that registers abort listeners it never removes (docker-modem does), so a long-lived parent signal
 * does not collect a listener per call.
 */
export function linkedSignal(parent: AbortSignal): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) onParentAbort();
  else parent.addEventListener('abort', onParentAbort, { once: true });
  return { signal: controller.signal, release: () => parent.removeEventListener('abort', onParentAbort) };
}
