// ConnectionHandler decorators: cap concurrent sessions per connection, and wrap every session a connection opens.
import type { ConnectionHandler, SessionHandler, SessionInfo } from '../core/contracts.js';
import { refuse, type RefusalReporter } from './refusal.js';

/**
 * Refuses openSession with SECURITY_MAX_SESSIONS ("Too many sessions.") while `maxSessions` sessions of this
 * connection are open (-1 = unlimited). A session frees its slot when it is closed (once, however often close runs).
 */
export class SessionCapConnectionHandler implements ConnectionHandler {
  private open = 0;

  constructor(
    private readonly inner: ConnectionHandler,
    private readonly maxSessions: number,
    private readonly reporter: RefusalReporter,
  ) {}

  get forwarding(): ConnectionHandler['forwarding'] {
    return this.inner.forwarding;
  }

  /** Sessions currently holding a slot. */
  get openSessions(): number {
    return this.open;
  }

  async openSession(info: SessionInfo): Promise<SessionHandler> {
    if (this.maxSessions >= 0 && this.open >= this.maxSessions) {
      throw refuse(this.reporter, 'SECURITY_MAX_SESSIONS', `Limit: ${this.maxSessions}.`, { channelId: info.channelId });
    }
    this.open++;
    let session: SessionHandler;
    try {
      session = await this.inner.openSession(info);
    } catch (error) {
      this.open--;
      throw error;
    }
    return withCloseHook(session, () => {
      this.open--;
    });
  }

  shutdown(deadline: AbortSignal): Promise<void> {
    return this.inner.shutdown(deadline);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Passes every session `inner` opens through `wrap` (policy, timeouts). */
export class SessionMappingConnectionHandler implements ConnectionHandler {
  constructor(
    private readonly inner: ConnectionHandler,
    private readonly wrap: (session: SessionHandler, info: SessionInfo) => SessionHandler,
  ) {}

  get forwarding(): ConnectionHandler['forwarding'] {
    return this.inner.forwarding;
  }

  async openSession(info: SessionInfo): Promise<SessionHandler> {
    return this.wrap(await this.inner.openSession(info), info);
  }

  shutdown(deadline: AbortSignal): Promise<void> {
    return this.inner.shutdown(deadline);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A view of `session` whose first close() also runs `onClose` (at once, not after the inner close settles). */
export function withCloseHook(session: SessionHandler, onClose: () => void): SessionHandler {
  let closing: Promise<void> | undefined;
  return {
    setEnv: (name, value) => session.setEnv(name, value),
    requestPty: (pty) => session.requestPty(pty),
    precheck: (req) => session.precheck?.(req),
    forwardAgent: session.forwardAgent?.bind(session),
    start: (req, io, signal) => session.start(req, io, signal),
    resize: (size) => session.resize(size),
    signal: (name) => session.signal(name),
    close: () => {
      if (closing === undefined) {
        onClose();
        closing = session.close();
      }
      return closing;
    },
  };
}
