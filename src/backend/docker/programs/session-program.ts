// Session mode: the program is the main process of its own container, attached before start so no output is lost.
import type { Duplex } from 'node:stream';
import type { ConnectionContext, Program, ProgramExit } from '../../../core/contracts.js';
import { deadline } from '../../../core/retry.js';
import { DockerCode } from '../codes.js';
import { buildCreateOptions, connectionEnv } from '../lifecycle/container-spec.js';
import type { DockerEngine, TtySize } from '../engine/docker-engine.js';
import type { ProgramLaunch } from './program-launch.js';
import { dockerCall } from '../engine/docker-call.js';
import { createWithEvents, removeWithEvents, startWithEvents, type OpsContext } from '../lifecycle/container-ops.js';
import { checkSignalName } from './program-choice.js';
import { readExitCode, runStreams, type RunningStreams } from './program-runner.js';
import { inPhase } from '../phases.js';
import { ResizeSequencer } from './resize-sequencer.js';

export interface SessionStart extends ProgramLaunch {
  ctx: ConnectionContext;
  engine: DockerEngine;
  consoleSize: boolean;
  instanceId: string;
}

/**
 * Longest wait for the container's init to start the program (or the size wrapper to exec it) before a first signal
 * or resize is sent anyway. It ends as soon as the process list shows the program, so it only matters on an engine
 * so loaded that the start takes seconds.
 */
const INIT_READY_MS = 10_000;

/** The script of the start-up size wrapper; seen in a process's command line until it execs the program. */
const SIZE_SCRIPT = 'exec "$@"';

/** Under a TTY the initial size is set by the image's /bin/sh before the program starts (API 1.41 has no ConsoleSize). */
function withInitialSize(argv: string[], tty: boolean, size?: TtySize): string[] {
  if (!tty || size === undefined || argv.length === 0) return argv;
  return ['/bin/sh', '-c', `stty rows ${size.rows} cols ${size.cols} 2>/dev/null; ${SIZE_SCRIPT}`, 'cssh', ...argv];
}

/** The wrapper itself, not an init (`docker-init -- /bin/sh -c stty ...`) whose arguments name it for its lifetime. */
function isSizeWrapper(command: string): boolean {
  return command.startsWith('/bin/sh -c stty rows ') && command.includes(SIZE_SCRIPT);
}

export class SessionProgram implements Program {
  readonly exited: Promise<ProgramExit>;
  private finished = false;
  private readonly cancel = new AbortController();
  private readonly resizes = new ResizeSequencer();
  private readonly streams: RunningStreams;
  private initStarted: Promise<void> | undefined;
  private wrapperDone: Promise<void> | undefined;
  private readonly wrapped: boolean;
  private readonly withInit: boolean;

  private constructor(private readonly s: SessionStart, readonly containerId: string, stream: Duplex, withInit: boolean) {
    this.withInit = withInit;
    this.streams = runStreams({
      stream, tty: s.tty, io: s.io, logger: s.ctx.logger,
      readExit: () => readExitCode((sig) => s.engine.inspectContainer(containerId, sig), s.ctx.logger, this.cancel.signal),
    });
    this.exited = this.streams.exited.finally(() => { this.finished = true; });
    this.wrapped = s.tty && s.size !== undefined && s.argv.length > 0;
  }

  private static ops(s: SessionStart): OpsContext {
    return { engine: s.engine, logger: s.ctx.logger, onEvent: s.ctx.onEvent };
  }

  /** Creates, attaches, starts and sizes the container; a failure after create removes it again. */
  static async start(s: SessionStart): Promise<SessionProgram> {
    const execution = s.ctx.config.docker.execution;
    const body = buildCreateOptions({
      info: s.ctx.info, execution, instanceId: s.instanceId,
      cmd: withInitialSize(s.argv, s.tty, s.size),
      env: [...connectionEnv(s.ctx.info, execution), ...s.env],
      session: { tty: s.tty, size: s.size, consoleSize: s.consoleSize },
    });
    const timeouts = s.ctx.config.docker.timeouts;
    const id = await createWithEvents(SessionProgram.ops(s), body, 'session', s.signal, { attemptMs: timeouts.commandStart, stopMs: timeouts.containerStop });
    try {
      const stream = await inPhase(s.ctx.onEvent, 'exec', async () => {
        const attached = await dockerCall((sig) => s.engine.attachContainer(id, sig), {
          op: 'container-attach', code: DockerCode.CONTAINER_ATTACH_FAILED, explanation: 'Failed to attach to the container',
          signal: s.signal, logger: s.ctx.logger, onEvent: s.ctx.onEvent,
        });
        return attached;
      });
      await startWithEvents(SessionProgram.ops(s), id, s.signal).catch((e: unknown) => { stream.destroy(); throw e; });
      const program = new SessionProgram(s, id, stream, body.HostConfig?.Init === true);
      if (s.tty && s.size !== undefined) program.initialResize(s.size);
      return program;
    } catch (error) {
      await removeWithEvents(SessionProgram.ops(s), id, s.ctx.config.docker.timeouts.containerStop);
      throw error;
    }
  }

  /** One attempt right after start; the /bin/sh size wrapper (or ConsoleSize on 1.42+) already covers the start. */
  private initialResize(size: TtySize): void {
    this.resizes.run(async (isStale) => {
      if (isStale()) return;
      await this.s.engine.resizeContainer(this.containerId, size, deadline(this.s.ctx.config.docker.timeouts.window));
    }).catch((e: unknown) => this.s.ctx.logger.debug(DockerCode.EXEC_RESIZE_FAILED, 'Initial resize failed.', { error: String(e) }));
  }

  get running(): boolean {
    return !this.finished;
  }

  /** Waits for the start-up size wrapper first: its `stty` would otherwise set an earlier size back. */
  async resize(size: TtySize, signal: AbortSignal): Promise<void> {
    await this.resizes.run(async () => {
      await this.sizeWrapperDone(signal);
      await this.applyResize(size, signal);
    });
  }

  private async applyResize(size: TtySize, signal: AbortSignal): Promise<void> {
    await dockerCall((sig) => this.s.engine.resizeContainer(this.containerId, size, sig), {
      op: 'container-resize', code: DockerCode.EXEC_RESIZE_FAILED, explanation: `Failed to resize to ${size.cols}x${size.rows}`,
      userMessage: 'Cannot resize window.', permanentStatuses: [409], signal, logger: this.s.ctx.logger, count: false,
    });
  }

  /** ContainerKill to the main process (an init forwards it to the program); works without the agent. */
  async signal(name: string, signal: AbortSignal): Promise<void> {
    checkSignalName(name);
    await this.initReady(signal);
    this.s.ctx.logger.debug(DockerCode.CONTAINER_SIGNAL, `Sending ${name} to the container.`, { signal: name, containerId: this.containerId });
    await dockerCall((sig) => this.s.engine.killContainer(this.containerId, name, sig), {
      op: 'container-kill', code: DockerCode.CONTAINER_SIGNAL_FAILED, explanation: `Failed to send ${name} to the container`,
      userMessage: 'Cannot send signal to process.', signal, logger: this.s.ctx.logger, count: false,
    });
  }

  /**
   * The container's init (PID 1) drops a signal that reaches it before it blocked signals to forward them: the kernel
   * discards signals an init has no handler for. It blocks them before it starts the program, so once a second
   * process shows, signals are kept until forwarded. Waited for once, bounded (an init-less container never shows one).
   */
  private initReady(signal: AbortSignal): Promise<void> {
    if (!this.withInit) return Promise.resolve(); // the operator turned the init off: the program is PID 1 itself
    this.initStarted ??= this.waitForProcesses((commands) => commands.length === 0 || commands.length >= 2, signal);
    return this.initStarted;
  }

  /** Once, bounded: until the start-up size wrapper (if any) has run its `stty` and exec'd the program. */
  private sizeWrapperDone(signal: AbortSignal): Promise<void> {
    if (!this.wrapped) return Promise.resolve();
    this.wrapperDone ??= this.waitForProcesses((commands) => !commands.some(isSizeWrapper), signal);
    return this.wrapperDone;
  }

  /** Polls the container's processes until `done` says so, it ends, or INIT_READY_MS passed. An engine error ends it. */
  private async waitForProcesses(done: (commands: string[]) => boolean, signal: AbortSignal): Promise<void> {
    const until = Date.now() + INIT_READY_MS;
    while (!this.finished && Date.now() < until && !signal.aborted) {
      const commands = await this.s.engine.listProcesses(this.containerId, signal).catch(() => undefined);
      if (commands === undefined || done(commands)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(): void {
    if (this.finished) return;
    this.signal('KILL', deadline(this.s.ctx.config.docker.timeouts.signal)).catch(() => undefined);
  }

  abandon(): void {
    this.cancel.abort();
    this.streams.destroy();
  }

  /** Force-removes the session container on its own containerStop deadline. Never throws. */
  async remove(): Promise<void> {
    await removeWithEvents(SessionProgram.ops(this.s), this.containerId, this.s.ctx.config.docker.timeouts.containerStop);
  }
}
