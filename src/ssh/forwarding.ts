// The SSH side of forwarding: policy and limits for every forwarding request, and direct-tcpip channels bridged to the backend.
import type { Duplex } from 'node:stream';
import type { ServerChannel } from 'ssh2';
import type { SecurityConfig } from '../config/types.js';
import type { ConnectionHandler } from '../core/contracts.js';
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
   * cancel-tcpip-forward stops one; streamlocal-forward is refused once the policy is known.
   */
  onGlobalRequest(accept: ((port?: number) => void) | undefined, reject: (() => void) | undefined, name: string, info: Record<string, unknown>): void {
    if (name === 'tcpip-forward') return void this.remote.listen(String(info.bindAddr), Number(info.bindPort)).then(
      (port) => (port === undefined ? reject?.() : accept?.(port)),
      () => reject?.(),
    );
    if (name === 'cancel-tcpip-forward') return this.remote.cancel(String(info.bindAddr), Number(info.bindPort)) ? accept?.() : reject?.();
    if (name !== 'streamlocal-forward@openssh.com') return reject?.();
    const where = `Path: ${String(info.socketPath)}.`;
    void (this.deps.ready() ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.refuse('socketListenMode', where))
      .finally(() => reject?.());
  }

  /**
   * direct-tcpip (ssh -L, -D, -W): the policy (forwardingMode, forwardingAllow), the cap (maxChannels), then a
   * connection inside the container; direct-streamlocal: refused.
   */
  async onOpen(open: ForwardOpen): Promise<ForwardDecision> {
    const handler = await this.deps.ready()?.catch(() => undefined);
    if (open.type !== 'direct-tcpip') {
      this.refuse('socketForwardingMode', `Path: ${String(open.data.socketPath)}.`);
      return { refusal: { reason: OpenFailure.PROHIBITED, description: 'StreamLocal forwarding is rejected' } };
    }
    const host = String(open.data.destIP);
    const port = Number(open.data.destPort);
    const where = `Target: ${host}:${port}.`;
    const security = this.deps.security();
    if (!security || !handler || !allowsDestination(security, host, port)) {
      this.refuse('forwardingMode', where);
      return { refusal: FORWARDING_REJECTED };
    }
    if (!handler.forwarding) {
      this.deps.logger.info('SSH_UNSUPPORTED_REQUEST', `${where} refused: the backend cannot forward`);
      return { refusal: FORWARDING_REJECTED };
    }
    const max = security.forwarding.maxChannels;
    if (max >= 0 && this.active >= max) {
      const { logger, onEvent } = this.deps;
      const error = refuse({ logger, onEvent }, 'SECURITY_MAX_FORWARDED_CHANNELS', `${where} Limit: ${max}.`);
      return { refusal: { reason: OpenFailure.RESOURCE_SHORTAGE, description: error.userMessage } };
    }
    return this.dial(handler.forwarding, host, port, where);
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

  private async dial(forwarding: NonNullable<ConnectionHandler['forwarding']>, host: string, port: number, where: string): Promise<ForwardDecision> {
    const release = this.takeChannel();
    let stream: Duplex;
    try {
      stream = await forwarding.dial({ host, port }, this.deps.signal);
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

  /** ssh2's 'tcpip' event, emitted synchronously inside an accepted open: takes the prepared stream. */
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
