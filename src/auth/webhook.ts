// One webhook exchange with ContainerSSH's retry rules: fixed-interval attempts under a deadline, any failure retried.
import { CsshError, describeCause, isCsshError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { releasableDeadline, retry } from '../core/retry.js';
import type { HttpClientConfig } from '../config/types.js';
import { postJson } from './http-client.js';
import { loadTlsOptions, type TlsOptions } from './tls.js';

/** A webhook endpoint with its TLS material resolved once. */
export interface WebhookClient {
  baseUrl: string;
  tls: TlsOptions;
  allowRedirects: boolean;
  /** Per-attempt limit, ms. */
  timeoutMs: number;
}

/** Resolves a client config; `path` names it in errors. Throws CsshError(AUTH_CONFIG_ERROR) for unreadable TLS files. */
export function createWebhookClient(config: HttpClientConfig, path: string): WebhookClient {
  return {
    baseUrl: config.url,
    tls: loadTlsOptions(config, path),
    allowRedirects: config.allowRedirects,
    timeoutMs: config.timeout > 0 ? config.timeout : 2000,
  };
}

export interface WebhookCall<T> {
  client: WebhookClient;
  url: string;
  body: unknown;
  decode: (text: string) => T;
  /** Overall limit (authTimeout, or 60 s for the config server), ms. */
  deadlineMs: number;
  intervalMs: number;
  signal?: AbortSignal;
  logger: Logger;
  /** Codes for a non-200 answer, an undecodable answer and a transport error. */
  codes: { invalidStatus: string; decodeFailed: string; transport: string };
  /** Metrics hooks: each attempt, and each failure (hard = giving up). Must not throw. */
  onAttempt: (retry: boolean) => void;
  onFailure: (retry: boolean, hard: boolean, reason: string) => void;
}

/** Performs the call; resolves with the decoded answer or rejects with the last attempt's CsshError. */
export async function callWebhook<T>(call: WebhookCall<T>): Promise<T> {
  const { signal, release } = releasableDeadline(call.deadlineMs, call.signal);
  const json = JSON.stringify(call.body);
  let lastAttempt = 0;
  try {
    return await retry(
      async (attemptSignal, attemptNo) => {
        lastAttempt = attemptNo;
        call.onAttempt(attemptNo > 1);
        return await attempt(call, json, attemptSignal);
      },
      {
        signal,
        intervalMs: call.intervalMs,
        attemptTimeoutMs: call.client.timeoutMs,
        isPermanent: (error) => isCsshError(error) && error.permanent,
        onRetry: (error, attemptNo) => {
          const reason = isCsshError(error) ? error.code : call.codes.transport;
          call.onFailure(attemptNo > 1, false, reason);
          call.logger.warning(reason, `webhook request to ${call.url} failed, retrying: ${describeCause(error)}`, {
            attempt: attemptNo,
          });
        },
      },
    );
  } catch (error) {
    const failure = isCsshError(error)
      ? error
      : new CsshError(call.codes.transport, `no answer from ${call.url} within ${call.deadlineMs} ms`, { cause: error });
    call.onFailure(lastAttempt > 1, true, failure.code);
    throw failure;
  } finally {
    release(); // the caller's signal outlives this call: do not leave a listener and a timer on it
  }
}

async function attempt<T>(call: WebhookCall<T>, json: string, signal: AbortSignal): Promise<T> {
  let result;
  try {
    result = await postJson(call.url, json, { tls: call.client.tls, allowRedirects: call.client.allowRedirects, signal });
  } catch (error) {
    if (isCsshError(error) && error.code === 'WEBHOOK_REDIRECT_REFUSED') {
      call.logger.error(error.code, error.message, { url: call.url });
      throw new CsshError(error.code, error.message, { permanent: true, userMessage: 'Cannot authenticate at this time.' });
    }
    const reason = signal.aborted ? `no answer within ${call.client.timeoutMs} ms` : describeCause(error);
    throw new CsshError(call.codes.transport, `request to ${call.url} failed: ${reason}`, {
      userMessage: 'Cannot authenticate at this time.',
    });
  }
  if (result.status !== 200) {
    throw new CsshError(call.codes.invalidStatus, `${call.url} answered HTTP ${result.status} (expected 200)`, {
      userMessage: 'Cannot authenticate at this time.',
    });
  }
  try {
    return call.decode(result.body);
  } catch (error) {
    throw new CsshError(call.codes.decodeFailed, `${call.url} answered with an invalid body: ${describeCause(error)}`, {
      userMessage: 'Cannot authenticate at this time.',
    });
  }
}
