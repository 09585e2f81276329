// One way to refuse: log the code, tell metrics, and build the CsshError whose userMessage reaches the client.
import { CsshError } from '../core/errors.js';
import type { EventSink } from '../core/events.js';
import type { LogLabels, Logger } from '../core/logger.js';
import { SecurityCodes, SecurityUserMessages, type SecurityCode } from './codes.js';

/** Where refusals are reported. `onEvent` must not throw (it is guarded anyway). */
export interface RefusalReporter {
  logger: Logger;
  onEvent?: EventSink;
}

/** Logs `code` (notice), emits `{ type: 'policy-refusal', code }` and returns the error to throw. */
export function refuse(reporter: RefusalReporter, code: SecurityCode, detail: string, labels: LogLabels = {}): CsshError {
  reporter.logger.notice(code, `${SecurityCodes[code]} ${detail}`, labels);
  try {
    reporter.onEvent?.({ type: 'policy-refusal', code });
  } catch {
    // observers must not break the refusal
  }
  const userMessage: string = (SecurityUserMessages as Partial<Record<SecurityCode, string>>)[code] ?? 'Request rejected.';
  return new CsshError(code, `${SecurityCodes[code]} ${detail}`, { userMessage, permanent: true });
}
