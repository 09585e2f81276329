// Errors that carry a message code, an explanation for the operator and a message safe to show the user.

export interface CsshErrorOptions {
  /** Text safe for the SSH user; defaults to "Internal Error". */
  userMessage?: string;
  cause?: unknown;
  /** Permanent errors are not worth retrying (401/403/404/501, bad config). */
  permanent?: boolean;
  labels?: Record<string, string | number>;
}

export class CsshError extends Error {
  readonly code: string;
  readonly userMessage: string;
  readonly permanent: boolean;
  readonly labels: Record<string, string | number>;

  constructor(code: string, explanation: string, options: CsshErrorOptions = {}) {
    const causeText = options.cause === undefined ? '' : ` (${describeCause(options.cause)})`;
    super(explanation + causeText, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CsshError';
    this.code = code;
    this.userMessage = options.userMessage ?? 'Internal Error';
    this.permanent = options.permanent ?? false;
    this.labels = options.labels ?? {};
  }
}

export function isCsshError(error: unknown): error is CsshError {
  return error instanceof CsshError;
}

/** A short, single-line description of any thrown value. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (typeof cause === 'string') return cause;
  try {
    return JSON.stringify(cause);
  } catch {
    return String(cause);
  }
}
