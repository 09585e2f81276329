// One session channel: maps env/pty/shell/exec/subsystem/window-change/signal onto a SessionHandler and reports exit.
import type { ServerChannel, Session } from 'ssh2';
import type { Program, SessionHandler, StartRequest, WindowSize } from '../core/contracts.js';
import { describeCause, isCsshError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { ChannelWritable } from './channel-writable.js';
import { ChannelStdin } from './channel-stdin.js';
import { EOW_EVENT, EOW_REQUEST } from './eow.js';
import { ReplyOrder } from './reply-order.js';

type Reply = (() => void) | undefined;

/** Hang guard for delivering PIPE after eow@openssh.com. */
const PIPE_DEADLINE_MS = 10_000;

/** What a served session needs. The session owns `handler` and closes it when the channel closes. */
export interface SessionChannelDeps {
  handler: SessionHandler;
  logger: Logger;
  /** Aborted when the connection goes away; stops a start in progress. */
  connectionSignal: AbortSignal;
  /** Closes the channel at the SSH level when no program was accepted on it (see closeIdleSession). */
  closeIdle?(): void;
  /** Logs (and counts) the refusal of an x11-req; the request is then answered with failure. */
  refuseX11?(): void;
  /** Decides an auth-agent-req (ssh -A) for `handler`: true when accepted (see SshForwarding.agent). */
  forwardAgent?(handler: SessionHandler): boolean;
  /**
   * Whether a subsystem of this name is configured. An unknown one is refused at the SSH level before anything is
   * accepted, as OpenSSH's sshd and ContainerSSH refuse it: the client prints "subsystem request failed" (exit 255).
   */
  knownSubsystem?(name: string): boolean;
}

/** A running session channel, as the connection sees it. */
export interface ServedSession {
  /** Resolves once the channel closed and the handler was closed. Never rejects. */
  readonly closed: Promise<void>;
  /** The connection is gone: end the program and close the handler (ssh2 sends no close for idle sessions then). */
  close(): void;
}

/** Text for the client's stderr when a program cannot start. */
function startFailureText(error: unknown): string {
  return isCsshError(error) ? error.userMessage : 'Failed to initialize SSH session.';
}

class SessionChannel {
  private started = false;
  private program: Program | undefined;
  /** SSH replies carry no request id: they go out in request order, even when a later request settles first. */
  private readonly replies = new ReplyOrder();
  private stdin: ChannelStdin | undefined;
  private readonly stdout = new ChannelWritable();
  private readonly stderr = new ChannelWritable();
  private readonly abort = new AbortController();
  private resolveClosed!: () => void;
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));
  private closing = false;
  /** The client's stdout is gone (eow@openssh.com): the program's stdout is discarded. */
  private outputClosed = false;

  constructor(
    private readonly session: Session,
    private readonly deps: SessionChannelDeps,
  ) {
    deps.connectionSignal.addEventListener('abort', this.onConnectionAbort, { once: true });
    session.on('error', (error: Error) => deps.logger.debug('SSH_CLIENT_ERROR', `session error: ${error.message}`));
    session.on('close', () => this.onClose());
    session.on('env', (accept: Reply, reject: Reply, info: { key: string; val: string }) =>
      this.sync(accept, reject, () => deps.handler.setEnv(info.key, info.val), 'env'),
    );
    session.on('pty', (accept: Reply, reject: Reply, info: { term: string; cols: number; rows: number }) =>
      this.sync(accept, reject, () => deps.handler.requestPty({ term: info.term, cols: info.cols, rows: info.rows }), 'pty-req'),
    );
    session.on('window-change', (accept: Reply, reject: Reply, info: { cols: number; rows: number }) =>
      this.onWindowChange(accept, reject, { cols: info.cols, rows: info.rows }),
    );
    session.on('signal', (accept: Reply, reject: Reply, info: { name: string }) => this.onSignal(accept, reject, info.name));
    session.on('x11', (accept: Reply, reject: Reply) => (deps.refuseX11?.(), this.replies.slot(accept, reject)(false)));
    session.on('auth-agent', (accept: Reply, reject: Reply) =>
      this.replies.slot(accept, reject)(!this.started && !this.closing && (deps.forwardAgent?.(deps.handler) ?? false)),
    );
    session.on(EOW_EVENT, () => this.onEndOfWrite());
    session.on('shell', (accept: () => ServerChannel, reject: Reply) => this.onStart(accept, reject, { kind: 'shell' }));
    session.on('exec', (accept: () => ServerChannel, reject: Reply, info: { command: string }) =>
      this.onStart(accept, reject, { kind: 'exec', command: info.command }),
    );
    session.on('subsystem', (accept: () => ServerChannel, reject: Reply, info: { name: string }) =>
      this.onStart(accept, reject, { kind: 'subsystem', name: info.name }),
    );
  }

  private readonly onConnectionAbort = (): void => this.abort.abort();

  private sync(accept: Reply, reject: Reply, action: () => void, what: string): void {
    const reply = this.replies.slot(accept, reject);
    try {
      action();
      reply(true);
    } catch (error) {
      this.refused(what, error);
      reply(false);
    }
  }

  /** Replies once `action` settled: success when it resolves, failure (logged) when it rejects. */
  private whenSettled(accept: Reply, reject: Reply, action: () => Promise<void>, what: string): void {
    const reply = this.replies.slot(accept, reject);
    action().then(
      () => reply(true),
      (error: unknown) => (this.refused(what, error), reply(false)),
    );
  }

  private refused(what: string, error: unknown): void {
    const code = isCsshError(error) ? error.code : 'SSH_REQUEST_FAILED';
    this.deps.logger.debug('SSH_REQUEST_FAILED', `${what} refused: ${describeCause(error)}`, { reason: code });
  }

  /**
   * Window changes and signals are refused before a program was accepted; from then on they go to the handler at
   * once, even while the program is still starting: the handler delivers them in order once it runs.
   */
  private onWindowChange(accept: Reply, reject: Reply, size: WindowSize): void {
    if (!this.started) {
      this.deps.logger.debug('SSH_REQUEST_FAILED', 'window-change refused: no program was started on this channel');
      return this.replies.slot(accept, reject)(false);
    }
    this.whenSettled(accept, reject, () => this.deps.handler.resize(size), 'window-change');
  }

  private onSignal(accept: Reply, reject: Reply, name: string): void {
    if (!this.started) {
      this.deps.logger.debug('SSH_REQUEST_FAILED', `signal ${name} refused: no program was started on this channel`);
      return this.replies.slot(accept, reject)(false);
    }
    this.whenSettled(accept, reject, () => this.deps.handler.signal(name.replace(/^SIG/, '')), 'signal');
  }

  /**
   * The client can take no more output (its stdout closed). As OpenSSH's sshd closes the pipe it reads the
   * program's stdout from, drop that output from now on and send the program PIPE, so a producer like `yes` ends as
   * on a closed pipe. stderr, exit-status and close are unchanged.
   */
  private onEndOfWrite(): void {
    if (this.outputClosed || this.closing) return;
    this.outputClosed = true;
    this.stdout.detach();
    if (this.program) this.sendPipe(this.program); // else run() sends it once the program runs
  }

  private sendPipe(program: Program): void {
    if (!program.signal) return this.deps.logger.debug('SSH_REQUEST_FAILED', `${EOW_REQUEST}: this backend cannot signal the program`);
    program.signal('PIPE', AbortSignal.timeout(PIPE_DEADLINE_MS)).catch((error: unknown) => this.refused(`${EOW_REQUEST} (PIPE)`, error));
  }

  private onStart(accept: () => ServerChannel, reject: Reply, req: StartRequest): void {
    if (this.started || this.closing) return this.replies.slot(accept, reject)(false);
    if (req.kind === 'subsystem' && this.deps.knownSubsystem?.(req.name) === false) {
      this.deps.logger.info('SSH_REQUEST_FAILED', `subsystem refused: the subsystem "${req.name}" is not configured`, {
        reason: 'DOCKER_SUBSYSTEM_NOT_SUPPORTED',
      });
      return this.replies.slot(accept, reject)(false);
    }
    // Before a start every request was answered at once, so no earlier reply is pending: accepting now keeps the order.
    // Policy is decided synchronously, before accepting: a refusal is a plain request failure, as OpenSSH reports
    // it ("exec request failed on channel 0"), and the channel stays open for the client to close.
    try {
      this.deps.handler.precheck?.(req);
    } catch (error) {
      this.deps.logger.info('SSH_REQUEST_FAILED', `${req.kind} refused: ${describeCause(error)}`, {
        reason: isCsshError(error) ? error.code : undefined,
      });
      return this.replies.slot(accept, reject)(false);
    }
    this.started = true;
    // Accept at once: ssh2 drops channel data that arrives before the channel object exists.
    const channel = accept();
    channel.on('error', (error: Error) => this.deps.logger.debug('SSH_CLIENT_ERROR', `channel error: ${error.message}`));
    channel.on('close', () => this.onClose());
    this.stdout.attach(channel);
    this.stderr.attach(channel.stderr);
    this.run(channel, req).catch((error: unknown) =>
      this.deps.logger.error('SSH_PROGRAM_START_FAILED', `session ended unexpectedly: ${describeCause(error)}`),
    );
  }

  private async run(channel: ServerChannel, req: StartRequest): Promise<void> {
    const stdin = new ChannelStdin(channel);
    this.stdin = stdin;
    let code: number;
    try {
      this.program = await this.deps.handler.start(req, { stdin, stdout: this.stdout, stderr: this.stderr }, this.abort.signal);
      if (this.outputClosed) this.sendPipe(this.program);
      code = (await this.program.exited).code;
    } catch (error) {
      const level = this.closing ? 'debug' : 'warning'; // the client left while the program was starting
      this.deps.logger.log(level, 'SSH_PROGRAM_START_FAILED', `cannot start ${req.kind}: ${describeCause(error)}`, {
        reason: isCsshError(error) ? error.code : undefined,
      });
      if (!this.stderr.writableEnded) this.stderr.write(startFailureText(error) + '\r\n');
      code = 1;
    }
    await this.finish(channel, code);
  }

  /** All output sent, then exit-status exactly once, then EOF and close. */
  private async finish(channel: ServerChannel, code: number): Promise<void> {
    await Promise.all([endWritable(this.stdout), endWritable(this.stderr)]);
    if (!this.closing) {
      this.deps.logger.debug('SSH_EXIT', `program exited with status ${code}`, { exitStatus: code });
      channel.exit(code);
      channel.end();
    }
    await this.deps.handler.close();
  }

  close(): void {
    this.onClose();
  }

  private onClose(): void {
    if (this.closing) return;
    this.closing = true;
    this.deps.connectionSignal.removeEventListener('abort', this.onConnectionAbort);
    this.abort.abort();
    this.stdout.detach();
    this.stderr.detach();
    this.stdin?.close();
    this.program?.kill();
    if (!this.started) this.deps.closeIdle?.();
    this.deps.handler.close().then(
      () => this.resolveClosed(),
      () => this.resolveClosed(),
    );
  }
}

function endWritable(stream: ChannelWritable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableFinished) return resolve();
    stream.once('finish', () => resolve());
    stream.once('error', () => resolve());
    if (!stream.writableEnded) stream.end();
  });
}

/** Serves one accepted session channel until it closes. */
export function serveSession(session: Session, deps: SessionChannelDeps): ServedSession {
  return new SessionChannel(session, deps);
}
