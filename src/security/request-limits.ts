// SessionHandler decorator bounding what a client controls in a session: env names, count and size; signals in flight.
import type { SecurityConfig } from '../config/types.js';
import type { Program, PtyRequest, SessionHandler, SessionIO, StartRequest, WindowSize } from '../core/contracts.js';
import { refuse, type RefusalReporter } from './refusal.js';

export type RequestLimitSettings = Pick<SecurityConfig, 'maxEnvRequests' | 'maxEnvBytes' | 'maxPendingSignals'>;

/** cssh sets this variable for every program (the requested command); a client can never supply it. */
export const RESERVED_ENV = 'SSH_ORIGINAL_COMMAND';

/** A name a program's environment can hold as NAME=value: not empty, no "=" (it would split elsewhere), no NUL. */
export function isValidEnvName(name: string): boolean {
  return name.length > 0 && !name.includes('=') && !name.includes('\0');
}

/** Printable form of a client-supplied name for a log line (bounded, control characters escaped). */
function shown(name: string): string {
  const cut = name.length > 64 ? `${name.slice(0, 64)}...` : name;
  return JSON.stringify(cut);
}

/**
 * Wraps `inner` (outermost, so these refusals come before any policy) and refuses, logged and counted:
 * - env with an invalid name or a NUL in its value (SECURITY_ENV_INVALID), or named SSH_ORIGINAL_COMMAND
 *   (SECURITY_ENV_RESERVED);
 * - env beyond `maxEnvRequests` accepted variables or `maxEnvBytes` bytes of names and values (SECURITY_ENV_LIMIT);
 * - a signal while `maxPendingSignals` earlier ones are still queued or being delivered (SECURITY_SIGNAL_LIMIT).
 * -1 means unlimited. Each start call reaches `inner` synchronously, so requests that follow it see a started session.
 */
export class RequestLimitSessionHandler implements SessionHandler {
  private envCount = 0;
  private envBytes = 0;
  private pendingSignals = 0;

  constructor(
    private readonly inner: SessionHandler,
    private readonly limits: RequestLimitSettings,
    private readonly reporter: RefusalReporter,
  ) {}

  setEnv(name: string, value: string): void {
    if (!isValidEnvName(name) || value.includes('\0')) {
      throw refuse(this.reporter, 'SECURITY_ENV_INVALID', `Variable: ${shown(name)}.`, { name: shown(name) });
    }
    if (name === RESERVED_ENV) throw refuse(this.reporter, 'SECURITY_ENV_RESERVED', `Variable: ${name}.`, { name });
    const bytes = Buffer.byteLength(name) + Buffer.byteLength(value);
    const { maxEnvRequests, maxEnvBytes } = this.limits;
    if (maxEnvRequests >= 0 && this.envCount >= maxEnvRequests) {
      throw refuse(this.reporter, 'SECURITY_ENV_LIMIT', `Variable: ${shown(name)}; limit: ${maxEnvRequests} variables.`, { name: shown(name) });
    }
    if (maxEnvBytes >= 0 && this.envBytes + bytes > maxEnvBytes) {
      throw refuse(this.reporter, 'SECURITY_ENV_LIMIT', `Variable: ${shown(name)} (${bytes} bytes); limit: ${maxEnvBytes} bytes.`, { name: shown(name) });
    }
    this.inner.setEnv(name, value);
    this.envCount++;
    this.envBytes += bytes;
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

  start(req: StartRequest, io: SessionIO, signal: AbortSignal): Promise<Program> {
    return this.inner.start(req, io, signal);
  }

  resize(size: WindowSize): Promise<void> {
    return this.inner.resize(size);
  }

  async signal(name: string): Promise<void> {
    const max = this.limits.maxPendingSignals;
    if (max >= 0 && this.pendingSignals >= max) {
      throw refuse(this.reporter, 'SECURITY_SIGNAL_LIMIT', `Signal: ${shown(name)}; limit: ${max} pending.`, { signal: shown(name) });
    }
    this.pendingSignals++;
    try {
      await this.inner.signal(name);
    } finally {
      this.pendingSignals--;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
