// ContainerSSH's config-server client: POST the authenticated connection to `url`, get a per-user partial config.
import type { ConnectionInfo, MetadataValue } from '../core/contracts.js';
import { CsshError, describeCause, isCsshError } from '../core/errors.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { AppConfig } from '../config/types.js';
import { callWebhook, createWebhookClient, type WebhookClient } from './webhook.js';
import { connectionBody, decodeConfigResponse } from './wire.js';

/** ContainerSSH gives the config server a fixed minute, whatever the client timeout. */
const CONFIG_DEADLINE_MS = 60_000;

export interface ConfigServerDeps {
  logger: Logger;
  /** Metrics observer (config-request, config-request-failure). Exceptions it throws are swallowed. */
  onEvent?: EventSink;
  /** Aborts the request (e.g. the client disconnected); the 60 s deadline applies in any case. */
  signal?: AbortSignal;
  /** Wait between attempts, ms; ContainerSSH's 10 000 by default. */
  retryIntervalMs?: number;
}

export interface ConnectionConfigAnswer {
  /** The partial AppConfig to merge (ContainerSSH spelling); `{}` when the server sent none. Not validated here. */
  config: unknown;
  metadata?: Record<string, MetadataValue>;
  environment?: Record<string, MetadataValue>;
  files?: Record<string, MetadataValue>;
}

function clientFor(cs: AppConfig['configserver']): WebhookClient {
  try {
    return createWebhookClient(cs, 'configserver');
  } catch (error) {
    throw new CsshError('CONFIG_BACKEND_ERROR', `configuration server client cannot be set up: ${describeCause(error)}`, {
      permanent: true,
      userMessage: 'Cannot authenticate at this time.',
    });
  }
}

/**
 * Asks the config server for this connection's configuration. Resolves undefined when `cs.url` is empty.
 * Sensitive metadata is left out of the request unless `cs.transmitSensitiveMetadata`. Non-200 answers, transport
 * and decode errors are retried every `retryIntervalMs` for up to 60 s; then it rejects with
 * CsshError(CONFIG_BACKEND_ERROR), and the caller drops the connection.
 */
export async function fetchConnectionConfig(
  cs: AppConfig['configserver'],
  info: ConnectionInfo,
  deps: ConfigServerDeps,
): Promise<ConnectionConfigAnswer | undefined> {
  if (cs.url.trim() === '') return undefined;
  const logger = deps.logger.child({ connectionId: info.connectionId, username: info.username });
  const emit: EventSink = (event) => {
    try {
      deps.onEvent?.(event);
    } catch {
      // Observers must not break the connection.
    }
  };
  const client = clientFor(cs);
  logger.debug('CONFIG_REQUEST', 'asking the configuration server for the per-user configuration', { url: cs.url });
  try {
    const answer = await callWebhook({
      client,
      url: cs.url,
      body: connectionBody(info, info.authenticatedUsername ?? '', cs.transmitSensitiveMetadata),
      decode: decodeConfigResponse,
      deadlineMs: CONFIG_DEADLINE_MS,
      intervalMs: deps.retryIntervalMs ?? 10_000,
      logger,
      codes: { invalidStatus: 'CONFIG_INVALID_STATUS_CODE', decodeFailed: 'CONFIG_RESPONSE_DECODE_FAILED', transport: 'CONFIG_BACKEND_ERROR' },
      onAttempt: (retry) => emit({ type: 'config-request', retry }),
      onFailure: (retry, hard, reason) => emit({ type: 'config-request-failure', retry, hard, reason }),
      ...(deps.signal === undefined ? {} : { signal: deps.signal }),
    });
    logger.debug('CONFIG_RESPONSE', 'the configuration server returned a per-user configuration');
    return answer;
  } catch (error) {
    logger.error('CONFIG_BACKEND_ERROR', `Configuration request to backend failed, giving up: ${describeCause(error)}`);
    throw new CsshError('CONFIG_BACKEND_ERROR', 'Configuration request to backend failed, giving up', {
      cause: error,
      userMessage: isCsshError(error) ? error.userMessage : 'Cannot authenticate at this time.',
    });
  }
}
