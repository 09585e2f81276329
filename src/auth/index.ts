// The authenticator: picks the configured method (webhook or built-in) for password, public key and authz.
import type { ConnectionInfo } from '../core/contracts.js';
import type { CsshEvent, EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { AuthConfig } from '../config/types.js';
import { checkAuthorizedKey } from './authorized-keys.js';
import { checkPasswordFile } from './password-file.js';
import type { AuthOutcome, AuthRequest, Authenticator } from './types.js';
import { askAuthWebhook, createAuthWebhook, type AuthType, type AuthWebhook } from './webhook-auth.js';
import { connectionBody } from './wire.js';

export type { AuthOutcome, AuthRequest, Authenticator } from './types.js';
export { fetchConnectionConfig } from './config-server.js';
export { hashPassword } from './password-file.js';
export { AUTH_CODES } from './codes.js';

export interface AuthenticatorDeps {
  logger: Logger;
  /** Metrics observer (auth-request, auth-request-failure, auth-result). Exceptions it throws are swallowed. */
  onEvent?: EventSink;
  /** Wait between webhook attempts, ms; ContainerSSH's 10 000 by default. */
  retryIntervalMs?: number;
}

function safeSink(sink: EventSink | undefined): EventSink {
  return (event: CsshEvent) => {
    try {
      sink?.(event);
    } catch {
      // Observers must not break authentication.
    }
  };
}

function commonFields(req: AuthRequest): Record<string, unknown> {
  return {
    username: req.username,
    remoteAddress: req.remoteAddress,
    connectionId: req.connectionId,
    clientVersion: req.clientVersion,
  };
}

/**
 * Builds the authenticator for `auth`. Throws CsshError(AUTH_CONFIG_ERROR) at once when a webhook's TLS files
 * cannot be read; warns (AUTH_UNSUPPORTED) about kerberos and oauth2, which cssh accepts but does not implement.
 */
export function createAuthenticator(auth: AuthConfig, deps: AuthenticatorDeps): Authenticator {
  const emit = safeSink(deps.onEvent);
  const intervalMs = deps.retryIntervalMs ?? 10_000;
  const hooks = {
    password: auth.password.method === 'webhook' ? createAuthWebhook(auth.password.webhook, 'auth.password.webhook') : undefined,
    pubkey: auth.publicKey.method === 'webhook' ? createAuthWebhook(auth.publicKey.webhook, 'auth.publicKey.webhook') : undefined,
    authz: auth.authz.method === 'webhook' ? createAuthWebhook(auth.authz.webhook, 'auth.authz.webhook') : undefined,
  };
  warnUnsupported(auth, deps.logger);
  const methods: ('password' | 'publickey')[] = [];
  if (auth.publicKey.method === 'webhook' || auth.publicKey.method === 'authorizedkeys') methods.push('publickey');
  if (auth.password.method === 'webhook' || auth.password.method === 'passwords') methods.push('password');

  const finish = (type: AuthType, outcome: AuthOutcome, logger: Logger): AuthOutcome => {
    emit({ type: 'auth-result', authtype: type, ok: outcome.success });
    if (outcome.success) logger.info('AUTH_SUCCESSFUL', `${type} accepted`, { authenticatedUsername: outcome.authenticatedUsername });
    else logger.notice(type === 'authorization' ? 'AUTHZ_FAILED' : 'AUTH_FAILED', `${type} refused`);
    return outcome;
  };
  const ask = (hook: AuthWebhook, type: AuthType, body: Record<string, unknown>, logger: Logger, signal: AbortSignal) =>
    askAuthWebhook(hook, type, body, { logger, emit, intervalMs, signal });

  return {
    methods,
    async password(req, password, signal) {
      const logger = deps.logger.child({ connectionId: req.connectionId, username: req.username, authtype: 'password' });
      if (hooks.password !== undefined) {
        const body = { ...commonFields(req), passwordBase64: password.toString('base64') };
        return finish('password', await ask(hooks.password, 'password', body, logger, signal), logger);
      }
      if (auth.password.method === 'passwords') {
        const ok = await checkPasswordFile(auth.password.passwords.file, req.username, password, logger);
        return finish('password', ok ? { success: true, authenticatedUsername: req.username } : { success: false }, logger);
      }
      logger.debug('AUTH_DISABLED', 'password authentication is not enabled');
      return { success: false };
    },
    async publicKey(req, authorizedKeyLine, signal) {
      const logger = deps.logger.child({ connectionId: req.connectionId, username: req.username, authtype: 'pubkey' });
      const publicKey = authorizedKeyLine.trim();
      if (hooks.pubkey !== undefined) {
        return finish('pubkey', await ask(hooks.pubkey, 'pubkey', { ...commonFields(req), publicKey }, logger, signal), logger);
      }
      if (auth.publicKey.method === 'authorizedkeys') {
        const ok = await checkAuthorizedKey(auth.publicKey.authorizedKeys.path, req.username, publicKey, logger);
        return finish('pubkey', ok ? { success: true, authenticatedUsername: req.username } : { success: false }, logger);
      }
      logger.debug('AUTH_DISABLED', 'public key authentication is not enabled');
      return { success: false };
    },
    async authorize(info: ConnectionInfo, signal) {
      if (hooks.authz === undefined) return { success: true };
      const logger = deps.logger.child({ connectionId: info.connectionId, username: info.username, authtype: 'authorization' });
      const body = connectionBody(info, info.authenticatedUsername || info.username, false);
      return finish('authorization', await ask(hooks.authz, 'authorization', body, logger, signal), logger);
    },
  };
}

function warnUnsupported(auth: AuthConfig, logger: Logger): void {
  if (auth.password.method === 'kerberos') {
    logger.warning('AUTH_UNSUPPORTED', 'auth.password.method "kerberos" is not implemented by cssh; password logins are disabled');
  }
  if (auth.keyboardInteractive.method === 'oauth2') {
    logger.warning('AUTH_UNSUPPORTED', 'auth.keyboardInteractive.method "oauth2" is not implemented by cssh; it is disabled');
  }
}
