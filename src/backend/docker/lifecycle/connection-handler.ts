// One connection: owns the connection-mode container and the sessions opened on it; graceful shutdown and close.
import type { ConnectionContext, ConnectionHandler, SessionHandler, SessionInfo } from '../../../core/contracts.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import type { ConnectionContainer } from './connection-container.js';
import { removeWithEvents } from './container-ops.js';
import { DockerSession, settle } from './session-handler.js';

export class DockerConnection implements ConnectionHandler {
  private readonly sessions = new Set<DockerSession>();
  private closing: Promise<void> | undefined;

  constructor(
    readonly ctx: ConnectionContext,
    readonly engine: DockerEngine,
    readonly consoleSize: boolean,
    readonly instanceId: string,
    /** Connection mode only. */
    readonly container: ConnectionContainer | undefined,
  ) {}

  async openSession(info: SessionInfo): Promise<SessionHandler> {
    const session = new DockerSession(this, info);
    this.sessions.add(session);
    return session;
  }

  /** Called by a session when it closes. */
  forget(session: DockerSession): void {
    this.sessions.delete(session);
  }

  async shutdown(deadlineSignal: AbortSignal): Promise<void> {
    const running = [...this.sessions].flatMap((s) => (s.runningProgram === undefined ? [] : [s]));
    await Promise.all(running.map((s) => s.signal('TERM').catch(() => undefined)));
    const exits = Promise.all(running.flatMap((s) => { const p = s.runningProgram; return p === undefined ? [] : [p.exited]; }));
    const aborted = new Promise<void>((resolve) => {
      if (deadlineSignal.aborted) resolve();
      deadlineSignal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([exits, aborted]);
    await this.close();
  }

  /** The container forwarding reaches: the connection's, else the newest session container whose program runs. */
  forwardingTarget(): string | undefined {
    if (this.container !== undefined) return this.container.shuttingDown ? undefined : this.container.id;
    let id: string | undefined;
    for (const session of this.sessions) {
      const program = session.runningProgram;
      if (program !== undefined && 'containerId' in program) id = program.containerId;
      else if (session.ownContainerId !== undefined) id = session.ownContainerId;
    }
    return id;
  }

  /** True once close() began: new programs are refused. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const container = this.container;
    if (container !== undefined) container.shuttingDown = true;
    try {
      if (container !== undefined) {
        // Removing the container ends every exec at once; sessions then only collect their exit codes.
        const sessions = [...this.sessions];
        await removeWithEvents(
          { engine: this.engine, logger: this.ctx.logger, onEvent: this.ctx.onEvent },
          container.id, this.ctx.config.docker.timeouts.containerStop,
        );
        await settle(Promise.all(sessions.map((s) => s.close())), 5_000);
      } else {
        await Promise.all([...this.sessions].map((s) => s.close()));
      }
    } catch (error) {
      this.ctx.logger.error('DOCKER_CONTAINER_REMOVE_FAILED', 'Closing the connection failed.', { error: String(error) });
    } finally {
      container?.onRemoved?.();
    }
  }
}
