// Decides OpenSSH's no-more-sessions@openssh.com when a session open arrives, not when the (delayed) open is handled.
import type { Connection } from 'ssh2';
import { OpenFailure, type GateDecision, type SessionGate } from './channel-open.js';

interface NoMoreSessionsInternals {
  noMoreSessions?: unknown;
}

/**
 * An OpenSSH client that sees an "OpenSSH" server version sends no-more-sessions@openssh.com right after opening its
 * session channel. ssh2 records it in the connection's `noMoreSessions` flag and checks that flag when it handles a
 * session open; the session gate delays that handling until the backend is ready, so the later request would refuse
 * the earlier channel ("administratively prohibited"). This takes the flag over: ssh2 always reads false, and the
 * returned gate refuses only session opens that arrive after the request, as OpenSSH's sshd does. Call it only when
 * the gate is installed. Returns `gate` unchanged when ssh2 keeps no such flag (its internals differ).
 */
export function gateNoMoreSessions(client: Connection, gate: SessionGate): SessionGate {
  const internals = client as unknown as NoMoreSessionsInternals;
  if (typeof internals.noMoreSessions !== 'boolean') return gate;
  let requested = internals.noMoreSessions;
  Object.defineProperty(internals, 'noMoreSessions', {
    configurable: true,
    enumerable: true,
    get: () => false,
    set: (value: unknown) => (requested = value === true),
  });
  const refused: GateDecision = { refusal: { reason: OpenFailure.PROHIBITED, description: 'No more sessions.' } };
  return () => (requested ? Promise.resolve(refused) : gate());
}
