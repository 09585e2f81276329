// Runs one started program's streams to completion and turns its end into a ProgramExit that never rejects.
import type { Duplex } from 'node:stream';
import type { ProgramExit, SessionIO } from '../../../core/contracts.js';
import type { Logger } from '../../../core/logger.js';
import { deadline, retry } from '../../../core/retry.js';
import { DockerCode } from '../codes.js';
import { statusOf, type ProcessState } from '../engine/docker-engine.js';
import { isPermanentDockerError } from '../engine/docker-call.js';
import { pumpInput, pumpOutput, writeWithBackpressure, type HeaderReader, type OutputEnd } from './stream-pump.js';

/** How long the exit code is polled for once the output has ended (ContainerSSH: a fixed 60 s). */
export const EXIT_CODE_DEADLINE_MS = 60_000;
const EXIT_POLL_INTERVAL_MS = 200;
/** Reported when the exit code cannot be read (as if killed). */
export const UNKNOWN_EXIT_CODE = 137;

class StillRunning extends Error {}

/** What the client reads on stderr when the engine went away under its program. */
export const ENGINE_LOST_MESSAGE = 'cssh: lost the connection to the container engine; the program\'s exit status is unknown (reported as 137)\r\n';

/** The engine cannot be reached at all (socket gone, refused, reset): not an answer about the program. */
export class EngineLost extends Error {
  constructor(cause: unknown) {
    super(`the Docker engine cannot be reached: ${String(cause)}`, { cause });
  }
}

const CONNECTION_ERRORS = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** True for an error of the connection to the engine (no HTTP status): the engine stopped or the link broke. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return statusOf(error) === undefined && typeof code === 'string' && CONNECTION_ERRORS.has(code);
}

/**
 * Polls `inspect` until the process has stopped; logs and returns 137 when it cannot tell. Rejects only with
 * EngineLost, when the engine itself cannot be reached (runStreams turns that into 137 and a message to the client).
 */
export async function readExitCode(
  inspect: (signal: AbortSignal) => Promise<ProcessState>,
  logger: Logger,
  cancel: AbortSignal,
): Promise<number> {
  return (await readExitState(inspect, logger, cancel)).code;
}

/** What readExitState found out. */
export interface ExitState {
  code: number;
  /** False when the code is UNKNOWN_EXIT_CODE because it could not be read. */
  known: boolean;
  /** Not known because the program was removed or abandoned on purpose (no one needs telling). */
  expected: boolean;
  /** The first inspection, right after the output ended, found the program still running. */
  runningAtEnd: boolean;
}

/** readExitCode, telling also whether the code is real and whether the program outlived its output stream. */
export async function readExitState(
  inspect: (signal: AbortSignal) => Promise<ProcessState>,
  logger: Logger,
  cancel: AbortSignal,
): Promise<ExitState> {
  let runningAtEnd: boolean | undefined;
  try {
    const code = await retry(
      async (signal) => {
        const state = await inspect(signal);
        const running = state.running || state.restarting || state.exitCode < 0;
        runningAtEnd ??= running;
        if (running) throw new StillRunning('still running');
        return state.exitCode;
      },
      {
        signal: deadline(EXIT_CODE_DEADLINE_MS, cancel),
        intervalMs: EXIT_POLL_INTERVAL_MS,
        isPermanent: (e) => !(e instanceof StillRunning) && isPermanentDockerError(e),
        onRetry: (e) => { if (e instanceof StillRunning) logger.debug(DockerCode.EXIT_CODE_STILL_RUNNING, 'Program still running, retrying.'); },
      },
    );
    logger.debug(DockerCode.EXIT_CODE, `Program exited with status ${code}.`, { exitCode: code });
    return { code, known: true, expected: false, runningAtEnd: runningAtEnd ?? false };
  } catch (error) {
    if (!cancel.aborted && isConnectionError(error)) {
      logger.error(DockerCode.ENGINE_LOST, `Lost the connection to the Docker engine while the program ran; reporting ${UNKNOWN_EXIT_CODE}.`, { error: String(error) });
      throw new EngineLost(error);
    }
    // Gone (404) or abandoned means the container was removed on purpose while the program ran.
    const expected = cancel.aborted || statusOf(error) === 404;
    logger.log(expected ? 'notice' : 'error', DockerCode.EXIT_CODE_FAILED, `Could not read the exit code; reporting ${UNKNOWN_EXIT_CODE}.`, { error: String(error) });
    return { code: UNKNOWN_EXIT_CODE, known: false, expected, runningAtEnd: runningAtEnd ?? true };
  }
}

/** The exit code Docker records for an exec whose attach failed (e.g. its client connection went away). */
export const EXEC_ATTACH_FAILED_CODE = 126;

/**
 * What to tell the user about how a program's streams ended, or undefined when nothing went wrong. `lost`: the
 * engine connection carrying the streams broke (`cut`), or the engine reported an attach failure (`attachFailed`,
 * or 126 for a program that was still running when its output ended). Otherwise an unreadable exit code, unless
 * the program was removed on purpose.
 */
export function streamEndNotice(end: OutputEnd, state: ExitState, attachFailed = false): { lost: boolean; line: string } | undefined {
  const lost = end === 'cut' || attachFailed || (state.known && state.code === EXEC_ATTACH_FAILED_CODE && state.runningAtEnd);
  if (lost) {
    return {
      lost,
      line: 'cssh: the connection to the Docker engine carrying this program\'s input and output closed before the program ended; ' +
        `its output may be incomplete (exit status ${state.code} is not the program's own)`,
    };
  }
  if (state.known || state.expected) return undefined;
  if (state.runningAtEnd) {
    return {
      lost: true,
      line: `cssh: the program's output ended but it was still running ${EXIT_CODE_DEADLINE_MS / 1000} s later, so its exit status is unknown ` +
        `(was the connection to the Docker engine lost?); reporting ${state.code}`,
    };
  }
  return { lost: false, line: `cssh: the program's exit status could not be read from the Docker engine; reporting ${state.code}` };
}

export interface RunOptions {
  stream: Duplex;
  tty: boolean;
  io: SessionIO;
  header?: HeaderReader;
  logger: Logger;
  /** Reads the exit code after the output ended (`end`: how it ended); rejects only with EngineLost. */
  readExit: (end: OutputEnd) => Promise<number>;
}

/** A program whose streams are being pumped. */
export interface RunningStreams {
  /** Resolves after the output ended, input was detached and the exit code was read. */
  exited: Promise<ProgramExit>;
  /** The in-container process id (from the header), or undefined when unknown. */
  pid: Promise<number | undefined>;
  /** Tears the Docker connection down (used when the program is abandoned). */
  destroy(): void;
}

export function runStreams(o: RunOptions): RunningStreams {
  let detachInput: (() => void) | undefined;
  let resolvePid: (pid: number | undefined) => void = () => undefined;
  const pid = new Promise<number | undefined>((resolve) => { resolvePid = resolve; });
  const onInputError = (error: unknown): void =>
    o.logger.debug(DockerCode.STREAM_INPUT_FAILED, 'Copying input to the program failed.', { error: String(error) });
  const output = pumpOutput(o.stream, {
    tty: o.tty,
    stdout: o.io.stdout,
    stderr: o.io.stderr,
    header: o.header,
    onHeader: (p) => {
      resolvePid(p);
      // Input starts after the header, so a TTY's echo never lands in front of it.
      detachInput = pumpInput(o.io.stdin, o.stream, onInputError, o.tty);
    },
  });
  const exited = (async (): Promise<ProgramExit> => {
    const end = await output;
    detachInput?.();
    const code = await o.readExit(end).catch(async (error: unknown) => {
      if (error instanceof EngineLost) await writeWithBackpressure(o.io.stderr, Buffer.from(ENGINE_LOST_MESSAGE));
      return UNKNOWN_EXIT_CODE;
    });
    if (!o.stream.destroyed) o.stream.destroy();
    return { code };
  })();
  return { exited, pid, destroy: () => o.stream.destroy() };
}
