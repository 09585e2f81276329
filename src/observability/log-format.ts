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
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/**
 * Turns one ljson line (as pino serialised it) into `TIMESTAMP\tLEVEL\tMESSAGE [CODE] key=value ...`.
 * Falls back to the input when it is not the expected JSON, so a line is never lost.
 */
export function renderTextLine(json: string): string {
  try {
    const entry = JSON.parse(json) as {
      timestamp?: string;
      level?: string;
      code?: string;
      message?: string;
      details?: Record<string, unknown>;
    };
    let line = `${entry.timestamp ?? ''}\t${entry.level ?? ''}\t${oneLine(entry.message ?? '')}`;
    if (entry.code !== undefined && entry.code !== '') line += ` [${entry.code}]`;
    for (const [key, value] of Object.entries(entry.details ?? {})) {
      line += ` ${key}=${oneLine(renderValue(value))}`;
    }
    return line + '\n';
  } catch {
    return json;
  }
}
