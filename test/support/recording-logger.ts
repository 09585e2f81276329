// A Logger that records every line (level, code, labels) and lets a test wait for a code, for unit tests.
import type { Logger, LogLabels } from '../../src/core/logger.js';

export interface Line { level: string; code: string; message: string; labels?: LogLabels }

/** A logger that records lines and wakes waiters. */
export function recordingLogger(): Logger & { lines: Line[]; waitFor(code: string, count?: number): Promise<void>; count(code: string): number } {
  const lines: Line[] = [];
  const waiters: (() => void)[] = [];
  const log = (level: string, code: string, message: string, labels?: LogLabels): void => {
    lines.push({ level, code, message, labels });
    waiters.splice(0).forEach((w) => w());
  };
  const logger = {
    lines,
    log,
    debug: (c: string, m: string, l?: LogLabels) => log('debug', c, m, l),
    info: (c: string, m: string, l?: LogLabels) => log('info', c, m, l),
    notice: (c: string, m: string, l?: LogLabels) => log('notice', c, m, l),
    warning: (c: string, m: string, l?: LogLabels) => log('warning', c, m, l),
    error: (c: string, m: string, l?: LogLabels) => log('error', c, m, l),
    child: () => logger,
    count: (code: string) => lines.filter((l) => l.code === code).length,
    /** Resolves once `count` lines carry `code` (timers under test may be unref'd, so this keeps the process up meanwhile). */
    async waitFor(code: string, count = 1): Promise<void> {
      const keepAlive = setInterval(() => undefined, 1_000);
      try {
        while (lines.filter((l) => l.code === code).length < count) await new Promise<void>((r) => waiters.push(r));
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
  return logger;
}
