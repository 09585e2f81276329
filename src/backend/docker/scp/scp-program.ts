// Legacy scp without an scp binary in the image: cssh serves `scp -t`/`scp -f` itself through Docker's archive API.
import { posix } from 'node:path';
import type { Program, ProgramExit, SessionIO } from '../../../core/contracts.js';
import { CsshError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { DockerCode } from '../codes.js';
import type { ConnectionContainer } from '../lifecycle/connection-container.js';
import type { RunContext } from '../engine/docker-engine.js';
import { ByteReader } from './byte-reader.js';
import { dockerFiles, refusingMounts } from './container-files.js';
import { parseScpCommand, type ScpCommand } from './scp-command.js';
import { runSink } from './scp-sink.js';
import { runSource } from './scp-source.js';

/** Kernel filesystems mounted in every container, which the archive API cannot reach either. */
const KERNEL_FILESYSTEMS = ['/proc', '/sys', '/dev'];

/** Signal numbers for the exit status of an scp transfer ended by a signal (128 + n). */
const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, PIPE: 13, TERM: 15 };

/** Whether a container's user is root, so the archive API (which runs as root) grants nothing the user lacks. */
export function runsAsRoot(user: string): boolean {
  const name = user.split(':')[0] ?? '';
  return name === '' || name === 'root' || name === '0';
}

/** PATH directories of the container (the usual ones when it sets none). */
function pathDirs(env: string[]): string[] {
  const path = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return path.split(':').filter((dir) => dir.startsWith('/'));
}

const probes = new WeakMap<ConnectionContainer, Promise<RunContext | undefined>>();

/**
 * The run context when cssh should serve legacy scp itself in this container: the image has no scp binary on its
 * PATH and programs run as root. Probed once per container; any probe failure means "run the command as usual".
 */
function builtinScpContext(container: ConnectionContainer, signal: AbortSignal): Promise<RunContext | undefined> {
  let probe = probes.get(container);
  if (probe === undefined) {
    probe = (async () => {
      const ctx = await container.engine.inspectContainer(container.id, signal);
      if (!runsAsRoot(ctx.user)) return undefined;
      const found = await Promise.all(pathDirs(ctx.env).map((dir) => container.engine.pathExists(container.id, posix.join(dir, 'scp'), signal)));
      return found.includes(true) ? undefined : ctx;
    })().catch(() => undefined);
    probes.set(container, probe);
  }
  return probe;
}

/** A legacy scp transfer served by cssh: a Program like an exec, without a process in the container. */
export class ScpProgram implements Program {
  readonly exited: Promise<ProgramExit>;
  private finished = false;
  private readonly stop = new AbortController();
  private stopCode = 0;

  private constructor(container: ConnectionContainer, cmd: ScpCommand, ctx: RunContext, io: SessionIO, logger: Logger) {
    const files = refusingMounts(dockerFiles(container.engine, container.id, this.stop.signal), [...ctx.tmpfs, ...KERNEL_FILESYSTEMS]);
    const input = new ByteReader(io.stdin);
    const run = cmd.direction === 'sink'
      ? runSink(cmd, input, io.stdout, files, ctx.workingDir)
      : runSource(cmd, input, io.stdout, files, ctx.workingDir);
    const stopped = new Promise<number>((resolve) => this.stop.signal.addEventListener('abort', () => resolve(this.stopCode), { once: true }));
    // However the transfer ended, no Docker request of it may outlive it.
    void run.catch(() => undefined).finally(() => this.stop.abort());
    this.exited = Promise.race([run.catch(() => 1), stopped]).then((code) => {
      this.finished = true;
      logger.debug(DockerCode.SCP_BUILTIN, `Built-in scp ${cmd.direction} ended with status ${code}.`, { exitStatus: code });
      return { code };
    });
  }

  /**
   * Starts a built-in scp transfer when `command` is a legacy scp server invocation and the container has no scp of
   * its own (and runs as root); undefined when the command should run as usual.
   */
  static async startIfNeeded(container: ConnectionContainer, command: string, io: SessionIO, logger: Logger, signal: AbortSignal): Promise<ScpProgram | undefined> {
    const cmd = parseScpCommand(command);
    if (cmd === undefined) return undefined;
    const ctx = await builtinScpContext(container, signal);
    if (ctx === undefined) return undefined;
    logger.debug(DockerCode.SCP_BUILTIN, `The image has no scp: serving scp ${cmd.direction === 'sink' ? '-t' : '-f'} through the Docker archive API.`);
    return new ScpProgram(container, cmd, ctx, io, logger);
  }

  get running(): boolean {
    return !this.finished;
  }

  resize(): Promise<void> {
    return Promise.reject(new CsshError(DockerCode.EXEC_RESIZE_FAILED, 'A file transfer has no terminal to resize.', { userMessage: 'Cannot resize window.', permanent: true }));
  }

  /** Any signal ends the transfer, with the status a killed process would have. */
  async signal(name: string): Promise<void> {
    this.end(128 + (SIGNALS[name] ?? 15));
  }

  kill(): void {
    this.end(137);
  }

  abandon(): void {
    this.end(137);
  }

  private end(code: number): void {
    if (this.finished || this.stop.signal.aborted) return;
    this.stopCode = code;
    this.stop.abort();
  }
}
