// ContainerSSH's auth webhook: POST <url>/password, /pubkey or /authz and turn the answer into an AuthOutcome.
import { describeCause } from '../core/errors.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { WebhookClientConfig } from '../config/types.js';
import type { AuthOutcome } from './types.js';
import { callWebhook, createWebhookClient, type WebhookClient } from './webhook.js';
import { decodeAuthResponse } from './wire.js';

export type AuthType = 'password' | 'pubkey' | 'authorization';

const PATHS: Record<AuthType, string> = { password: '/password', pubkey: '/pubkey', authorization: '/authz' };

/** One configured auth webhook (password, public key or authz) with its resolved client. */
export interface AuthWebhook {
  client: WebhookClient;
  authTimeoutMs: number;
}

export function createAuthWebhook(config: WebhookClientConfig, path: string): AuthWebhook {
  return { client: createWebhookClient(config, path), authTimeoutMs: config.authTimeout > 0 ? config.authTimeout : 60_000 };
}

export interface AuthCallContext {
  logger: Logger;
  emit: EventSink;
  intervalMs: number;
  signal: AbortSignal;
}

/**
 * Asks the webhook about one attempt. Resolves success with the returned metadata maps and a non-empty
 * authenticatedUsername, `{ success: false }` when refused, and `{ success: false, backendFailed: true }` when the
 * server gave no usable answer within authTimeout (logged AUTH_BACKEND_ERROR: fail closed) or when `ctx.signal`
 * aborted. Never rejects.
 */
export async function askAuthWebhook(hook: AuthWebhook, type: AuthType, body: Record<string, unknown>, ctx: AuthCallContext): Promise<AuthOutcome> {
  const url = hook.client.baseUrl.replace(/\/+$/, '') + PATHS[type];
  ctx.logger.debug('AUTH', `asking the authentication server (${type})`, { url });
  try {
    const answer = await callWebhook({
      client: hook.client,
      url,
      body,
      decode: decodeAuthResponse,
      deadlineMs: hook.authTimeoutMs,
      intervalMs: ctx.intervalMs,
      signal: ctx.signal,
      logger: ctx.logger,
      codes: { invalidStatus: 'AUTH_INVALID_STATUS', decodeFailed: 'AUTH_RESPONSE_DECODE_FAILED', transport: 'AUTH_BACKEND_ERROR' },
      onAttempt: (retry) => ctx.emit({ type: 'auth-request', authtype: type, retry }),
      onFailure: (retry, hard, reason) => ctx.emit({ type: 'auth-request-failure', authtype: type, retry, hard, reason }),
    });
    if (!answer.success) return { success: false };
    const { success: _success, ...rest } = answer;
    return { success: true, ...rest };
  } catch (error) {
    if (ctx.signal.aborted) {
      ctx.logger.debug('AUTH', `authentication (${type}) abandoned: the connection went away`);
    } else {
      ctx.logger.error('AUTH_BACKEND_ERROR', `authentication server gave no usable answer, refusing (${type}): ${describeCause(error)}`, {
        url,
      });
    }
    return { success: false, backendFailed: true };
  }
}
