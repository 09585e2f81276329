// The security layer: decorators over Backend/ConnectionHandler/SessionHandler for policy, limits and timeouts.
import type { Backend, ConnectionContext, ConnectionHandler } from '../core/contracts.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { ConnectionCapBackend } from './connection-caps.js';
import type { ConnectionSlots } from './connection-slots.js';
import { PolicySessionHandler } from './policy-session.js';
import { RequestLimitSessionHandler } from './request-limits.js';
import { SessionCapConnectionHandler, SessionMappingConnectionHandler } from './session-cap.js';
import { TimeoutSessionHandler } from './timeouts.js';

export { SecurityCodes, SecurityUserMessages, type SecurityCode } from './codes.js';
export { forwardingRefusal, type ForwardingKind } from './policy.js';

export interface SecurityDeps {
  /** Used only when a connection context carries no logger of its own. */
  logger: Logger;
  /** Receives `{ type: 'policy-refusal', code }` for every refusal (metrics). Must not throw. */
  onEvent?: EventSink;
  /** Where connection slots are counted; this process by default. */
  slots?: ConnectionSlots;
}

/**
 * Wraps `backend` with the whole security layer, reading each connection's effective `ctx.config.security`
 * (so config-server overrides apply per user). Per connection: connection caps (connect), then the session cap
 * (openSession), then per session the request limits (outermost: malformed or excess requests are refused first),
 * the policy (refusals never reach the backend) and the timeouts (innermost: their TERM/KILL bypass the signal
 * policy and the signal limit).
 */
export function applySecurity(backend: Backend, deps: SecurityDeps): Backend {
  const perConnection: Backend = {
    connect: async (ctx: ConnectionContext, signal: AbortSignal): Promise<ConnectionHandler> =>
      secureConnection(await backend.connect(ctx, signal), ctx, deps),
  };
  return new ConnectionCapBackend(perConnection, deps.onEvent, deps.slots);
}

function secureConnection(handler: ConnectionHandler, ctx: ConnectionContext, deps: SecurityDeps): ConnectionHandler {
  const security = ctx.config.security;
  const logger = ctx.logger ?? deps.logger;
  const reporter = { logger, onEvent: deps.onEvent };
  const sessions = new SessionMappingConnectionHandler(handler, (session, info) => {
    const sessionLogger = logger.child({ channelId: info.channelId });
    const sessionReporter = { logger: sessionLogger, onEvent: deps.onEvent };
    const timed = new TimeoutSessionHandler(session, security, sessionLogger);
    return new RequestLimitSessionHandler(new PolicySessionHandler(timed, security, sessionReporter), security, sessionReporter);
  });
  return new SessionCapConnectionHandler(sessions, security.maxSessions, reporter);
}
