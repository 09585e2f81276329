// Problems that stop `cssh serve` from starting but no other command: warnings from the rules, errors for
// `config validate` and serve (so a valid file is one serve starts with), warnings for exec-test, sweep, pull-check.
import type { ConfigIssue } from './issues.js';

/** Codes of the problems only serve cares about (login methods, backend, host-local files, listeners, log sink). */
export const SERVE_ONLY_CODES: readonly string[] = [
  'AUTH_NONE_CONFIGURED', 'AUTH_NO_USABLE_METHOD', 'BACKEND_NOT_IMPLEMENTED', 'CONFIG_FILE_NOT_FOUND', 'CONFIG_LISTEN_CONFLICT',
  'LOG_SYSLOG_UNSUPPORTED', 'CONFIG_LOG_FILE_UNWRITABLE',
];

const OFFLINE_HINT = 'validating away from the server (CI), use --offline';

/** The issues with every serve-only warning made an error; a missing file's hint also names --offline. */
export function promoteServeOnly(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.map((issue) => {
    if (issue.severity === 'error' || !SERVE_ONLY_CODES.includes(issue.code)) return issue;
    const hint = issue.code === 'CONFIG_FILE_NOT_FOUND' ? `${issue.hint === undefined ? '' : `${issue.hint}; `}${OFFLINE_HINT}` : issue.hint;
    return { ...issue, severity: 'error' as const, ...(hint === undefined ? {} : { hint }) };
  });
}
