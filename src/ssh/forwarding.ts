// The SSH side of forwarding: policy and limits for every forwarding request, and direct-tcpip channels bridged to the backend.
import type { Duplex } from 'node:stream';
import type { ServerChannel } from 'ssh2';
import type { SecurityConfig } from '../config/types.js';
import type { ConnectionHandler, SessionHandler } from '../core/contracts.js';
import { describeCause, isCsshError } from '../core/errors.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { allowsDestination } from '../forwarding/policy.js';
import { forwardingRefusal, type ForwardingKind } from '../security/index.js';
import { refuse } from '../security/refusal.js';
import { OpenFailure, type ForwardDecision, type ForwardOpen } from './channel-open.js';
import { bridgeChannel } from './forwarded-channel.js';
import { RemoteForwarding } from './remote-forwarding.js';

export interface ForwardingDeps {
  logger: Logger;
  onEvent?: EventSink;
  /** The connection's effective security config; undefined until the config server (if any) answered. */
  security(): SecurityConfig | undefined;
  /** The backend's handler: settles once the connection is prepared (or failed); undefined before authentication. */
  ready(): Promise<ConnectionHandler> | undefined;
  /** Aborts when the client connection closed. */
  signal: AbortSignal;
  /** Opens a forwarded-tcpip channel to the client (ssh -R); absent where the connection cannot. */
  forwardOut?(boundAddr: string, boundPort: number, remoteAddr: string, remotePort: number): Promise<ServerChannel>;
  /** Opens a forwarded-streamlocal@openssh.com channel to the client (ssh -R /path:...). */
  forwardOutSocket?(socketPath: string): Promise<ServerChannel>;
  /** Opens an auth-agent@openssh.com channel to the client (ssh -A). */
  agentOut?(): Promise<ServerChannel>;
}

const FORWARDING_REJECTED = { reason: OpenFailure.PROHIBITED, description: 'Forwarding is rejected' };
const SETUP_FAILED = { reason: OpenFailure.CONNECT_FAILED, description: 'Error setting up the forwarding' };

/** The forwarding of one SSH connection. */
export class SshForwarding {
  /** The stream of the open being accepted right now (claimed synchronously by onTcpip). */
  private pending: { stream: Duplex; release: () => void; where: string } | undefined;
  /** Forwarded channels from the policy check on: dialling, or open. */
  private active = 0;

  private readonly remote: RemoteForwarding;

  constructor(private readonly deps: ForwardingDeps) {
    this.remote = new RemoteForwarding(deps, this);
  }

  /** Forwarded channels dialling or open. */
  get activeChannels(): number {
    return this.active;
  }

  /**
   * Logs and counts the policy's refusal code (SECURITY_*FORWARDING*), or says that an enabled forwarding is not
   * available. Synchronous, so channel-request replies keep their order.
   */
  refuse(kind: ForwardingKind, detail: string): void {
    const { logger, onEvent } = this.deps;
    const security = this.deps.security();
    if (!security) return logger.debug('SSH_UNSUPPORTED_REQUEST', `${detail} refused: the connection is not ready`);
    const code = forwardingRefusal(security, kind);
    if (code) refuse({ logger, onEvent }, code, detail);
    else logger.info('SSH_UNSUPPORTED_REQUEST', `${detail} refused: cssh does not implement this forwarding yet`);
  }

  /**
   * Global requests: tcpip-forward (ssh -R) starts a listener inside the container when the policy allows it,
   * cancel-tcpip-forward stops one; streamlocal-forward and its cancel do the same for Unix sockets.
   */
  onGlobalRequest(accept: ((port?: number) => void) | undefined, reject: (() => void) | undefined, name: string, info: Record<string, unknown>): void {
    if (name === 'tcpip-forward') return void this.remote.listen(String(info.bindAddr), Number(info.bindPort)).then(
      (port) => (port === undefined ? reject?.() : accept?.(port)),
      () => reject?.(),
    );
    if (name === 'cancel-tcpip-forward') return this.remote.cancel(String(info.bindAddr), Number(info.bindPort)) ? accept?.() : reject?.();
    if (name === 'streamlocal-forward@openssh.com') return void this.remote.listenSocket(String(info.socketPath)).then(
      (ok) => (ok ? accept?.() : reject?.()),
      () => reject?.(),
    );
    if (name === 'cancel-streamlocal-forward@openssh.com') return this.remote.cancel(String(info.socketPath), 0, true) ? accept?.() : reject?.();
    reject?.();
  }

  /**
   * auth-agent-req@openssh.com on a session channel (ssh -A): true when the policy (agentForwardingMode) allows it
   * and the session will have an agent socket; false (logged) otherwise. Synchronous, so replies keep their order.
   */
  agent(handler: SessionHandler): boolean {
    const security = this.deps.security();
    if (!security || forwardingRefusal(security, 'agentForwardingMode')) {
      this.refuse('agentForwardingMode', 'Request: auth-agent-req.');
      return false;
    }
    if (!handler.forwardAgent || !this.deps.agentOut) {
      this.deps.logger.info('SSH_UNSUPPORTED_REQUEST', 'Request: auth-agent-req. refused: the backend cannot forward the agent');
      return false;
    }
    try {
      handler.forwardAgent((remote) => this.remote.serveAgent(remote));
    } catch (error) {
      this.deps.logger.debug('SSH_REQUEST_FAILED', `auth-agent-req refused: ${describeCause(error)}`);
      return false;
    }
    return true;
  }

  /**
   * direct-tcpip (ssh -L, -D, -W): the policy (forwardingMode, forwardingAllow), the cap (maxChannels), then a
   * connection inside the container; direct-streamlocal (ssh -L ...:/path): socketForwardingMode, the cap, then a
   * connection to that Unix socket inside the container.
   */
  async onOpen(open: ForwardOpen): Promise<ForwardDecision> {
    const handler = await this.deps.ready()?.catch(() => undefined);
    const security = this.deps.security();
    if (open.type !== 'direct-tcpip') {
      const path = String(open.data.socketPath);
      const where = `Path: ${path}.`;
      if (!security || !handler || forwardingRefusal(security, 'socketForwardingMode')) {
        this.refuse('socketForwardingMode', where);
        return { refusal: { reason: OpenFailure.PROHIBITED, description: 'StreamLocal forwarding is rejected' } };
      }
      const dialSocket = handler.forwarding?.dialSocket?.bind(handler.forwarding);
      if (!dialSocket || !path.startsWith('/')) {
        this.deps.logger.info('SSH_UNSUPPORTED_REQUEST', `${where} refused: ${dialSocket ? 'the socket path must be absolute' : 'the backend cannot forward Unix sockets'}`);
        return { refusal: dialSocket ? SETUP_FAILED : { reason: OpenFailure.PROHIBITED, description: 'StreamLocal forwarding is rejected' } };
      }
      return this.capped(security, where, (signal) => dialSocket(path, signal));
    }
    const host = String(open.data.destIP);
    const port = Number(open.data.destPort);
    const where = `Target: ${host}:${port}.`;
    if (!security || !handler || !allowsDestination(security, host, port)) {
      this.refuse('forwardingMode', where);
      return { refusal: FORWARDING_REJECTED };
    }
    const forwarding = handler.forwarding;
    if (!forwarding) {
      this.deps.logger.info('SSH_UNSUPPORTED_REQUEST', `${where} refused: the backend cannot forward`);
      return { refusal: FORWARDING_REJECTED };
    }
    return this.capped(security, where, (signal) => forwarding.dial({ host, port }, signal));
  }

  /** The maxChannels cap, then the connection. */
  private capped(security: SecurityConfig, where: string, connect: (signal: AbortSignal) => Promise<Duplex>): Promise<ForwardDecision> | ForwardDecision {
    const max = security.forwarding.maxChannels;
    if (max >= 0 && this.active >= max) {
      const { logger, onEvent } = this.deps;
      const error = refuse({ logger, onEvent }, 'SECURITY_MAX_FORWARDED_CHANNELS', `${where} Limit: ${max}.`);
      return { refusal: { reason: OpenFailure.RESOURCE_SHORTAGE, description: error.userMessage } };
    }
    return this.dial(connect, where);
  }

  /** Takes one forwarded-channel place (maxChannels counts ssh -L and ssh -R connections together). */
  takeChannel(): () => void {
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
    };
  }

  private async dial(connect: (signal: AbortSignal) => Promise<Duplex>, where: string): Promise<ForwardDecision> {
    const release = this.takeChannel();
    let stream: Duplex;
    try {
      stream = await connect(this.deps.signal);
    } catch (error) {
      release();
      const code = isCsshError(error) ? error.code : 'DOCKER_FORWARDING_FAILED';
      this.deps.logger.warning(code, `${where} ${describeCause(error)}`);
      return { refusal: SETUP_FAILED };
    }
    return {
      beforeOpen: () => void (this.pending = { stream, release, where }),
      afterOpen: () => {
        const left = this.pending;
        this.pending = undefined;
        if (!left) return;
        left.stream.destroy();
        left.release();
      },
    };
  }

  /** ssh2's 'tcpip' and 'openssh.streamlocal' events, emitted synchronously inside an accepted open: takes the prepared stream. */
  onTcpip(accept: () => ServerChannel, reject: () => void): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return reject();
    const channel = accept();
    this.deps.logger.debug('FORWARDING_CHANNEL_OPEN', `${pending.where} connected`);
    bridgeChannel(channel, pending.stream, () => {
      pending.release();
      this.deps.logger.debug('FORWARDING_CHANNEL_CLOSED', `${pending.where} closed`);
    });
  }
}
