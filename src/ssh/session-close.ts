// Closes a session channel that never ran a program, which ssh2 itself neither answers nor lets a server close.
import type { Connection, Session } from 'ssh2';

interface SessionInternals {
  _channel?: unknown;
  _chanInfo?: { incoming: { id: number }; outgoing: { id: number; state: string } };
}

interface ConnectionInternals {
  _protocol?: { channelClose(id: number): void };
  _chanMgr?: { remove(id: number): void };
}

/**
 * Sends CHANNEL_CLOSE for `session` and frees its channel number, when no shell/exec/subsystem was accepted on it
 * (ssh2 ignores the client's CHANNEL_CLOSE for such a channel, so an OpenSSH client, e.g. a multiplexed session
 * whose exec was refused, would wait for the server's close forever). Does nothing once a program channel exists
 * (ssh2 closes that one) or when called again; never throws.
 */
export function closeIdleSession(client: Connection, session: Session): void {
  const state = session as unknown as SessionInternals;
  const info = state._chanInfo;
  if (state._channel !== undefined || !info || info.outgoing.state === 'closed') return;
  info.outgoing.state = 'closed';
  const internals = client as unknown as ConnectionInternals;
  try {
    internals._protocol?.channelClose(info.outgoing.id);
    internals._chanMgr?.remove(info.incoming.id);
  } catch {
    // the connection is already gone
  }
}
