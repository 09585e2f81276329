// A real cssh logger (ljson, debug level) whose lines are parsed into an array a test can search.
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';

export interface CapturedLine {
  code: string;
  message: string;
  level: string;
  details?: Record<string, unknown>;
}

export function captureLogs(): { logger: ReturnType<typeof createLogger>; lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as CapturedLine);
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', format: 'ljson', destination: 'stdout', file: '' }, sink), lines };
}
