// Connection mode: one program as a docker exec in the connection container, with its pid known for signals.
import type { Program, ProgramExit } from '../../../core/contracts.js';
import { CsshError, describeCause } from '../../../core/errors.js';
import type { EventSink } from '../../../core/events.js';
import type { Logger } from '../../../core/logger.js';
import { deadline } from '../../../core/retry.js';
import type { DockerTimeoutsConfig } from '../../../config/types.js';
import { DockerCode } from '../codes.js';
import { checkSignalName } from './program-choice.js';
import type { ProcessState, TtySize } from '../engine/docker-engine.js';
import type { ProgramLaunch } from './program-launch.js';
import { runHelper } from './helper-exec.js';
import { dockerCall } from '../engine/docker-call.js';
import { EXEC_ATTACH_FAILED_CODE, readExitState, runStreams, streamEndNotice, type RunningStreams } from './program-runner.js';
import { agentHeader, lineHeader, type HeaderReader, type OutputEnd } from './stream-pump.js';
import type { ConnectionContainer } from '../lifecycle/connection-container.js';
import { ResizeSequencer } from './resize-sequencer.js';
import { removeWithEvents } from '../lifecycle/container-ops.js';

/** How long a program may outlive a delivered KILL before its container is removed to end it. */
const KILL_GRACE_MS = 5_000;

export interface ExecStart extends ProgramLaunch {
  container: ConnectionContainer;
  timeouts: DockerTimeoutsConfig;
  logger: Logger;
  onEvent?: EventSink;
}

/**
 * Without the guest agent, programs run under a tiny /bin/sh wrapper that sets the initial terminal size, prints its
 * pid (then `exec`s the program, so the pid is the program's), and nothing else. The size comes first: a resize
 * waits for the pid, so it can never be undone by the wrapper's own stty.
 */
function wrap(s: ExecStart): { cmd: string[]; header?: HeaderReader } {
  const c = s.container;
  if (c.agent) return { cmd: [c.agentPath, 'console', '--pid', '--', ...s.argv], header: agentHeader() };
  if (!c.shell) return { cmd: s.argv };
  const stty = s.tty && s.size !== undefined ? `stty rows ${s.size.rows} cols ${s.size.cols} 2>/dev/null; ` : '';
  return { cmd: ['/bin/sh', '-c', `${stty}echo "$$"; exec "$@"`, 'cssh', ...s.argv], header: lineHeader() };
}

export class ExecProgram implements Program {
  readonly exited: Promise<ProgramExit>;
  private finished = false;
  private killed = false;
  private readonly cancel = new AbortController();
  private readonly resizes = new ResizeSequencer();
  private readonly streams: RunningStreams;

  private constructor(private readonly s: ExecStart, readonly execId: string, stream: import('node:stream').Duplex, header?: HeaderReader) {
    const engine = s.container.engine;
    this.streams = runStreams({
      stream, tty: s.tty, io: s.io, header, logger: s.logger,
      readExit: (end) => this.readExit(end, (sig) => engine.inspectExec(execId, sig)),
    });
    this.exited = this.streams.exited.finally(() => { this.finished = true; });
  }

  static async start(s: ExecStart): Promise<ExecProgram> {
    const c = s.container;
    if (c.shuttingDown) {
      throw new CsshError(DockerCode.CONTAINER_SHUTTING_DOWN, 'Refusing new Docker execution because the container is shutting down.', {
        userMessage: 'Server is shutting down', permanent: true,
      });
    }
    const { cmd, header } = wrap(s);
    const common = { signal: s.signal, logger: s.logger, onEvent: s.onEvent };
    const execId = await dockerCall((sig) => c.engine.createExec(c.id, { cmd, env: s.env, tty: s.tty, size: s.size, consoleSize: c.consoleSize }, sig), {
      // 409: the container is not running (its main process ended); no retry can bring it back.
      ...common, op: 'exec-create', code: DockerCode.EXEC_CREATE_FAILED, explanation: 'Failed to create the exec', permanentStatuses: [409],
    });
    const stream = await dockerCall((sig) => c.engine.startExec(execId, s.tty, sig), {
      // 409: the exec already started (an earlier attempt got through); starting it again can never work.
      ...common, op: 'exec-start', code: DockerCode.EXEC_ATTACH_FAILED, explanation: 'Failed to start the exec', permanentStatuses: [409],
    });
    const program = new ExecProgram(s, execId, stream, header);
    if (s.tty && s.size !== undefined) program.initialResize(s.size);
    return program;
  }

  /**
   * Sizes the TTY once the process runs (its pid header arrived): one attempt, failures only logged, because the
   * shell wrapper (or ConsoleSize on API 1.42+) already set the size before the program started.
   */
  private initialResize(size: TtySize): void {
    const c = this.s.container;
    this.resizes.run(async (isStale) => {
      await this.streams.pid;
      if (this.finished || isStale()) return;
      await c.engine.resizeExec(this.execId, size, deadline(this.s.timeouts.window));
    }).catch((e: unknown) => this.s.logger.debug(DockerCode.EXEC_RESIZE_FAILED, 'Initial resize failed.', { error: String(e) }));
  }

  /**
   * The exit code once the output ended. When the engine connection carrying the streams broke (`cut`), or the
   * engine closed it while the program ran and then reported 126 (its code for a failed exec attach), the program
   * is ended (it has no one to talk to), the user is told on stderr and the server logs DOCKER_EXEC_STREAM_LOST;
   * an exit code that cannot be read is also explained on stderr rather than reported silently.
   */
  private async readExit(end: OutputEnd, inspect: (signal: AbortSignal) => Promise<ProcessState>): Promise<number> {
    // Ended on purpose (the container is being removed, or the program abandoned): nothing to report.
    const deliberate = (): boolean => this.cancel.signal.aborted || this.s.container.shuttingDown;
    if (end === 'cut' && !deliberate()) await this.signal('KILL', deadline(this.s.timeouts.signal)).catch(() => undefined);
    let attachFailed = false;
    // Some engines mark an exec whose attach failed with 126 while it still shows as running.
    const inspectAttach = async (signal: AbortSignal): Promise<ProcessState> => {
      const state = await inspect(signal);
      if (!state.running || state.exitCode !== EXEC_ATTACH_FAILED_CODE) return state;
      attachFailed = true;
      return { ...state, running: false };
    };
    const state = await readExitState(inspectAttach, this.s.logger, this.cancel.signal);
    const notice = deliberate() ? undefined : streamEndNotice(end, state, attachFailed);
    if (notice?.lost === true) {
      this.s.logger.error(DockerCode.EXEC_STREAM_LOST, `The engine connection carrying the program's input and output closed before the program ended; reporting exit status ${state.code}.`, {
        exitCode: state.code, outputEnd: end,
      });
    }
    if (notice !== undefined) this.tell(notice.line);
    return state.code;
  }

  /** One line on the user's stderr (CRLF under a TTY), as for other start failures. */
  private tell(line: string): void {
    const stderr = this.s.io.stderr;
    if (stderr.writableEnded || stderr.destroyed) return;
    stderr.write(`${line}${this.s.tty ? '\r\n' : '\n'}`);
  }

  get running(): boolean {
    return !this.finished;
  }

  /** Resizes once the process runs (its pid header arrived, so the wrapper's initial size is already set). */
  async resize(size: TtySize, signal: AbortSignal): Promise<void> {
    const c = this.s.container;
    await this.resizes.run(async () => {
      await this.streams.pid;
      await this.resizeNow(c, size, signal);
    });
  }

  private resizeNow(c: ConnectionContainer, size: TtySize, signal: AbortSignal): Promise<void> {
    return dockerCall((sig) => c.engine.resizeExec(this.execId, size, sig), {
      op: 'exec-resize', code: DockerCode.EXEC_RESIZE_FAILED, explanation: `Failed to resize to ${size.cols}x${size.rows}`,
      userMessage: 'Cannot resize window.', permanentStatuses: [409], signal, logger: this.s.logger, count: false,
    });
  }

  /** Delivers a signal through the agent or the shell helper; rejects with a CsshError when it cannot. */
  async signal(name: string, signal: AbortSignal): Promise<void> {
    checkSignalName(name);
    const c = this.s.container;
    const pid = this.finished ? undefined : await this.streams.pid;
    if (pid === undefined || pid <= 0 || this.finished) {
      throw new CsshError(DockerCode.SIGNAL_FAILED_NO_PID, 'could not send signal to exec, process ID not found', {
        userMessage: 'Cannot send signal to process', permanent: true,
      });
    }
    if (c.shuttingDown) {
      throw new CsshError(DockerCode.EXEC_SIGNAL_FAILED, 'Not sending signal to process, container is already shutting down.', { permanent: true });
    }
    const cmd = c.agent
      ? [c.agentPath, 'signal', '--pid', String(pid), '--signal', name]
      : ['/bin/sh', '-c', 'kill -s "$1" "$2"', 'cssh', name, String(pid)];
    const result = await dockerCall((sig) => runHelper(c.engine, c.id, cmd, sig), {
      op: 'exec-signal', code: DockerCode.EXEC_SIGNAL_FAILED, explanation: `Failed to send ${name} to the program`,
      userMessage: 'Cannot send signal to process.', signal, logger: this.s.logger, onEvent: this.s.onEvent,
    });
    if (result.code !== 0 && !this.finished) {
      throw new CsshError(DockerCode.EXEC_SIGNAL_FAILED, `signal program exited with status ${result.code}`, { userMessage: 'Cannot send signal to process.' });
    }
    this.s.logger.debug(DockerCode.EXEC_SIGNAL_SUCCESSFUL, `Sent ${name} to the program.`, { signal: name });
  }

  /**
   * KILL through the in-container helper. The container's user can remove or replace that helper (/bin/sh, the
   * agent), so the stop must not depend on it: when KILL cannot be delivered, or the program still runs
   * KILL_GRACE_MS after it was, the connection container is removed, which ends every program in it from outside.
   */
  kill(): void {
    if (this.finished || this.killed) return;
    this.killed = true;
    this.signal('KILL', deadline(this.s.timeouts.signal)).then(
      () => void setTimeout(() => void this.stopFromOutsideIfRunning(), KILL_GRACE_MS).unref(),
      (error: unknown) => void this.stopFromOutsideIfRunning(`KILL could not be delivered: ${describeCause(error)}`),
    );
  }

  private async stopFromOutsideIfRunning(why?: string): Promise<void> {
    const c = this.s.container;
    if (c.shuttingDown) return; // already being removed
    try {
      const state = await c.engine.inspectExec(this.execId, deadline(this.s.timeouts.signal));
      if (!state.running) return;
    } catch {
      // cannot tell: end it to be safe
    }
    if (c.shuttingDown) return;
    c.shuttingDown = true;
    const reason = why ?? `the program still ran ${KILL_GRACE_MS} ms after KILL`;
    this.s.logger.warning(DockerCode.EXEC_STOP_FAILED, `Cannot end the program from inside the container (${reason}); removing the container.`, {
      containerId: c.id,
    });
    await removeWithEvents({ engine: c.engine, logger: this.s.logger, onEvent: this.s.onEvent }, c.id, this.s.timeouts.containerStop);
    this.abandon();
  }

  /** Stops waiting for an exit code and drops the connection (used when the container is being removed). */
  abandon(): void {
    this.cancel.abort();
    this.streams.destroy();
  }
}
