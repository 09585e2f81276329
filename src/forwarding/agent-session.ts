// Agent forwarding (ssh -A) for one session: an agent socket in the program's container, named by SSH_AUTH_SOCK.
import type { Program, PtyRequest, RemoteListener, SessionHandler, SessionIO, StartRequest, WindowSize } from '../core/contracts.js';
import { describeCause } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ContainerHook } from '../backend/docker/lifecycle/session-handler.js';

/** A session whose container can be prepared before its program starts (the Docker backend's DockerSession). */
export interface PreparableSession extends SessionHandler {
  prepareContainer(hook: ContainerHook): void;
}

export function isPreparable(session: SessionHandler): session is PreparableSession {
  return typeof (session as Partial<PreparableSession>).prepareContainer === 'function';
}

/** Makes the agent socket in a container (ContainerForwarding.listenAgent). */
export type AgentListen = (containerId: string, signal: AbortSignal) => Promise<RemoteListener>;

/**
 * The session with forwardAgent: at start, once the program's container exists, the socket is made there and
 * SSH_AUTH_SOCK added to the program's environment. When the socket cannot be made the program still starts,
 * without SSH_AUTH_SOCK (logged), as OpenSSH's sshd goes on without an agent. close() ends the listener (which
 * removes the socket and its directory) before the session's own close.
 */
export class AgentSession implements SessionHandler {
  private listener: RemoteListener | undefined;
  private closed = false;

  constructor(
    private readonly inner: PreparableSession,
    private readonly listen: AgentListen,
    private readonly logger: Logger,
  ) {}

  forwardAgent(listening: (listener: RemoteListener) => void): void {
    this.inner.prepareContainer(async (containerId, signal) => {
      let remote: RemoteListener;
      try {
        remote = await this.listen(containerId, signal);
      } catch (error) {
        this.logger.warning('DOCKER_FORWARDING_FAILED', `agent forwarding: ${describeCause(error)}; the program starts without SSH_AUTH_SOCK`);
        return [];
      }
      if (this.closed) {
        remote.listener.destroy();
        return [];
      }
      this.listener = remote;
      this.logger.info('FORWARDING_AGENT_STARTED', `agent socket ${remote.path ?? ''} in container ${containerId.slice(0, 12)}`);
      listening(remote);
      return [`SSH_AUTH_SOCK=${remote.path ?? ''}`];
    });
  }

  setEnv(name: string, value: string): void {
    this.inner.setEnv(name, value);
  }

  requestPty(pty: PtyRequest): void {
    this.inner.requestPty(pty);
  }

  precheck(req: StartRequest): void {
    this.inner.precheck?.(req);
  }

  start(req: StartRequest, io: SessionIO, signal: AbortSignal): Promise<Program> {
    return this.inner.start(req, io, signal);
  }

  resize(size: WindowSize): Promise<void> {
    return this.inner.resize(size);
  }

  signal(name: string): Promise<void> {
    return this.inner.signal(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listener?.listener.destroy();
    await this.inner.close();
  }
}
