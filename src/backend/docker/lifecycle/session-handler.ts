// One session channel: buffers env and pty until start, runs at most one program, then resizes, signals and closes it.
import type { Program, PtyRequest, SessionHandler, SessionInfo, SessionIO, StartRequest, WindowSize } from '../../../core/contracts.js';
import { CsshError } from '../../../core/errors.js';
import { deadline } from '../../../core/retry.js';
import { DockerCode } from '../codes.js';
import type { DockerConnection } from './connection-handler.js';
import { openConnectionContainer, type ConnectionContainer } from './connection-container.js';
import { removeWithEvents } from './container-ops.js';
import { ExecProgram } from '../programs/exec-program.js';
import { inPhase } from '../phases.js';
import { programArgv } from '../programs/program-choice.js';
import { operatorEnv, programEnv } from '../programs/program-env.js';
import { notRunning, ProgramRequests } from '../programs/program-requests.js';
import { parseScpCommand } from '../scp/scp-command.js';
import { ScpProgram } from '../scp/scp-program.js';
import { SessionProgram } from '../programs/session-program.js';

/** How long close() lets a killed program finish before dropping its streams. */
const CLOSE_GRACE_MS = 2_000;

type Active = ExecProgram | SessionProgram | ScpProgram;

/**
 * Runs once the program's container exists and before the program starts (agent forwarding makes its socket
 * there); resolves with KEY=VALUE entries to add to the program's environment.
 */
export type ContainerHook = (containerId: string, signal: AbortSignal) => Promise<string[]>;

function shuttingDown(): CsshError {
  return new CsshError(DockerCode.CONTAINER_SHUTTING_DOWN, 'Refusing a new program because the session or connection is closing.', {
    userMessage: 'Server is shutting down', permanent: true,
  });
}

function alreadyRunning(): CsshError {
  return new CsshError(DockerCode.PROGRAM_ALREADY_RUNNING, 'The channel already started a program.', {
    userMessage: 'program already running', permanent: true,
  });
}

export class DockerSession implements SessionHandler {
  private readonly env = new Map<string, string>();
  private pty: PtyRequest | undefined;
  private started = false;
  private closed = false;
  private program: Active | undefined;
  /** The start in progress, if any (close waits for it so nothing it creates is left behind). */
  private starting: Promise<unknown> | undefined;
  /** Session mode only: the container a legacy scp transfer, or a program with a hook, runs in (see scratchFor). */
  private scratch: Promise<ConnectionContainer> | undefined;
  private scratchId: string | undefined;
  private hook: ContainerHook | undefined;
  /** Signals and window changes from start on, delivered in order once the program runs. */
  private requests: ProgramRequests | undefined;

  constructor(private readonly conn: DockerConnection, readonly info: SessionInfo) {}

  setEnv(name: string, value: string): void {
    if (this.started) throw alreadyRunning();
    this.env.set(name, value);
  }

  /** Sets the hook that runs before the program (see ContainerHook). Throws after start. */
  prepareContainer(hook: ContainerHook): void {
    if (this.started) throw alreadyRunning();
    this.hook = hook;
  }

  requestPty(pty: PtyRequest): void {
    if (this.started) throw alreadyRunning();
    this.pty = { ...pty };
    this.env.set('TERM', pty.term);
  }

  async start(req: StartRequest, io: SessionIO, signal: AbortSignal): Promise<Program> {
    if (this.started) throw alreadyRunning();
    if (this.closed || this.conn.closed) throw shuttingDown();
    this.started = true;
    const starting = this.launch(req, io, signal);
    this.starting = starting.catch(() => undefined);
    const timeouts = this.conn.ctx.config.docker.timeouts;
    this.requests = new ProgramRequests({
      program: starting.then((p) => (this.closed ? undefined : p), () => undefined),
      windowMs: timeouts.window, signalMs: timeouts.signal, logger: this.conn.ctx.logger.child({ channelId: this.info.channelId }),
    });
    const program = await starting;
    if (this.closed) {
      // close() ran while the program was starting: it waits for this start, then disposes of the program.
      throw shuttingDown();
    }
    return program;
  }

  private async launch(req: StartRequest, io: SessionIO, signal: AbortSignal): Promise<Active> {
    const c = this.conn;
    const argv = programArgv(req, c.ctx.config.docker.execution);
    const env = programEnv(operatorEnv(c.ctx.info, c.ctx.config.docker.execution), this.env, req);
    const tty = this.pty !== undefined;
    const size = this.pty === undefined ? undefined : { rows: this.pty.rows, cols: this.pty.cols };
    const limit = deadline(c.ctx.config.docker.timeouts.commandStart, signal);
    const logger = c.ctx.logger.child({ channelId: this.info.channelId });
    const container = c.container ?? (await this.scratchFor(req, limit));
    if (container !== undefined) {
      const scp = req.kind === 'exec' ? await ScpProgram.startIfNeeded(container, req.command, io, logger, limit) : undefined;
      if (scp !== undefined) return (this.program = scp);
      const added = this.hook === undefined ? [] : await this.hook(container.id, limit);
      this.program = await inPhase(c.ctx.onEvent, 'exec', () => ExecProgram.start({
        container, argv, env: [...env, ...added], tty, size, io, signal: limit, timeouts: c.ctx.config.docker.timeouts, logger, onEvent: c.ctx.onEvent,
      }));
    } else {
      this.program = await SessionProgram.start({
        ctx: { ...c.ctx, logger }, engine: c.engine, consoleSize: c.consoleSize, instanceId: c.instanceId,
        argv, env, tty, size, io, signal: limit,
      });
    }
    return this.program;
  }

  /**
   * Session mode runs a legacy scp request in a container of its own started with the idle command, as connection
   * mode does, so cssh can serve the transfer itself when the image has no scp; and so a program with a hook (agent
   * forwarding), whose container must exist before the program starts. Removed when the session closes.
   */
  private async scratchFor(req: StartRequest, signal: AbortSignal): Promise<ConnectionContainer | undefined> {
    if (this.hook === undefined && (req.kind !== 'exec' || parseScpCommand(req.command) === undefined)) return undefined;
    const c = this.conn;
    this.scratch = openConnectionContainer(c.ctx, c.engine, c.instanceId, signal);
    this.scratchId = (await this.scratch).id;
    return this.scratch;
  }

  /** Session mode: the container of its own (see scratchFor) while its program runs. */
  get ownContainerId(): string | undefined {
    return this.runningProgram === undefined ? undefined : this.scratchId;
  }

  /**
   * From start on (while the program is still starting, too), window changes and signals wait for the program and
   * reach it in arrival order; before start they are refused (DOCKER_PROGRAM_NOT_RUNNING), as after its exit.
   */
  async resize(size: WindowSize): Promise<void> {
    if (this.requests === undefined) throw notRunning('resize window');
    await this.requests.resize({ rows: size.rows, cols: size.cols });
  }

  async signal(name: string): Promise<void> {
    if (this.requests === undefined) throw notRunning('send signal');
    await this.requests.signal(name);
  }

  /** The running program, if any (for graceful shutdown). */
  get runningProgram(): Active | undefined {
    return this.program?.running === true ? this.program : undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.conn.forget(this);
    await this.starting;
    await this.endProgram();
    const scratch = await this.scratch?.catch(() => undefined);
    if (scratch !== undefined) {
      scratch.shuttingDown = true;
      const ctx = this.conn.ctx;
      await removeWithEvents({ engine: this.conn.engine, logger: ctx.logger, onEvent: ctx.onEvent }, scratch.id, ctx.config.docker.timeouts.containerStop);
    }
  }

  private async endProgram(): Promise<void> {
    const program = this.program;
    if (program === undefined) return;
    if (program instanceof SessionProgram) {
      await program.remove();
      await settle(program.exited, CLOSE_GRACE_MS);
      program.abandon();
      return;
    }
    if (program.running) {
      program.kill();
      await settle(program.exited, CLOSE_GRACE_MS);
    }
    program.abandon();
  }
}

/** Waits for `p` or `ms`, whichever comes first. */
export async function settle(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise((r) => { timer = setTimeout(r, ms); })]);
  clearTimeout(timer);
}
