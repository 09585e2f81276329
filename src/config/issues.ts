// The shape of one configuration problem, the error thrown for unusable configs, and small helpers to build them.
import { CsshError } from '../core/errors.js';

/**
 * One problem found in a configuration. `path` is the dotted option path (`docker.execution.mode`); `file`, `line`
 * and `column` (1-based) point at the source node when the config came from a file.
 */
export interface ConfigIssue {
  severity: 'error' | 'warning';
  code: string;
  path: string;
  message: string;
  expected?: string;
  found?: string;
  hint?: string;
  file?: string;
  line?: number;
  column?: number;
}

export type IssueInit = Omit<ConfigIssue, 'severity' | 'code' | 'path' | 'message'>;

export function configError(code: string, path: string, message: string, extra: IssueInit = {}): ConfigIssue {
  return { severity: 'error', code, path, message, ...extra };
}

export function configWarning(code: string, path: string, message: string, extra: IssueInit = {}): ConfigIssue {
  return { severity: 'warning', code, path, message, ...extra };
}

/** A short JSON-ish rendering of a found value for messages (`"pod"`, `60`, `a list`). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `file:line:col: path: message` (the location parts only when known). */
export function formatIssueLine(issue: ConfigIssue): string {
  const where = [issue.file, issue.line, issue.column].filter((part) => part !== undefined).join(':');
  const path = issue.path === '' ? '' : `${issue.path}: `;
  const parts: string[] = [];
  if (issue.expected !== undefined) parts.push(`expected ${issue.expected}`);
  if (issue.found !== undefined && !issue.message.includes(issue.found)) parts.push(`found ${issue.found}`);
  const detail = parts.length === 0 ? '' : ` (${parts.join(', ')})`;
  const hint = issue.hint === undefined ? '' : `; hint: ${issue.hint}`;
  return `${where === '' ? '' : `${where}: `}${path}${issue.message}${detail}${hint}`;
}

/** Thrown by loadConfig when the configuration cannot be used; the message lists every error with its location. */
export class ConfigError extends CsshError {
  readonly issues: ConfigIssue[];

  constructor(code: 'CONFIG_INVALID' | 'CONFIG_UNREADABLE', summary: string, issues: ConfigIssue[]) {
    const errors = issues.filter((issue) => issue.severity === 'error');
    const lines = errors.map((issue) => `  ${formatIssueLine(issue)}`);
    super(code, lines.length === 0 ? summary : `${summary}:\n${lines.join('\n')}`, { permanent: true });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
