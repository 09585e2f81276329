// SessionHandler decorator ending sessions that stay silent too long (idleTimeout) or run too long (maxSessionDuration).
import type { Writable } from 'node:stream';
import type { SecurityConfig } from '../config/types.js';
import type { Program, PtyRequest, SessionHandler, SessionIO, StartRequest, WindowSize } from '../core/contracts.js';
import type { Logger } from '../core/logger.js';
import { realClock, type TimerClock, type TimerHandle } from '../core/timer-clock.js';
import { SecurityCodes } from './codes.js';
import { observeActivity } from './activity-io.js';

export type TimeoutSettings = Pick<
  SecurityConfig,
  'idleTimeout' | 'maxSessionDuration' | 'timeoutWarning' | 'terminateGracePeriod'
>;

type Reason = 'idle' | 'max-duration';

/**
 * Wraps `inner` so that a running program is ended when no input or output passed for `idleTimeout` ms, or when it
 * has run for `maxSessionDuration` ms (0 = off). Ending means: the warning line (timeoutWarning.message with
 * {reason} replaced, then CRLF) is written to the session's stdout `leadTime` ms before (never for subsystems,
 * whose stdout is a protocol). When leadTime is not shorter than the timeout, the maximum-duration warning is
 * written at once when the program starts, and the idle warning when the idle timeout fires (warning at the start
 * of every silence would print it after each burst of output). Then
 * signal('TERM') on `inner`, then Program.kill() after `terminateGracePeriod` ms. The program then exits and is
 * reported as usual. All timers stop when the program exits or the session closes.
 */
export class TimeoutSessionHandler implements SessionHandler {
  private watch: SessionWatch | undefined;

  constructor(
    private readonly inner: SessionHandler,
    private readonly settings: TimeoutSettings,
    private readonly logger: Logger,
    private readonly clock: TimerClock = realClock,
  ) {}

  setEnv(name: string, value: string): void {
    this.inner.setEnv(name, value);
  }

  requestPty(pty: PtyRequest): void {
    this.inner.requestPty(pty);
  }

  /** Agent forwarding is decided in the SSH layer; it only passes through. */
  get forwardAgent(): SessionHandler['forwardAgent'] {
    return this.inner.forwardAgent?.bind(this.inner);
  }

  precheck(req: StartRequest): void {
    this.inner.precheck?.(req);
  }

  async start(req: StartRequest, io: SessionIO, signal: AbortSignal): Promise<Program> {
    const { idleTimeout, maxSessionDuration } = this.settings;
    if (idleTimeout <= 0 && maxSessionDuration <= 0) return this.inner.start(req, io, signal);
    const warnTo = req.kind === 'subsystem' ? undefined : io.stdout;
    const watch = new SessionWatch(this.inner, this.settings, this.logger, warnTo, this.clock);
    const program = await this.inner.start(req, observeActivity(io, watch.touch), signal);
    this.watch = watch;
    watch.begin(program);
    void program.exited.finally(() => watch.stop());
    return program;
  }

  resize(size: WindowSize): Promise<void> {
    return this.inner.resize(size);
  }

  signal(name: string): Promise<void> {
    return this.inner.signal(name);
  }

  close(): Promise<void> {
    this.watch?.stop();
    return this.inner.close();
  }
}

/** The timers of one running program. */
class SessionWatch {
  private last: number;
  private warnedIdleFor = -1;
  private ending = false;
  private stopped = false;
  private program: Program | undefined;
  private readonly timers = new Set<TimerHandle>();
  private idleTimer: TimerHandle | undefined;

  constructor(
    private readonly session: SessionHandler,
    private readonly settings: TimeoutSettings,
    private readonly logger: Logger,
    private readonly warnTo: Writable | undefined,
    private readonly clock: TimerClock,
  ) {
    this.last = clock.now();
  }

  /** Marks input or output activity. Cheap: the idle timer re-checks lazily. */
  readonly touch = (): void => {
    this.last = this.clock.now();
  };

  begin(program: Program): void {
    this.program = program;
    this.last = this.clock.now();
    const { idleTimeout, maxSessionDuration } = this.settings;
    if (idleTimeout > 0) this.scheduleIdle(this.firstIdleDelay());
    if (maxSessionDuration > 0) this.scheduleDuration(maxSessionDuration);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    this.timers.clear();
  }

  private firstIdleDelay(): number {
    const warnAt = this.idleWarnOffset();
    return warnAt ?? this.settings.idleTimeout;
  }

  /** ms of silence after which to warn, or undefined to warn when the idle timeout fires. */
  private idleWarnOffset(): number | undefined {
    const lead = this.settings.timeoutWarning.leadTime;
    const timeout = this.settings.idleTimeout;
    return lead > 0 && lead < timeout ? timeout - lead : undefined;
  }

  /** Runs `fn` after `ms` unless the watch stops first; nothing is scheduled once it has stopped. */
  private later(ms: number, fn: () => void): TimerHandle | undefined {
    if (this.stopped) return undefined;
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, Math.max(0, ms));
    this.timers.add(timer);
    return timer;
  }

  private scheduleIdle(ms: number): void {
    if (this.idleTimer !== undefined) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = this.later(ms, () => this.checkIdle());
  }

  private checkIdle(): void {
    const timeout = this.settings.idleTimeout;
    const silent = this.clock.now() - this.last;
    if (silent >= timeout) {
      this.end('idle', this.warnedIdleFor !== this.last);
      return;
    }
    const warnAt = this.idleWarnOffset();
    if (warnAt !== undefined && silent >= warnAt && this.warnedIdleFor !== this.last) {
      this.warnedIdleFor = this.last;
      this.warn('idle');
    }
    this.scheduleIdle(warnAt !== undefined && silent < warnAt ? warnAt - silent : timeout - silent);
  }

  private scheduleDuration(timeout: number): void {
    const lead = this.settings.timeoutWarning.leadTime;
    if (lead > 0) this.later(Math.max(0, timeout - lead), () => this.warn('max-duration'));
    this.later(timeout, () => this.end('max-duration', lead <= 0));
  }

  private warn(reason: Reason): void {
    const { message } = this.settings.timeoutWarning;
    this.logger.info('SECURITY_TIMEOUT_WARNING', SecurityCodes.SECURITY_TIMEOUT_WARNING, { reason });
    const out = this.warnTo;
    if (message === '' || out === undefined || out.destroyed || out.writableEnded) return;
    try {
      out.write(`${message.replaceAll('{reason}', describe(reason))}\r\n`);
    } catch {
      // the client is gone; nothing to tell it
    }
  }

  private end(reason: Reason, warnNow: boolean): void {
    if (this.ending || this.program === undefined) return;
    this.ending = true;
    const program = this.program;
    const code = reason === 'idle' ? 'SECURITY_IDLE_TIMEOUT' : 'SECURITY_MAX_DURATION';
    this.logger.notice(code, SecurityCodes[code]);
    if (warnNow) this.warn(reason);
    this.session.signal('TERM').then(
      () => {
        this.later(this.settings.terminateGracePeriod, () => {
          this.logger.notice('SECURITY_TIMEOUT_KILL', SecurityCodes.SECURITY_TIMEOUT_KILL);
          program.kill();
        });
      },
      (error: unknown) => {
        this.logger.warning('SECURITY_TIMEOUT_SIGNAL_FAILED', SecurityCodes.SECURITY_TIMEOUT_SIGNAL_FAILED, {
          error: error instanceof Error ? error.message : String(error),
        });
        program.kill();
      },
    );
  }
}

function describe(reason: Reason): string {
  return reason === 'idle' ? 'idle timeout' : 'maximum session duration';
}
