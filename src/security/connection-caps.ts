// Backend decorator: caps concurrent connections in total and per login username (security.maxConnections*).
import type { Backend, ConnectionContext, ConnectionHandler, SessionHandler, SessionInfo } from '../core/contracts.js';
import type { EventSink } from '../core/events.js';
import { refuse } from './refusal.js';

/**
 * Counts connections from connect() until their handler is closed or shut down (or connect fails), and refuses
 * connect() with SECURITY_MAX_CONNECTIONS / SECURITY_MAX_CONNECTIONS_PER_USER before the inner backend is asked.
 * The caps are read from each connection's effective config (-1 = unlimited); users are told apart by login username.
 */
export class ConnectionCapBackend implements Backend {
  private total = 0;
  private readonly perUser = new Map<string, number>();

  constructor(
    private readonly inner: Backend,
    private readonly onEvent?: EventSink,
  ) {}

  /** Connections currently counted, in total and for one username. */
  counts(username?: string): { total: number; user: number } {
    return { total: this.total, user: username === undefined ? 0 : (this.perUser.get(username) ?? 0) };
  }

  async connect(ctx: ConnectionContext, signal: AbortSignal): Promise<ConnectionHandler> {
    this.admit(ctx);
    const release = this.reserve(ctx.info.username);
    let handler: ConnectionHandler;
    try {
      handler = await this.inner.connect(ctx, signal);
    } catch (error) {
      release();
      throw error;
    }
    return new ReleasingConnectionHandler(handler, release);
  }

  private admit(ctx: ConnectionContext): void {
    const { maxConnections, maxConnectionsPerUser } = ctx.config.security;
    const reporter = { logger: ctx.logger, onEvent: this.onEvent };
    const username = ctx.info.username;
    if (maxConnections >= 0 && this.total >= maxConnections) {
      throw refuse(reporter, 'SECURITY_MAX_CONNECTIONS', `Limit: ${maxConnections}.`, { username });
    }
    const userCount = this.perUser.get(username) ?? 0;
    if (maxConnectionsPerUser >= 0 && userCount >= maxConnectionsPerUser) {
      throw refuse(reporter, 'SECURITY_MAX_CONNECTIONS_PER_USER', `Limit: ${maxConnectionsPerUser} for ${username}.`, {
        username,
      });
    }
  }

  /** Takes one slot for `username`; the returned function gives it back, once. */
  private reserve(username: string): () => void {
    this.total++;
    this.perUser.set(username, (this.perUser.get(username) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perUser.get(username) ?? 1) - 1;
      if (left <= 0) this.perUser.delete(username);
      else this.perUser.set(username, left);
    };
  }
}

/** Gives the connection's slot back as soon as close() or shutdown() is called (the user has left). */
class ReleasingConnectionHandler implements ConnectionHandler {
  constructor(
    private readonly inner: ConnectionHandler,
    private readonly release: () => void,
  ) {}

  get forwarding(): ConnectionHandler['forwarding'] {
    return this.inner.forwarding;
  }

  openSession(info: SessionInfo): Promise<SessionHandler> {
    return this.inner.openSession(info);
  }

  shutdown(deadline: AbortSignal): Promise<void> {
    this.release();
    return this.inner.shutdown(deadline);
  }

  close(): Promise<void> {
    this.release();
    return this.inner.close();
  }
}
