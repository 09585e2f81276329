// Drives ssh2's authentication events: password and public key (signature checked here), authz, 6 attempts at most.
import type { AuthContext, PublicKeyAuthContext } from 'ssh2';
import type { ConnectionInfo } from '../core/contracts.js';
import { describeCause } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AuthOutcome, AuthRequest, SshAuthenticator } from './auth-types.js';
import { parseOneKey } from './host-keys.js';

export const MAX_AUTH_ATTEMPTS = 6;

export interface AuthFlowOptions {
  authenticator: SshAuthenticator;
  /** Everything but the username, which each attempt brings. */
  base: Omit<AuthRequest, 'username'>;
  logger: Logger;
  signal: AbortSignal;
  /** Called once, with the merged outcome of authentication and authorization, just before ssh2 is told. */
  onAuthenticated(info: ConnectionInfo): void;
  /** Called when the attempts are used up; the connection should be ended. */
  onTooManyAttempts(): void;
  /** True once the login grace time has passed: every attempt is refused from then on, even one already running. */
  expired?(): boolean;
}

/** Merges an outcome's maps into the connection info; returned keys override existing ones. */
export function mergeOutcome(info: ConnectionInfo, outcome: AuthOutcome): ConnectionInfo {
  return {
    ...info,
    authenticatedUsername: outcome.authenticatedUsername || info.authenticatedUsername,
    metadata: { ...info.metadata, ...outcome.metadata },
    environment: { ...info.environment, ...outcome.environment },
    files: { ...info.files, ...outcome.files },
  };
}

/** Returns the 'authentication' listener for one connection. */
export function createAuthFlow(options: AuthFlowOptions): (ctx: AuthContext) => void {
  const { authenticator, logger, signal } = options;
  const methods = [...authenticator.methods];
  const keyDecisions = new Map<string, Promise<AuthOutcome>>();
  let failures = 0;

  const request = (username: string): AuthRequest => ({ ...options.base, username });

  const fail = (ctx: AuthContext, why: string): void => {
    failures += 1;
    logger.info('SSH_AUTH_FAILED', `${ctx.method} authentication failed for ${ctx.username}: ${why}`, { username: ctx.username });
    if (failures >= MAX_AUTH_ATTEMPTS) {
      logger.notice('SSH_AUTH_TOO_MANY_ATTEMPTS', `too many authentication attempts for ${ctx.username}`);
      ctx.reject([]);
      options.onTooManyAttempts();
      return;
    }
    ctx.reject(methods);
  };

  const tooLate = (): boolean => signal.aborted || options.expired?.() === true;

  const succeed = async (ctx: AuthContext, outcome: AuthOutcome): Promise<void> => {
    if (tooLate()) return ctx.reject([]);
    const base: ConnectionInfo = { ...options.base, username: ctx.username, metadata: {}, environment: {}, files: {} };
    const authenticated = mergeOutcome(base, outcome);
    const authz = await authenticator.authorize(authenticated, signal);
    if (!authz.success) return fail(ctx, 'not authorized');
    if (tooLate()) return ctx.reject([]);
    const info = mergeOutcome(authenticated, authz);
    logger.info('SSH_AUTH_SUCCESSFUL', `${ctx.method} authentication successful for ${ctx.username}`, {
      username: ctx.username,
      authenticatedUsername: info.authenticatedUsername,
    });
    options.onAuthenticated(info);
    ctx.accept();
  };

  const decideKey = (ctx: PublicKeyAuthContext): Promise<AuthOutcome> | undefined => {
    const key = parseOneKey(ctx.key.data);
    if (key instanceof Error) return undefined;
    if (ctx.signature && ctx.blob && !key.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) return undefined;
    const line = `${key.type} ${ctx.key.data.toString('base64')}`;
    let decision = keyDecisions.get(`${ctx.username}\n${line}`);
    if (!decision) {
      decision = authenticator.publicKey(request(ctx.username), line, signal);
      keyDecisions.set(`${ctx.username}\n${line}`, decision);
    }
    return decision;
  };

  const handle = async (ctx: AuthContext): Promise<void> => {
    if (failures >= MAX_AUTH_ATTEMPTS || tooLate()) return ctx.reject([]); // already disconnecting
    if (ctx.method === 'password' && methods.includes('password')) {
      const outcome = await authenticator.password(request(ctx.username), Buffer.from(ctx.password, 'utf8'), signal);
      return outcome.success ? succeed(ctx, outcome) : fail(ctx, 'refused');
    }
    if (ctx.method === 'publickey' && methods.includes('publickey')) {
      const decision = decideKey(ctx);
      if (!decision) return fail(ctx, 'invalid key or signature');
      const outcome = await decision;
      if (!outcome.success) return fail(ctx, 'key not accepted');
      if (!ctx.signature) return ctx.accept(); // the client only asked whether this key would do
      return succeed(ctx, outcome);
    }
    if (ctx.method === 'none') return ctx.reject(methods);
    return fail(ctx, 'method not offered');
  };

  return (ctx: AuthContext): void => {
    handle(ctx).catch((error: unknown) => {
      logger.warning('SSH_AUTH_ERROR', `${ctx.method} authentication for ${ctx.username} failed: ${describeCause(error)}`);
      try {
        fail(ctx, 'error');
      } catch {
        // the client is already gone
      }
    });
  };
}
