// A session's signals and window changes, delivered to its program one at a time in arrival order once it exists.
import { CsshError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { deadline } from '../../../core/retry.js';
import { DockerCode } from '../codes.js';
import type { TtySize } from '../engine/docker-engine.js';

/** What the queue delivers to: the started program. */
export interface RequestTarget {
  readonly running: boolean;
  resize(size: TtySize, signal: AbortSignal): Promise<void>;
  signal(name: string, signal: AbortSignal): Promise<void>;
}

export interface RequestQueueOptions {
  /** Resolves with the program once it runs, or undefined when its start failed. Never rejects. */
  program: Promise<RequestTarget | undefined>;
  /** Deadlines (ms) of one delivery, counted from when it begins, not from when it was queued. */
  windowMs: number;
  signalMs: number;
  logger: Logger;
}

interface QueuedResize {
  size: TtySize;
  begun: boolean;
  result: Promise<void>;
}

export function notRunning(what: string): CsshError {
  return new CsshError(DockerCode.PROGRAM_NOT_RUNNING, `Cannot ${what}, program is not running.`, {
    userMessage: `Cannot ${what}, program is not running.`, permanent: true,
  });
}

/**
 * Requests accepted while the program is still starting wait for it instead of being lost (a client may signal as
 * soon as the exec request is answered). Each delivery starts after the previous one settled, so a TERM sent after a
 * resize never overtakes it. A window change queued behind another one that has not begun yet replaces its size
 * (only the latest size matters; the replaced size is logged, never silently lost), so the queue holds at most one
 * resize per gap between signals; the number of signals is bounded by the security layer.
 */
export class ProgramRequests {
  private tail: Promise<void> = Promise.resolve();
  private lastResize: QueuedResize | undefined;

  constructor(private readonly o: RequestQueueOptions) {}

  resize(size: TtySize): Promise<void> {
    const last = this.lastResize;
    if (last !== undefined && !last.begun) {
      this.o.logger.debug(DockerCode.EXEC_RESIZE, `Window change to ${last.size.cols}x${last.size.rows} replaced by ${size.cols}x${size.rows} before it was applied.`);
      last.size = size;
      return last.result;
    }
    const entry: QueuedResize = { size, begun: false, result: Promise.resolve() };
    entry.result = this.enqueue('resize window', (program) => {
      entry.begun = true;
      return program.resize(entry.size, deadline(this.o.windowMs));
    });
    this.lastResize = entry;
    return entry.result;
  }

  signal(name: string): Promise<void> {
    this.lastResize = undefined; // a resize queued after this signal must stay after it
    return this.enqueue('send signal', (program) => program.signal(name, deadline(this.o.signalMs)));
  }

  private enqueue(what: string, deliver: (program: RequestTarget) => Promise<void>): Promise<void> {
    const result = this.tail.then(async () => {
      const program = await this.o.program;
      if (program === undefined || !program.running) throw notRunning(what);
      await deliver(program);
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
