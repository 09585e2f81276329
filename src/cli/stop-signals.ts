// Traps SIGTERM, SIGINT and SIGHUP from the very start of `serve`, so no signal can kill it before cleanup is armed.

export interface StopSignals {
  /** Aborts at the first SIGTERM/SIGINT, so start-up can stop at once and release what it opened. */
  readonly stopRequested: AbortSignal;
  /**
   * Resolves once `stop` has finished after the first SIGTERM/SIGINT (at once if one came during start-up).
   * A second signal aborts the deadline passed to `stop` (forcing it); so does `shutdownTimeoutMs`.
   */
  untilStopped(stop: (deadline: AbortSignal) => Promise<void>, shutdownTimeoutMs: number): Promise<void>;
  /** A stop asked for without a signal (a worker of serve --workers told by its primary): like a first signal; idempotent. */
  request(): void;
  /** Forces the stop under way, like a second signal. */
  force(): void;
}

/**
 * Installs the handlers now. Without a listener the kernel ends the process on the spot, so installing them only once
 * the server listens left a window in which SIGTERM or SIGHUP killed it with containers running. The listeners stay
 * until exit, so a late signal cannot kill the process mid-cleanup. SIGHUP is only acknowledged through `onHangup`.
 */
export function trapStopSignals(onHangup: () => void): StopSignals {
  const force = new AbortController();
  const requestedController = new AbortController();
  let requested = false;
  let begin: (() => void) | undefined;
  const request = (): void => {
    if (requested) return;
    requested = true;
    requestedController.abort();
    begin?.();
  };
  const onSignal = (): void => {
    if (requested) return force.abort(); // a second signal: stop waiting for programs
    request();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onHangup);
  return {
    stopRequested: requestedController.signal,
    request,
    force: () => force.abort(),
    untilStopped(stop, shutdownTimeoutMs) {
      return new Promise((resolve) => {
        begin = (): void => {
          const timer = setTimeout(() => force.abort(), shutdownTimeoutMs);
          void stop(force.signal).finally(() => {
            clearTimeout(timer);
            resolve();
          });
        };
        if (requested) begin();
      });
    },
  };
}
