// SessionHandler decorator enforcing env, tty, exec, shell, subsystem and signal policy, and forceCommand.
import type { SecurityConfig } from '../config/types.js';
import type { Program, PtyRequest, SessionHandler, SessionIO, StartRequest, WindowSize } from '../core/contracts.js';
import { CsshError } from '../core/errors.js';
import { SecurityCodes, SecurityUserMessages } from './codes.js';
import { allowsEnv, allowsExec, allowsShell, allowsSignal, allowsSubsystem, allowsTty, normalizeSignal } from './policy.js';
import { refuse, type RefusalReporter } from './refusal.js';

/**
 * Wraps `inner` so that every request passes `security` first. Refusals throw (setEnv, requestPty) or reject
 * (start, signal) with a CsshError carrying a SECURITY_* code and ContainerSSH's user message; nothing reaches
 * `inner` then. resize and close are never filtered.
 */
export class PolicySessionHandler implements SessionHandler {
  constructor(
    private readonly inner: SessionHandler,
    private readonly security: SecurityConfig,
    private readonly reporter: RefusalReporter,
  ) {}

  setEnv(name: string, value: string): void {
    if (!allowsEnv(this.security, name)) {
      throw refuse(this.reporter, 'SECURITY_ENV_REJECTED', `Variable: ${name}.`, { name });
    }
    this.inner.setEnv(name, value);
  }

  requestPty(pty: PtyRequest): void {
    if (!allowsTty(this.security)) throw refuse(this.reporter, 'SECURITY_TTY_REJECTED', `Terminal: ${pty.term}.`);
    this.inner.requestPty(pty);
  }

  /** Throws the refusal start(req) would reject with (logged and counted once); forceCommand's target is not checked. */
  /** Agent forwarding is decided in the SSH layer; it only passes through. */
  get forwardAgent(): SessionHandler['forwardAgent'] {
    return this.inner.forwardAgent?.bind(this.inner);
  }

  precheck(req: StartRequest): void {
    this.check(req);
    const forced = this.security.forceCommand;
    this.inner.precheck?.(forced === '' ? req : { kind: 'exec', command: forced });
  }

  async start(req: StartRequest, io: SessionIO, signal: AbortSignal): Promise<Program> {
    this.check(req);
    this.setOriginalCommand(req);
    const forced = this.security.forceCommand;
    if (forced === '') return this.inner.start(req, io, signal);
    return this.inner.start(this.force(req, forced), io, signal);
  }

  resize(size: WindowSize): Promise<void> {
    return this.inner.resize(size);
  }

  async signal(name: string): Promise<void> {
    if (!allowsSignal(this.security, name)) {
      throw refuse(this.reporter, 'SECURITY_SIGNAL_REJECTED', `Signal: ${normalizeSignal(name)}.`, { signal: name });
    }
    return this.inner.signal(name);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private check(req: StartRequest): void {
    if (req.kind === 'exec' && !allowsExec(this.security, req.command)) {
      throw refuse(this.reporter, 'SECURITY_EXEC_REJECTED', `Command: ${req.command}`, { command: req.command });
    }
    if (req.kind === 'shell' && !allowsShell(this.security)) {
      throw refuse(this.reporter, 'SECURITY_SHELL_REJECTED', 'Request: shell.');
    }
    if (req.kind === 'subsystem' && !allowsSubsystem(this.security, req.name)) {
      throw refuse(this.reporter, 'SECURITY_SUBSYSTEM_REJECTED', `Subsystem: ${req.name}.`, { subsystem: req.name });
    }
  }

  /**
   * SSH_ORIGINAL_COMMAND is cssh's, for every program (a client can never set it: see RequestLimitSessionHandler):
   * exec: the command; subsystem: its name; shell: empty. Under forceCommand it is how the forced program learns
   * what was asked, so a failure to set it refuses the start.
   */
  private setOriginalCommand(req: StartRequest): void {
    const original = req.kind === 'exec' ? req.command : req.kind === 'subsystem' ? req.name : '';
    try {
      this.inner.setEnv('SSH_ORIGINAL_COMMAND', original);
    } catch (error) {
      this.reporter.logger.warning('SECURITY_EXEC_FAILED_SETENV', SecurityCodes.SECURITY_EXEC_FAILED_SETENV);
      throw new CsshError('SECURITY_EXEC_FAILED_SETENV', SecurityCodes.SECURITY_EXEC_FAILED_SETENV, {
        userMessage: SecurityUserMessages.SECURITY_EXEC_FAILED_SETENV,
        cause: error,
      });
    }
  }

  /** The forced exec that replaces `req`. */
  private force(req: StartRequest, forced: string): StartRequest {
    const original = req.kind === 'exec' ? req.command : req.kind === 'subsystem' ? req.name : undefined;
    this.reporter.logger.debug('SECURITY_EXEC_FORCING_COMMAND', SecurityCodes.SECURITY_EXEC_FORCING_COMMAND, {
      request: req.kind,
      original,
      command: forced,
    });
    return { kind: 'exec', command: forced };
  }
}
