// ContainerSSH log vocabulary for pino: level numbers, level-name parsing and the `text` line renderer.
import type { LogLevel } from '../core/logger.js';

/** pino custom levels, ordered like syslog severities (debug lowest, emerg highest). */
export const PINO_LEVELS: Record<LogLevel, number> = {
  debug: 20,
  info: 30,
  notice: 35,
  warning: 40,
  error: 50,
  crit: 60,
  alert: 70,
  emerg: 80,
};

/** Syslog numbering (0 = emerg ... 7 = debug), which ContainerSSH also accepts for `log.level`. */
const SYSLOG_ORDER: LogLevel[] = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'];

const ALIASES: Record<string, LogLevel> = { warn: 'warning', err: 'error', critical: 'crit', emergency: 'emerg' };

/** The level named by `value` (a name, a common alias or a syslog number), or undefined when it names none. */
export function parseLogLevel(value: string): LogLevel | undefined {
  const text = value.trim().toLowerCase();
  if (text === '') return 'info';
  if (text in PINO_LEVELS) return text as LogLevel;
  const alias = ALIASES[text];
  if (alias !== undefined) return alias;
  if (/^[0-7]$/.test(text)) return SYSLOG_ORDER[Number(text)];
  return undefined;
}

/** Escapes line breaks and tabs so one log call stays one text line with its three tab-separated fields. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

function renderValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

/** RFC 3339 with whole seconds, as Go's time.RFC3339 writes it (2026-12-06T08:42:59Z). */
function rfc3339Seconds(timestamp: string | undefined): string {
  return (timestamp ?? '').replace(/\.\d+(?=Z$|[+-]\d\d:\d\d$)/, '');
}

/**
 * Turns one ljson line (as pino serialised it) into ContainerSSH's text line:
 * `TIMESTAMP\tLEVEL\tMESSAGE (key=value key=value)`, the labels in parentheses only when there are any. Line breaks
 * and tabs inside a message or value are escaped, so one log call stays one line with its three fields. Falls back
 * to the input when it is not the expected JSON, so a line is never lost.
 */
export function renderTextLine(json: string): string {
  try {
    const entry = JSON.parse(json) as {
      timestamp?: string;
      level?: string;
      message?: string;
      details?: Record<string, unknown>;
    };
    const labels = Object.entries(entry.details ?? {}).map(([key, value]) => `${key}=${oneLine(renderValue(value))}`);
    const message = oneLine(entry.message ?? '') + (labels.length === 0 ? '' : ` (${labels.join(' ')})`);
    return `${rfc3339Seconds(entry.timestamp)}\t${entry.level ?? ''}\t${message}\n`;
  } catch {
    return json;
  }
}
