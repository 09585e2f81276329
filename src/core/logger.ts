// The logging contract the core speaks: ContainerSSH-style levels, a message code on every line, labels as details.
export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'crit' | 'alert' | 'emerg';

export type LogLabels = Record<string, string | number | boolean | undefined>;

/** Implementations must never throw. `code` is a registered message code (see src/observability/codes.ts). */
export interface Logger {
  log(level: LogLevel, code: string, message: string, labels?: LogLabels): void;
  debug(code: string, message: string, labels?: LogLabels): void;
  info(code: string, message: string, labels?: LogLabels): void;
  notice(code: string, message: string, labels?: LogLabels): void;
  warning(code: string, message: string, labels?: LogLabels): void;
  error(code: string, message: string, labels?: LogLabels): void;
  /** A logger that adds these labels to every line (e.g. connectionId, containerId). */
  child(labels: LogLabels): Logger;
}

/** A logger that drops everything: for tests and for commands that report through events instead. */
export function createNullLogger(): Logger {
  const noop = (): void => undefined;
  const logger: Logger = {
    log: noop,
    debug: noop,
    info: noop,
    notice: noop,
    warning: noop,
    error: noop,
    child: () => logger,
  };
  return logger;
}
