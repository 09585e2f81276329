// The process logger: pino writing ContainerSSH's `ljson` or `text` lines to stdout, a file or a given stream.
import pino from 'pino';
import { CsshError } from '../core/errors.js';
import type { LogLabels, Logger, LogLevel } from '../core/logger.js';
import type { AppConfig } from '../config/types.js';
import { parseLogLevel, PINO_LEVELS, renderTextLine } from './log-format.js';

/**
 * A Logger plus the handles its owner needs. `close()` flushes and releases the destination (and the SIGHUP
 * listener of a file destination); logging after close is silently dropped. `withLevel()` returns a logger with
 * the same labels and destination but its own minimum level (e.g. a config-server `log.level` per connection).
 */
export interface ManagedLogger extends Logger {
  child(labels: LogLabels): ManagedLogger;
  withLevel(level: string): ManagedLogger;
  /** Reopens a file destination (what SIGHUP does, for log rotation). No-op for other destinations. */
  reopen(): void;
  close(): void;
}

type PinoLogger = pino.Logger<LogLevel, boolean>;

interface Destination {
  stream: pino.DestinationStream;
  reopen(): void;
  close(): void;
}

/**
 * Creates the logger `log` describes. Lines go to `destination` when given (tests, commands), otherwise to
 * stdout or to `log.file`. Throws CsshError(LOG_CONFIG_ERROR) for an unknown level, the unsupported syslog
 * destination or a file that cannot be opened; never throws afterwards.
 */
export function createLogger(log: AppConfig['log'], destination?: NodeJS.WritableStream): ManagedLogger {
  const level = requireLevel(log.level);
  const dest = destination === undefined ? openDestination(log) : wrapStream(destination);
  const root: PinoLogger = pino<LogLevel>(
    {
      level,
      customLevels: PINO_LEVELS,
      useOnlyCustomLevels: true,
      base: undefined,
      messageKey: 'message',
      timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      hooks: log.format === 'text' ? { streamWrite: renderTextLine } : {},
    },
    dest.stream,
  );
  const state = { closed: false };
  const onHangup = (): void => dest.reopen();
  if (destination === undefined && log.destination === 'file') process.on('SIGHUP', onHangup);
  const close = (): void => {
    if (state.closed) return;
    state.closed = true;
    process.removeListener('SIGHUP', onHangup);
    dest.close();
  };
  return makeLogger(root, {}, { state, reopen: () => dest.reopen(), close });
}

interface Shared {
  state: { closed: boolean };
  reopen(): void;
  close(): void;
}

function makeLogger(p: PinoLogger, labels: LogLabels, shared: Shared): ManagedLogger {
  const log = (level: LogLevel, code: string, message: string, extra?: LogLabels): void => {
    if (shared.state.closed) return;
    try {
      if (!p.isLevelEnabled(level)) return;
      // ContainerSSH writes `details` on every line, empty or not; log pipelines may rely on the field being there.
      p[level]({ code, details: cleanLabels(labels, extra) ?? {} }, message);
    } catch {
      // Logging must never break the caller.
    }
  };
  return {
    log,
    debug: (code, message, extra) => log('debug', code, message, extra),
    info: (code, message, extra) => log('info', code, message, extra),
    notice: (code, message, extra) => log('notice', code, message, extra),
    warning: (code, message, extra) => log('warning', code, message, extra),
    error: (code, message, extra) => log('error', code, message, extra),
    child: (more) => makeLogger(p, { ...labels, ...more }, shared),
    withLevel: (level) => makeLogger(p.child({}, { level: parseLogLevel(level) ?? p.level }), labels, shared),
    reopen: () => shared.reopen(),
    close: () => shared.close(),
  };
}

/** Merges labels, dropping undefined values; undefined when nothing is left. */
function cleanLabels(base: LogLabels, extra?: LogLabels): Record<string, string | number | boolean> | undefined {
  const out: Record<string, string | number | boolean> = {};
  let any = false;
  for (const source of [base, extra ?? {}]) {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      out[key] = value;
      any = true;
    }
  }
  return any ? out : undefined;
}

function requireLevel(value: string): LogLevel {
  const level = parseLogLevel(value);
  if (level === undefined) {
    throw new CsshError(
      'LOG_CONFIG_ERROR',
      `log.level: expected one of debug, info, notice, warning, error, crit, alert, emerg; got "${value}"`,
      { permanent: true },
    );
  }
  return level;
}

function openDestination(log: AppConfig['log']): Destination {
  if (log.destination === 'syslog') {
    throw new CsshError(
      'LOG_CONFIG_ERROR',
      'log.destination: syslog is not supported by cssh yet; use "stdout" (and let the service manager collect it) or "file"',
      { permanent: true },
    );
  }
  if (log.destination === 'file') {
    if (log.file === '') {
      throw new CsshError('LOG_CONFIG_ERROR', 'log.file: required when log.destination is "file"', { permanent: true });
    }
    try {
      const sonic = pino.destination({ dest: log.file, sync: true, append: true, mkdir: true });
      sonic.on('error', () => undefined);
      return { stream: sonic, reopen: () => safely(() => sonic.reopen()), close: () => safely(() => sonic.end()) };
    } catch (error) {
      throw new CsshError('LOG_CONFIG_ERROR', `log.file: cannot open "${log.file}" for writing`, { cause: error, permanent: true });
    }
  }
  const out = pino.destination({ dest: 1, sync: true });
  out.on('error', () => undefined);
  return { stream: out, reopen: () => undefined, close: () => safely(() => out.flushSync()) };
}

function wrapStream(stream: NodeJS.WritableStream): Destination {
  stream.on('error', () => undefined);
  return { stream, reopen: () => undefined, close: () => undefined };
}

function safely(action: () => void): void {
  try {
    action();
  } catch {
    // A failing destination must not take the process down.
  }
}
