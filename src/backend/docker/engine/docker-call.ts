// Every Docker API call of the lifecycle goes through here: retried via core/retry, counted, mapped to a CsshError.
import { CsshError, isCsshError } from '../../../core/errors.js';
import type { EventSink } from '../../../core/events.js';
import type { Logger } from '../../../core/logger.js';
import { retry } from '../../../core/retry.js';
import { HelperLimitError } from '../programs/helper-exec.js';
import { statusOf } from './docker-engine.js';

/** ContainerSSH waits 10 s between attempts of a Docker call. */
export const DOCKER_RETRY_INTERVAL_MS = 10_000;

/**
 * A request body the engine could not decode: engines before API 1.42 (Docker 20.10) answer 500 rather than 400 for
 * it, yet resending the same body can never succeed.
 */
const UNDECODABLE_BODY = /json: cannot unmarshal|invalid character .* looking for|cannot unmarshal .* into Go/;

/** Errors that will not get better by retrying: bad request, auth, not found, not implemented; or engine gone. */
export function isPermanentDockerError(error: unknown): boolean {
  if (isCsshError(error) || error instanceof HelperLimitError) return error.permanent;
  const status = statusOf(error);
  if (status === 500) return UNDECODABLE_BODY.test(error instanceof Error ? error.message : String(error));
  if (status !== undefined) return [400, 401, 403, 404, 501].includes(status);
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'ECONNREFUSED';
}

export interface CallOptions {
  /** Operation name for events, e.g. "container-create". */
  op: string;
  /** Code of the final error, e.g. DOCKER_CONTAINER_CREATE_FAILED. */
  code: string;
  /** Explanation of the final error for the operator. */
  explanation: string;
  userMessage?: string;
  signal: AbortSignal;
  logger: Logger;
  onEvent?: EventSink;
  intervalMs?: number;
  /** Extra statuses that end the call at once (e.g. 409 "not running" for a resize). */
  permanentStatuses?: number[];
  /** Count attempts as docker-request events (default true). */
  count?: boolean;
}

function emit(onEvent: EventSink | undefined, op: string, ok: boolean): void {
  try {
    onEvent?.({ type: 'docker-request', op, ok });
  } catch {
    // consumers must not throw; ignore if they do
  }
}

/** Runs `fn` with retries until success, a permanent error, or the deadline; rejects with CsshError(code). */
export async function dockerCall<T>(fn: (signal: AbortSignal) => Promise<T>, o: CallOptions): Promise<T> {
  const count = o.count ?? true;
  try {
    return await retry(
      async (signal) => {
        try {
          const result = await fn(signal);
          if (count) emit(o.onEvent, o.op, true);
          return result;
        } catch (error) {
          if (count) emit(o.onEvent, o.op, false);
          throw error;
        }
      },
      {
        signal: o.signal,
        intervalMs: o.intervalMs ?? DOCKER_RETRY_INTERVAL_MS,
        isPermanent: (e) => isPermanentDockerError(e) || (o.permanentStatuses ?? []).includes(statusOf(e) ?? 0),
        onRetry: (error) => o.logger.debug(o.code, `${o.explanation}, retrying`, { error: describe(error) }),
      },
    );
  } catch (error) {
    if (isCsshError(error)) throw error;
    throw new CsshError(o.code, o.explanation, {
      cause: error,
      userMessage: o.userMessage ?? 'Failed to initialize SSH session.',
      permanent: isPermanentDockerError(error),
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
