// The SSH server: ssh2 configured from the `ssh` section, unauthenticated connections bounded, one SshConnection
// per client, graceful and forced stop.
import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import ssh2, { type ClientInfo, type Connection } from 'ssh2';
import type { SshConfig } from '../config/types.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { CsshError } from '../core/errors.js';
import { toSsh2Algorithms, toSsh2Ident } from './algorithms.js';
import type { SshAuthenticator } from './auth-types.js';
import { SshConnection, type PrepareConnection } from './connection.js';
import type { HostKey } from './host-keys.js';
import { keepaliveOptions } from './keepalive.js';
import { gatePreAuth, preAuthLimits, type PreAuthGate } from './pre-auth.js';

export interface SshServerOptions {
  ssh: SshConfig;
  hostKeys: HostKey[];
  authenticator: SshAuthenticator;
  /** Builds the backend connection handler after authentication (config server, decorators, Backend.connect). */
  prepare: PrepareConnection;
  logger: Logger;
  onEvent?: EventSink;
}

/** A listening SSH server. Owns its connections; stopping it removes everything they created. */
export interface SshServer {
  /** Starts listening on `ssh.listen`; resolves with the bound address (port 0 gets a free port). */
  listen(): Promise<{ host: string; port: number }>;
  readonly connectionCount: number;
  /** TCP connections accepted and not yet authenticated (what ssh.maxStartups caps). */
  readonly unauthenticatedCount: number;
  /**
   * Stops accepting, asks every connection to end its programs, forces them when `deadline` aborts, and
   * resolves once every connection closed and its containers were removed (or `hardLimitMs` more passed).
   */
  shutdown(deadline: AbortSignal, hardLimitMs: number): Promise<void>;
}

/** Splits "host:port", "[v6]:port" or ":port" (all interfaces). */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new Error(`ssh.listen: expected host:port (e.g. 127.0.0.1:2222), got "${listen}"`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

class SshServerImpl implements SshServer {
  private readonly server: ssh2.Server;
  private readonly connections = new Set<SshConnection>();
  private channelIds = 0;
  private stopping = false;
  private listening = false;
  private readonly preAuth: PreAuthGate;

  constructor(private readonly options: SshServerOptions) {
    const { ssh } = options;
    this.server = new ssh2.Server(
      {
        hostKeys: options.hostKeys.map((key) => key.pem),
        ident: toSsh2Ident(ssh.serverVersion),
        banner: ssh.banner || undefined,
        algorithms: toSsh2Algorithms(ssh),
        ...keepaliveOptions(ssh),
      },
      (client, info) => this.onConnection(client, info),
    );
    // Errors while binding are listen()'s to report (SSH_LISTEN_FAILED); later ones are the listening socket's.
    this.server.on('error', (error: Error) => {
      if (this.listening) options.logger.error('SSH_SERVER_ERROR', `SSH listener error: ${error.message}`);
    });
    this.preAuth = gatePreAuth(this.server, preAuthLimits(ssh), { logger: options.logger, onEvent: options.onEvent });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  get unauthenticatedCount(): number {
    return this.preAuth.count;
  }

  private onConnection(client: Connection, info: ClientInfo): void {
    const socket = (client as unknown as { _sock?: unknown })._sock;
    if (this.stopping) {
      client.on('error', () => undefined);
      client.end();
      return;
    }
    const connection = new SshConnection(client, info, {
      authenticator: this.options.authenticator,
      prepare: this.options.prepare,
      logger: this.options.logger,
      onEvent: this.options.onEvent,
      nextChannelId: () => this.channelIds++,
      loginGraceTime: this.options.ssh.loginGraceTime,
      onAuthenticated: () => this.preAuth.authenticated(socket),
    });
    this.preAuth.onGraceExpired(socket, () => connection.expireLogin());
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
  }

  listen(): Promise<{ host: string; port: number }> {
    const { host, port } = parseListen(this.options.ssh.listen);
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(listenFailed(host, port, error));
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        this.listening = true;
        const address = this.server.address() as AddressInfo;
        this.options.logger.info('SSH_LISTEN', `listening on ${address.address}:${address.port}`);
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  async shutdown(deadline: AbortSignal, hardLimitMs: number): Promise<void> {
    this.stopping = true;
    setMaxListeners(0, deadline); // every connection (and its backend handler) watches this one deadline
    this.options.logger.info('SSH_SHUTDOWN', `shutting down ${this.connections.size} connection(s)`);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const all = [...this.connections].map((connection) => connection.shutdown(deadline).then(() => connection.closed));
    let timer: NodeJS.Timeout | undefined;
    let arm = (): void => undefined;
    const hardLimit = new Promise<void>((resolve) => {
      arm = (): void => {
        this.options.logger.notice('SSH_SHUTDOWN_FORCED', `forcing the remaining ${this.connections.size} connection(s)`);
        timer = setTimeout(resolve, hardLimitMs);
      };
      if (deadline.aborted) arm();
      else deadline.addEventListener('abort', arm, { once: true });
    });
    await Promise.race([Promise.all(all), hardLimit]);
    // Done (or given up): a deadline firing later must not arm a timer that keeps the process alive.
    deadline.removeEventListener('abort', arm);
    clearTimeout(timer);
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (grace = setTimeout(resolve, 100)))]);
    clearTimeout(grace);
  }
}

/** A bind failure as a CsshError that says what to change. */
function listenFailed(host: string, port: number, error: Error): CsshError {
  const code = (error as NodeJS.ErrnoException).code;
  const fix = code === 'EADDRINUSE' ? 'another process uses this port; stop it or choose another port in ssh.listen'
    : code === 'EACCES' ? 'ports below 1024 need privileges; choose a port above 1023 in ssh.listen or grant CAP_NET_BIND_SERVICE'
      : code === 'EADDRNOTAVAIL' ? 'this machine has no such address; check the host part of ssh.listen'
        : 'check ssh.listen';
  return new CsshError('SSH_LISTEN_FAILED', `ssh.listen: cannot listen on ${host}:${port}: ${error.message}; ${fix}`, { cause: undefined, permanent: true });
}

/** Builds the server (host keys and algorithms are checked here: a bad one throws a CsshError). */
export function createSshServer(options: SshServerOptions): SshServer {
  return new SshServerImpl(options);
}
