// Start-up vocabulary shared by the composition root and `serve`: the stopped-during-start-up code and a stop-aware wait.

/** Code of the start-up failure when a stop signal arrived before the server was up (serve then exits 0). */
export const STOPPED_DURING_STARTUP = 'SERVE_STOPPED_DURING_STARTUP';

/** Rejects as soon as `signal` aborts, so a start-up step that waits on the network cannot hold a stop request. */
export function unlessStopped<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(new Error('stopped'));
  let onAbort = (): void => undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = (): void => reject(new Error('stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  work.catch(() => undefined); // settled after a stop: nobody awaits it any more
  return Promise.race([work, stopped]).finally(() => signal.removeEventListener('abort', onAbort));
}
