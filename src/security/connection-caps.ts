// Backend decorator: caps concurrent connections in total and per login username (security.maxConnections*).
import type { Backend, ConnectionContext, ConnectionHandler, SessionHandler, SessionInfo } from '../core/contracts.js';
import type { EventSink } from '../core/events.js';
import { LocalConnectionSlots, type ConnectionSlots, type SlotRelease } from './connection-slots.js';
import { refuse } from './refusal.js';

/**
 * Holds a slot for each connection from connect() until its handler is closed or shut down (or connect fails), and
 * refuses connect() with SECURITY_MAX_CONNECTIONS / SECURITY_MAX_CONNECTIONS_PER_USER before the inner backend is
 * asked. Slots are counted by `slots`: in this process by default, server-wide for the workers of serve --workers.
 * The caps are read from each connection's effective config (-1 = unlimited); users are told apart by login username.
 */
export class ConnectionCapBackend implements Backend {
  constructor(
    private readonly inner: Backend,
    private readonly onEvent?: EventSink,
    private readonly slots: ConnectionSlots = new LocalConnectionSlots(),
  ) {}

  async connect(ctx: ConnectionContext, signal: AbortSignal): Promise<ConnectionHandler> {
    const release = await this.admit(ctx);
    let handler: ConnectionHandler;
    try {
      handler = await this.inner.connect(ctx, signal);
    } catch (error) {
      release();
      throw error;
    }
    return new ReleasingConnectionHandler(handler, release);
  }

  private async admit(ctx: ConnectionContext): Promise<SlotRelease> {
    const { maxConnections, maxConnectionsPerUser } = ctx.config.security;
    const username = ctx.info.username;
    const taken = await this.slots.take(username, { maxConnections, maxConnectionsPerUser });
    if (typeof taken === 'function') return taken;
    const reporter = { logger: ctx.logger, onEvent: this.onEvent };
    if (taken === 'total') throw refuse(reporter, 'SECURITY_MAX_CONNECTIONS', `Limit: ${maxConnections}.`, { username });
    throw refuse(reporter, 'SECURITY_MAX_CONNECTIONS_PER_USER', `Limit: ${maxConnectionsPerUser} for ${username}.`, { username });
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
