// The SSH side of remote forwarding (ssh -R): tcpip-forward policy and cap, listeners, forwarded-tcpip channels back.
import type { Duplex } from 'node:stream';
import type { ServerChannel } from 'ssh2';
import type { AcceptedConnection, RemoteListener } from '../core/contracts.js';
import { describeCause, isCsshError } from '../core/errors.js';
import { allowsBind } from '../forwarding/policy.js';
import { refuse } from '../security/refusal.js';
import { bridgeChannel } from './forwarded-channel.js';
import type { ForwardingDeps } from './forwarding.js';

/** What remote forwarding needs of the connection's forwarding (shared refusals and the maxChannels count). */
export interface ForwardingPlaces {
  readonly activeChannels: number;
  refuse(kind: 'reverseForwardingMode', detail: string): void;
  takeChannel(): () => void;
}

interface Listening {
  bindAddr: string;
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

  constructor(private readonly deps: ForwardingDeps, private readonly channels: ForwardingPlaces) {
    deps.signal.addEventListener('abort', () => {
      for (const entry of this.listening) entry.remote.listener.destroy();
      this.listening.clear();
    }, { once: true });
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
    const max = security.forwarding.maxListeners;
    if (max >= 0 && this.places >= max) {
      refuse({ logger: this.deps.logger, onEvent: this.deps.onEvent }, 'SECURITY_MAX_FORWARDING_LISTENERS', `${where} Limit: ${max}.`);
      return undefined;
    }
    this.places++;
    let remote: RemoteListener;
    try {
      remote = await listen(bindAddr, bindPort, this.deps.signal);
    } catch (error) {
      this.places--;
      const code = isCsshError(error) ? error.code : 'DOCKER_FORWARDING_FAILED';
      this.deps.logger.warning(code, `${where} ${describeCause(error)}`);
      return undefined;
    }
    let counted = true;
    const entry: Listening = {
      bindAddr, asked: bindPort, port: remote.port, remote,
      forget: () => {
        this.listening.delete(entry);
        if (counted) this.places--;
        counted = false;
      },
    };
    this.listening.add(entry);
    remote.listener.on('close', () => entry.forget());
    remote.listener.on('connection', (accepted) => void this.forwardIn(entry, accepted));
    this.deps.logger.info('FORWARDING_LISTENER_STARTED', `${bindAddr}:${remote.port} listening inside the container`);
    return remote.port;
  }

  /** cancel-tcpip-forward: stops accepting (open connections go on). False when no such forwarding exists. */
  cancel(bindAddr: string, bindPort: number): boolean {
    const entries = [...this.listening];
    const entry = entries.find((e) => e.bindAddr === bindAddr && (e.port === bindPort || (bindPort === 0 && e.asked === 0)))
      ?? entries.find((e) => e.port === bindPort);
    if (!entry) return false;
    entry.remote.listener.on('stopped', () =>
      this.deps.logger.info('FORWARDING_LISTENER_STOPPED', `${entry.bindAddr}:${entry.port} no longer accepts connections (cancelled)`));
    entry.remote.listener.stop();
    entry.forget();
    return true;
  }

  /** One accepted connection: the maxChannels cap, its claim relay, then a forwarded-tcpip channel to the client. */
  private async forwardIn(entry: Listening, accepted: AcceptedConnection): Promise<void> {
    const { logger, onEvent } = this.deps;
    const where = `Listener: ${entry.bindAddr}:${entry.port}. Peer: ${accepted.address}:${accepted.port}.`;
    const security = this.deps.security();
    const max = security?.forwarding.maxChannels ?? -1;
    if (max >= 0 && this.channels.activeChannels >= max) {
      entry.remote.listener.drop(accepted.name);
      refuse({ logger, onEvent }, 'SECURITY_MAX_FORWARDED_CHANNELS', `${where} Limit: ${max}.`);
      return;
    }
    const release = this.channels.takeChannel();
    let stream: Duplex | undefined;
    let channel: ServerChannel;
    try {
      stream = await entry.remote.claim(accepted.name, this.deps.signal);
      if (!this.deps.forwardOut) throw new Error('the connection cannot open forwarded channels');
      channel = await this.deps.forwardOut(entry.bindAddr, entry.port, accepted.address, accepted.port);
    } catch (error) {
      if (stream) stream.destroy();
      else entry.remote.listener.drop(accepted.name);
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
