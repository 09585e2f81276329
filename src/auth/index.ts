// The authenticator: picks the configured method (webhook or built-in) for password, public key and authz.
import type { ConnectionInfo } from '../core/contracts.js';
import type { CsshEvent, EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { AuthConfig } from '../config/types.js';
import { loginMethods, noLoginReason } from '../config/rules-auth.js';
import { CsshError } from '../core/errors.js';
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

/** What every method needs: the logger, the metrics sink, the retry interval and the configured webhooks. */
interface Shared {
  auth: AuthConfig;
  logger: Logger;
  emit: EventSink;
  intervalMs: number;
  hooks: { password?: AuthWebhook; pubkey?: AuthWebhook; authz?: AuthWebhook };
}

/**
 * Reports the decision (metrics and log) and passes it on. A backend failure is no decision about the user: it is
 * counted as a server failure (by the webhook client) and not as a rejected login.
 */
function finish(shared: Shared, type: AuthType, outcome: AuthOutcome, logger: Logger): AuthOutcome {
  if (outcome.backendFailed === true) return outcome;
  shared.emit({ type: 'auth-result', authtype: type, ok: outcome.success });
  if (outcome.success) logger.info('AUTH_SUCCESSFUL', `${type} accepted`, { authenticatedUsername: outcome.authenticatedUsername });
  else logger.notice(type === 'authorization' ? 'AUTHZ_FAILED' : 'AUTH_FAILED', `${type} refused`);
  return outcome;
}

function builtIn(ok: boolean, username: string): AuthOutcome {
  return ok ? { success: true, authenticatedUsername: username } : { success: false };
}

async function checkPassword(shared: Shared, req: AuthRequest, password: Buffer, signal: AbortSignal): Promise<AuthOutcome> {
  const logger = shared.logger.child({ connectionId: req.connectionId, username: req.username, authtype: 'password' });
  const { hooks, auth } = shared;
  if (hooks.password !== undefined) {
    const body = { ...commonFields(req), passwordBase64: password.toString('base64') };
    const outcome = await askAuthWebhook(hooks.password, 'password', body, { ...shared, logger, signal });
    return finish(shared, 'password', outcome, logger);
  }
  if (auth.password.method === 'passwords') {
    const ok = await checkPasswordFile(auth.password.passwords.file, req.username, password, logger, { signal });
    return finish(shared, 'password', builtIn(ok, req.username), logger);
  }
  logger.debug('AUTH_DISABLED', 'password authentication is not enabled');
  return { success: false };
}

async function checkPublicKey(shared: Shared, req: AuthRequest, keyLine: string, signal: AbortSignal): Promise<AuthOutcome> {
  const logger = shared.logger.child({ connectionId: req.connectionId, username: req.username, authtype: 'pubkey' });
  const { hooks, auth } = shared;
  const publicKey = keyLine.trim();
  if (hooks.pubkey !== undefined) {
    const outcome = await askAuthWebhook(hooks.pubkey, 'pubkey', { ...commonFields(req), publicKey }, { ...shared, logger, signal });
    return finish(shared, 'pubkey', outcome, logger);
  }
  if (auth.publicKey.method === 'authorizedkeys') {
    const ok = await checkAuthorizedKey(auth.publicKey.authorizedKeys.path, req.username, publicKey, logger);
    return finish(shared, 'pubkey', builtIn(ok, req.username), logger);
  }
  logger.debug('AUTH_DISABLED', 'public key authentication is not enabled');
  return { success: false };
}

async function checkAuthz(shared: Shared, info: ConnectionInfo, signal: AbortSignal): Promise<AuthOutcome> {
  const hook = shared.hooks.authz;
  if (hook === undefined) return { success: true };
  const logger = shared.logger.child({ connectionId: info.connectionId, username: info.username, authtype: 'authorization' });
  // Sensitive entries never go to authz; the login name stands in when no authenticatedUsername was returned.
  const body = connectionBody(info, info.authenticatedUsername || info.username, false);
  return finish(shared, 'authorization', await askAuthWebhook(hook, 'authorization', body, { ...shared, logger, signal }), logger);
}

/**
 * Builds the authenticator for `auth`. Throws CsshError at once when nobody could log in (AUTH_NONE_CONFIGURED, or
 * AUTH_NO_USABLE_METHOD when only unimplemented methods are set) and when a webhook's TLS material cannot be read or
 * parsed (AUTH_CONFIG_ERROR); warns (AUTH_UNSUPPORTED) about kerberos, gssapi and oauth2, which cssh accepts but
 * does not implement.
 */
export function createAuthenticator(auth: AuthConfig, deps: AuthenticatorDeps): Authenticator {
  const none = noLoginReason(auth);
  if (none !== undefined) {
    throw new CsshError(none.code, `${none.message}; configure auth.password.method (webhook or passwords) or auth.publicKey.method (webhook or authorizedkeys)`, {
      permanent: true,
    });
  }
  const webhook = (method: string, config: AuthConfig['authz']['webhook'], path: string) =>
    method === 'webhook' ? createAuthWebhook(config, path) : undefined;
  const hooks: Shared['hooks'] = {};
  const password = webhook(auth.password.method, auth.password.webhook, 'auth.password.webhook');
  const pubkey = webhook(auth.publicKey.method, auth.publicKey.webhook, 'auth.publicKey.webhook');
  const authz = webhook(auth.authz.method, auth.authz.webhook, 'auth.authz.webhook');
  if (password !== undefined) hooks.password = password;
  if (pubkey !== undefined) hooks.pubkey = pubkey;
  if (authz !== undefined) hooks.authz = authz;
  const shared: Shared = { auth, logger: deps.logger, emit: safeSink(deps.onEvent), intervalMs: deps.retryIntervalMs ?? 10_000, hooks };
  warnUnsupported(auth, deps.logger);
  return {
    methods: loginMethods(auth).usable,
    password: (req, pw, signal) => checkPassword(shared, req, pw, signal),
    publicKey: (req, keyLine, signal) => checkPublicKey(shared, req, keyLine, signal),
    authorize: (info, signal) => checkAuthz(shared, info, signal),
  };
}

function warnUnsupported(auth: AuthConfig, logger: Logger): void {
  if (auth.password.method === 'kerberos') {
    logger.warning('AUTH_UNSUPPORTED', 'auth.password.method "kerberos" is not implemented by cssh; password logins are disabled');
  }
  if (auth.gssapi.method === 'kerberos') {
    logger.warning('AUTH_UNSUPPORTED', 'auth.gssapi.method "kerberos" is not implemented by cssh; GSSAPI logins are disabled');
  }
  if (auth.keyboardInteractive.method === 'oauth2') {
    logger.warning('AUTH_UNSUPPORTED', 'auth.keyboardInteractive.method "oauth2" is not implemented by cssh; it is disabled');
  }
}
