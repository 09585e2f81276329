// The SSH side of listeners in the container (ssh -R port or socket, ssh -A): policy, caps, channels back to the client.
import type { Duplex } from 'node:stream';
import type { ServerChannel } from 'ssh2';
import type { AcceptedConnection, RemoteListener } from '../core/contracts.js';
import { describeCause, isCsshError } from '../core/errors.js';
import type { SecurityConfig } from '../config/types.js';
import { allowsBind } from '../forwarding/policy.js';
import { forwardingRefusal } from '../security/index.js';
import { refuse } from '../security/refusal.js';
import { bridgeChannel } from './forwarded-channel.js';
import type { ForwardingDeps } from './forwarding.js';

/** What remote forwarding needs of the connection's forwarding (shared refusals and the maxChannels count). */
export interface ForwardingPlaces {
  readonly activeChannels: number;
  refuse(kind: 'reverseForwardingMode' | 'socketListenMode', detail: string): void;
  takeChannel(): () => void;
}

interface Listening {
  /** The bind address, or a Unix socket's path (streamlocal-forward; port 0). */
  bindAddr: string;
  socket: boolean;
  /** The port the client asked for (0: any) and the one bound. */
  asked: number;
  port: number;
  remote: RemoteListener;
  /** Stops counting it and forgets it (cancel, or the listener ended). */
  forget(): void;
}

/** The remote forwardings of one SSH connection. */
export class RemoteForwarding {
  private readonly listening = new Set<Listening>();
  /** Listeners starting or listening (what maxListeners bounds; a cancelled one no longer counts). */
  private places = 0;

  /** Agent sockets of the connection's sessions (ssh -A). */
  private readonly agents = new Set<RemoteListener>();

  constructor(private readonly deps: ForwardingDeps, private readonly channels: ForwardingPlaces) {
    deps.signal.addEventListener('abort', () => {
      for (const entry of this.listening) entry.remote.listener.destroy();
      this.listening.clear();
      for (const agent of this.agents) agent.listener.destroy();
      this.agents.clear();
    }, { once: true });
  }

  /** An agent socket (ssh -A): each connection to it becomes an auth-agent@openssh.com channel to the client. */
  serveAgent(remote: RemoteListener): void {
    const open = this.deps.agentOut?.bind(this.deps);
    if (!open || this.deps.signal.aborted) return remote.listener.destroy();
    this.agents.add(remote);
    remote.listener.on('close', () => this.agents.delete(remote));
    remote.listener.on('connection', (accepted) => void this.bridgeAccepted(remote, accepted, `Agent socket: ${remote.path ?? ''}.`, open));
  }

  /**
   * streamlocal-forward (ssh -R /path:...): resolves true once a socket listens at `path` inside the container, or
   * false when refused (logged). Never rejects.
   */
  async listenSocket(path: string): Promise<boolean> {
    const where = `Path: ${path}.`;
    const handler = await this.deps.ready()?.catch(() => undefined);
    const security = this.deps.security();
    if (!security || !handler || forwardingRefusal(security, 'socketListenMode')) {
      this.channels.refuse('socketListenMode', where);
      return false;
    }
    const listenSocket = handler.forwarding?.listenSocket?.bind(handler.forwarding);
    if (!listenSocket || !this.deps.forwardOutSocket) {
      this.deps.logger.info('SSH_UNSUPPORTED_REQUEST', `${where} refused: the backend cannot listen on Unix sockets`);
      return false;
    }
    if (!path.startsWith('/')) {
      this.deps.logger.info('DOCKER_FORWARDING_FAILED', `${where} refused: the socket path must be absolute`);
      return false;
    }
    return (await this.start(security, where, path, 0, true, (signal) => listenSocket(path, signal))) !== undefined;
  }

  /** tcpip-forward: resolves with the bound port, or undefined when refused (logged). Never rejects. */
  async listen(bindAddr: string, bindPort: number): Promise<number | undefined> {
    const where = `Address: ${bindAddr}:${bindPort}.`;
    const handler = await this.deps.ready()?.catch(() => undefined);
    const security = this.deps.security();
    if (!security || !handler || !Number.isInteger(bindPort) || bindPort < 0 || bindPort > 65535 || !allowsBind(security, bindAddr, bindPort)) {
      this.channels.refuse('reverseForwardingMode', where);
      return undefined;
    }
    const listen = handler.forwarding?.listen?.bind(handler.forwarding);
    if (!listen || !this.deps.forwardOut) {
      this.deps.logger.info('SSH_UNSUPPORTED_REQUEST', `${where} refused: the backend cannot listen`);
      return undefined;
    }
    return this.start(security, where, bindAddr, bindPort, false, (signal) => listen(bindAddr, bindPort, signal));
  }

  /** The maxListeners cap, then the listener; resolves with its port (0 for a socket), or undefined when refused. */
  private async start(
    security: SecurityConfig, where: string, bindAddr: string, bindPort: number, socket: boolean,
    listen: (signal: AbortSignal) => Promise<RemoteListener>,
  ): Promise<number | undefined> {
    const max = security.forwarding.maxListeners;
    if (max >= 0 && this.places >= max) {
      refuse({ logger: this.deps.logger, onEvent: this.deps.onEvent }, 'SECURITY_MAX_FORWARDING_LISTENERS', `${where} Limit: ${max}.`);
      return undefined;
    }
    this.places++;
    let remote: RemoteListener;
    try {
      remote = await listen(this.deps.signal);
    } catch (error) {
      this.places--;
      const code = isCsshError(error) ? error.code : 'DOCKER_FORWARDING_FAILED';
      this.deps.logger.warning(code, `${where} ${describeCause(error)}`);
      return undefined;
    }
    let counted = true;
    const entry: Listening = {
      bindAddr, socket, asked: bindPort, port: remote.port, remote,
      forget: () => {
        this.listening.delete(entry);
        if (counted) this.places--;
        counted = false;
      },
    };
    this.listening.add(entry);
    remote.listener.on('close', () => entry.forget());
    remote.listener.on('connection', (accepted) => void this.forwardIn(entry, accepted));
    this.deps.logger.info('FORWARDING_LISTENER_STARTED', `${socket ? bindAddr : `${bindAddr}:${remote.port}`} listening inside the container`);
    return remote.port;
  }

  /** cancel-tcpip-forward: stops accepting (open connections go on). False when no such forwarding exists. */
  cancel(bindAddr: string, bindPort: number, socket = false): boolean {
    const entries = [...this.listening].filter((e) => e.socket === socket);
    const entry = entries.find((e) => e.bindAddr === bindAddr && (e.port === bindPort || (bindPort === 0 && e.asked === 0)))
      ?? entries.find((e) => e.port === bindPort);
    if (!entry) return false;
    const what = socket ? entry.bindAddr : `${entry.bindAddr}:${entry.port}`;
    entry.remote.listener.on('stopped', () =>
      this.deps.logger.info('FORWARDING_LISTENER_STOPPED', `${what} no longer accepts connections (cancelled)`));
    entry.remote.listener.stop();
    entry.forget();
    return true;
  }

  private forwardIn(entry: Listening, accepted: AcceptedConnection): Promise<void> {
    if (entry.socket) {
      const out = this.deps.forwardOutSocket?.bind(this.deps);
      return this.bridgeAccepted(entry.remote, accepted, `Listener: ${entry.bindAddr}.`, () =>
        out ? out(entry.bindAddr) : Promise.reject(new Error('the connection cannot open forwarded channels')));
    }
    const out = this.deps.forwardOut?.bind(this.deps);
    return this.bridgeAccepted(entry.remote, accepted, `Listener: ${entry.bindAddr}:${entry.port}. Peer: ${accepted.address}:${accepted.port}.`, () =>
      out ? out(entry.bindAddr, entry.port, accepted.address, accepted.port) : Promise.reject(new Error('the connection cannot open forwarded channels')));
  }

  /** One accepted connection: the maxChannels cap, its claim relay, then the channel `open` opens to the client. */
  private async bridgeAccepted(remote: RemoteListener, accepted: AcceptedConnection, where: string, open: () => Promise<ServerChannel>): Promise<void> {
    const { logger, onEvent } = this.deps;
    const security = this.deps.security();
    const max = security?.forwarding.maxChannels ?? -1;
    if (max >= 0 && this.channels.activeChannels >= max) {
      remote.listener.drop(accepted.name);
      refuse({ logger, onEvent }, 'SECURITY_MAX_FORWARDED_CHANNELS', `${where} Limit: ${max}.`);
      return;
    }
    const release = this.channels.takeChannel();
    let stream: Duplex | undefined;
    let channel: ServerChannel;
    try {
      stream = await remote.claim(accepted.name, this.deps.signal);
      channel = await open();
    } catch (error) {
      if (stream) stream.destroy();
      else remote.listener.drop(accepted.name);
      release();
      const code = isCsshError(error) ? error.code : 'DOCKER_FORWARDING_FAILED';
      logger.warning(code, `${where} ${describeCause(error)}`);
      return;
    }
    logger.debug('FORWARDING_CHANNEL_OPEN', `${where} forwarded to the client`);
    bridgeChannel(channel, stream, () => {
      release();
      logger.debug('FORWARDING_CHANNEL_CLOSED', `${where} closed`);
    });
  }
}
