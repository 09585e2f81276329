// Wraps a lifecycle step in phase-start/phase-end events, for spinners, timing breakdowns and metrics.
import type { EventSink, LifecyclePhase } from '../../core/events.js';

/** Emits an event, ignoring observers that throw. */
export function emitEvent(onEvent: EventSink | undefined, event: Parameters<EventSink>[0]): void {
  try {
    onEvent?.(event);
  } catch {
    // observers must not throw; a broken one must not break the lifecycle
  }
}

/** Runs `fn` between phase-start and phase-end (ok=false and rethrow on failure). */
export async function inPhase<T>(onEvent: EventSink | undefined, phase: LifecyclePhase, fn: () => Promise<T>, detail?: string): Promise<T> {
  const started = performance.now();
  emitEvent(onEvent, detail === undefined ? { type: 'phase-start', phase } : { type: 'phase-start', phase, detail });
  try {
    const result = await fn();
    emitEvent(onEvent, { type: 'phase-end', phase, ok: true, ms: Math.round(performance.now() - started) });
    return result;
  } catch (error) {
    emitEvent(onEvent, { type: 'phase-end', phase, ok: false, ms: Math.round(performance.now() - started) });
    throw error;
  }
}
