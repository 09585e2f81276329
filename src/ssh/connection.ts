// One SSH connection: authentication, then the backend's connection handler, then its session channels.
import { randomBytes } from 'node:crypto';
import type { ClientInfo, Connection, ServerChannel, Session } from 'ssh2';
import type { AppConfig, SecurityConfig } from '../config/types.js';
import type { ConnectionHandler, ConnectionInfo, SessionHandler } from '../core/contracts.js';
import { describeCause, isCsshError, type CsshError } from '../core/errors.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { createAuthFlow } from './auth-flow.js';
import type { SshAuthenticator } from './auth-types.js';
import { gateSessionOpens, OpenFailure, type GateDecision, type OpenRefusal, type SessionGate } from './channel-open.js';
import { DisconnectReason, disconnectWithText } from './disconnect.js';
import { EOW_REQUEST, watchEndOfWrite } from './eow.js';
import { SshForwarding } from './forwarding.js';
import { openAgentChannel } from './agent-channel.js';
import { gateNoMoreSessions } from './no-more-sessions.js';
import { closeIdleSession } from './session-close.js';
import { serveSession, type ServedSession } from './session-channel.js';

/**
 * Turns an authenticated connection into a backend connection handler: config-server merge, then Backend.connect.
 * Runs only after authentication and authorization succeeded; must honour `signal` (the client left). Calls
 * `onConfig` with the connection's effective config (after the config server) before Backend.connect.
 */
export type PrepareConnection = (
  info: ConnectionInfo,
  logger: Logger,
  signal: AbortSignal,
  onConfig?: (config: AppConfig) => void,
) => Promise<ConnectionHandler>;

export interface ConnectionDeps {
  authenticator: SshAuthenticator;
  prepare: PrepareConnection;
  logger: Logger;
  onEvent?: EventSink;
  /** Channel ids count up across the process. */
  nextChannelId(): number;
  /** ssh.loginGraceTime in ms (for messages; the server's pre-auth gate times it from the TCP connect). */
  loginGraceTime: number;
  /** Called once authentication (and authorization) succeeded: the connection no longer counts as a startup. */
  onAuthenticated?: () => void;
}

/** Maps a backend/policy refusal of a session channel to the SSH reason the client sees. */
export function sessionRefusal(error: unknown): OpenRefusal {
  if (!isCsshError(error)) return { reason: OpenFailure.CONNECT_FAILED, description: 'Failed to initialize SSH session.' };
  if (error.code === 'SECURITY_MAX_SESSIONS') return { reason: OpenFailure.RESOURCE_SHORTAGE, description: error.userMessage };
  if (error.code.startsWith('SECURITY_')) return { reason: OpenFailure.PROHIBITED, description: error.userMessage };
  return { reason: OpenFailure.CONNECT_FAILED, description: error.userMessage };
}

/** ssh2's fixed limit on an incoming packet (its protocol/crypto.js); an exec request must fit in one packet. */
const MAX_PACKET_BYTES = 35_000;
const PACKET_TOO_LARGE_TEXT = `Packet too large (limit ${MAX_PACKET_BYTES} bytes): command lines must stay under about 34 KB; pass long scripts on stdin.`;

/**
 * What the client is told when the connection cannot be prepared: the error's user message (the backend's
 * "Failed to initialize SSH session.", the config server's "Cannot authenticate at this time."), else
 * ContainerSSH's text for a backend that rejected the connection after authentication.
 */
export function backendRefusalText(error: unknown): string {
  const text = isCsshError(error) ? error.userMessage : '';
  return text === '' || text === 'Internal Error' ? 'Authentication currently unavailable, please try again later.' : text;
}

export class SshConnection {
  readonly id = randomBytes(16).toString('hex');
  readonly logger: Logger;
  readonly closed: Promise<void>;
  private readonly abort = new AbortController();
  private handlerPromise: Promise<ConnectionHandler> | undefined;
  private policyRefusal: CsshError | undefined;
  private nextSession: { handler: SessionHandler; channelId: number } | undefined;
  private readonly sessions = new Set<ServedSession>();
  private resolveClosed!: () => void;
  private loginExpired = false;
  /** The connection's effective security config, known once the config server (if any) answered. */
  private security: SecurityConfig | undefined;
  /** The connection's effective docker.execution.subsystems (name to binary), known with the security config. */
  private subsystems: Record<string, string> | undefined;
  private readonly forwarding: SshForwarding;

  constructor(
    private readonly client: Connection,
    clientInfo: ClientInfo,
    private readonly deps: ConnectionDeps,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    const remoteAddress = clientInfo.family === 'IPv6' ? `[${clientInfo.ip}]:${clientInfo.port}` : `${clientInfo.ip}:${clientInfo.port}`;
    this.logger = deps.logger.child({ connectionId: this.id });
    this.forwarding = new SshForwarding({
      logger: this.logger,
      onEvent: deps.onEvent,
      security: () => this.security,
      ready: () => this.handlerPromise,
      signal: this.abort.signal,
      forwardOut: (boundAddr, boundPort, remoteAddr, remotePort) => new Promise((resolve, reject) => {
        client.forwardOut(boundAddr, boundPort, remoteAddr, remotePort, (error, channel) => (error ? reject(error) : resolve(channel)));
      }),
      forwardOutSocket: (socketPath) => new Promise((resolve, reject) => {
        client.openssh_forwardOutStreamLocal(socketPath, (error, channel) => (error ? reject(error) : resolve(channel)));
      }),
      agentOut: () => openAgentChannel(client),
    });
    this.logger.info('SSH_CONNECTED', `connection from ${remoteAddress}`, { remoteAddress });
    deps.onEvent?.({ type: 'ssh-connection-open' });
    // Small packets (keystrokes, replies, exit-status) must not wait for Nagle's algorithm; ssh2 has the method,
    // its type definitions only declare it for the client side.
    (client as unknown as { setNoDelay(noDelay: boolean): void }).setNoDelay(true);
    client.on('error', (error: Error & { level?: string }) => this.onClientError(error));
    client.on('close', () => this.onClose());
    if (!watchEndOfWrite(client)) this.logger.debug('SSH_UNSUPPORTED_REQUEST', `${EOW_REQUEST} cannot be observed with this ssh2 version; ignored`);
    // ssh2's typings split this event by request name; one listener handles them all.
    (client as unknown as NodeJS.EventEmitter).on('request', (accept: ((port?: number) => void) | undefined, reject: (() => void) | undefined, name: string, info: Record<string, unknown>) =>
      this.forwarding.onGlobalRequest(accept, reject, name, info),
    );
    client.on(
      'authentication',
      createAuthFlow({
        authenticator: deps.authenticator,
        base: { connectionId: this.id, remoteAddress, clientVersion: clientInfo.header.identRaw },
        logger: this.logger,
        signal: this.abort.signal,
        onAuthenticated: (info) => this.onAuthenticated(info),
        onTooManyAttempts: () => this.end(false),
        expired: () => this.loginExpired,
      }),
    );
    let gate: SessionGate = () => this.gateSession();
    const gated = gateSessionOpens(client, () => gate(), {
      afterOpen: () => this.releaseUnclaimedSession(),
      onError: (error) => this.logger.debug('SSH_CHANNEL_REJECTED', `session open failed: ${describeCause(error)}`),
      forwardOpen: (open) => this.forwarding.onOpen(open),
    });
    if (gated) gate = gateNoMoreSessions(client, gate);
    client.on('tcpip', (accept, reject) => this.forwarding.onTcpip(accept, reject));
    client.on('openssh.streamlocal', (accept, reject) => this.forwarding.onTcpip(accept, reject));
    client.on('session', (accept: () => Session, reject: () => void) => {
      if (gated) this.onSession(accept);
      else this.onUngatedSession(accept, reject);
    });
  }

  /**
   * ssh.loginGraceTime ran out (the server times it from the TCP connect): refuse every later attempt and drop the
   * socket (no graceful end to linger on). Ignored once authenticated.
   */
  expireLogin(): void {
    if (this.handlerPromise) return;
    this.loginExpired = true;
    this.logger.info('SSH_LOGIN_GRACE_EXPIRED', `not authenticated within ssh.loginGraceTime (${this.deps.loginGraceTime} ms); connection dropped`);
    this.end(true);
  }

  private onClientError(error: Error & { level?: string }): void {
    if (error.level === 'client-timeout') this.logger.debug('SSH_KEEPALIVE_NORESP', 'client did not answer keepalives');
    else if (/^Bad packet length/.test(error.message)) this.onPacketTooLarge(error);
    else this.logger.debug('SSH_CLIENT_ERROR', `client connection error: ${error.message}`);
  }

  /** ssh2 refuses packets over MAX_PACKET_SIZE (35000 bytes) and drops the connection: say so to both sides. */
  private onPacketTooLarge(error: Error): void {
    this.logger.warning(
      'SSH_CLIENT_ERROR',
      `client sent an SSH packet larger than the ${MAX_PACKET_BYTES}-byte limit (${error.message}); usually an exec ` +
        'command line (or env value) over about 34 KB: pass long scripts on stdin instead; connection dropped',
      { reason: 'PACKET_TOO_LARGE' },
    );
    disconnectWithText(this.client, DisconnectReason.PROTOCOL_ERROR, PACKET_TOO_LARGE_TEXT);
  }

  private onAuthenticated(info: ConnectionInfo): void {
    this.deps.onAuthenticated?.();
    this.handlerPromise = this.deps.prepare(info, this.logger, this.abort.signal, (config) => {
      this.security = config.security;
      this.subsystems = config.docker.execution.subsystems;
    });
    this.handlerPromise.then(
      () => this.deps.onEvent?.({ type: 'ssh-handshake', ok: true }),
      (error: unknown) => this.onPrepareFailed(error),
    );
  }

  private onPrepareFailed(error: unknown): void {
    this.deps.onEvent?.({ type: 'ssh-handshake', ok: false });
    if (this.abort.signal.aborted) return;
    if (isCsshError(error) && error.code.startsWith('SECURITY_')) {
      this.policyRefusal = error;
      this.logger.notice('SSH_POLICY_REFUSAL', `connection refused by policy: ${error.message}`, { reason: error.code });
      setTimeout(() => this.end(false), 10_000).unref(); // in case the client never opens a session
      return;
    }
    const fromConfigServer = isCsshError(error) && (error.code.startsWith('CONFIG') || error.code === 'BACKEND_CONFIG_ERROR');
    const code = fromConfigServer ? 'SSH_CONFIG_SERVER_REJECTED' : 'SSH_BACKEND_REJECTED_HANDSHAKE';
    this.logger.error(code, `cannot prepare the connection: ${describeCause(error)}`, {
      reason: isCsshError(error) ? error.code : undefined,
    });
    // The client prints this text ("Received disconnect from ...: 11: Failed to initialize SSH session.").
    disconnectWithText(this.client, DisconnectReason.BY_APPLICATION, backendRefusalText(error));
  }

  /**
   * Decides a session open: the backend must be ready and the (decorated) handler must accept a session. The
   * prepared handler is handed over only in `beforeOpen`, right before ssh2 emits that channel's 'session' event.
   */
  private async gateSession(): Promise<GateDecision> {
    const refuse = (reason: number, description: string): GateDecision => ({ refusal: { reason, description } });
    if (!this.handlerPromise || this.abort.signal.aborted) return refuse(OpenFailure.CONNECT_FAILED, 'Not ready.');
    let handler: ConnectionHandler;
    try {
      handler = await this.handlerPromise;
    } catch {
      if (this.policyRefusal) return { beforeOpen: () => undefined }; // accepted so the client can be told why
      return refuse(OpenFailure.CONNECT_FAILED, 'Failed to initialize SSH session.');
    }
    const channelId = this.deps.nextChannelId();
    try {
      const prepared = { handler: await handler.openSession({ channelId }), channelId };
      return { beforeOpen: () => void (this.nextSession = prepared) };
    } catch (error) {
      this.logger.info('SSH_CHANNEL_REJECTED', `session refused: ${describeCause(error)}`, { channelId });
      return { refusal: sessionRefusal(error) };
    }
  }

  private onSession(accept: () => Session): void {
    const session = accept();
    if (this.policyRefusal) return this.tellRefusal(session, this.policyRefusal);
    const next = this.nextSession;
    this.nextSession = undefined;
    if (!next) return closeIdleSession(this.client, session);
    const served = serveSession(session, {
      handler: next.handler,
      logger: this.logger.child({ channelId: next.channelId }),
      connectionSignal: this.abort.signal,
      closeIdle: () => closeIdleSession(this.client, session),
      refuseX11: () => this.forwarding.refuse('x11ForwardingMode', 'Request: x11-req.'),
      forwardAgent: (handler) => this.forwarding.agent(handler),
      // forceCommand runs instead of any subsystem, so then every name is served (ContainerSSH's security layer).
      knownSubsystem: (name) => this.subsystems === undefined || Object.hasOwn(this.subsystems, name) || (this.security?.forceCommand ?? '') !== '',
    });
    this.sessions.add(served);
    this.deps.onEvent?.({ type: 'session-open' });
    void served.closed.then(() => {
      this.sessions.delete(served);
      this.deps.onEvent?.({ type: 'session-close' });
    });
  }

  private onUngatedSession(accept: () => Session, reject: () => void): void {
    this.gateSession().then(
      (decision) => {
        if ('refusal' in decision) return reject();
        decision.beforeOpen();
        this.onSession(accept);
        this.releaseUnclaimedSession();
      },
      () => reject(),
    );
  }

  private releaseUnclaimedSession(): void {
    const next = this.nextSession;
    this.nextSession = undefined;
    if (next) void next.handler.close();
  }

  /** A policy refused the connection: show its message on the first program request's stderr, exit 1, disconnect. */
  private tellRefusal(session: Session, error: CsshError): void {
    const ok = (accept: (() => void) | undefined): void => accept?.();
    session.on('error', () => undefined);
    session.on('pty', ok);
    session.on('env', ok);
    const start = (accept: () => ServerChannel): void => {
      const channel = accept();
      channel.on('error', () => undefined);
      channel.stderr.write(`${error.userMessage}\r\n`);
      channel.exit(1);
      channel.end();
      setTimeout(() => this.end(false), 200).unref();
    };
    session.on('shell', start);
    session.on('exec', start);
    session.on('subsystem', start);
  }

  /** Ends the SSH connection; `force` destroys the socket at once. */
  end(force: boolean): void {
    try {
      if (force) (this.client as unknown as { _sock?: { destroy(): void } })._sock?.destroy();
      this.client.end();
    } catch {
      // already closed
    }
  }

  /** Graceful: programs get TERM, then KILL at `deadline`; then the connection ends. Resolves when closed. */
  async shutdown(deadline: AbortSignal): Promise<void> {
    // At the deadline drop the client: that also aborts a Backend.connect still in progress.
    if (deadline.aborted) this.end(true);
    else deadline.addEventListener('abort', () => this.end(true), { once: true });
    const handler = await this.handlerPromise?.catch(() => undefined);
    if (handler) await handler.shutdown(deadline).catch(() => undefined);
    this.end(false);
    await Promise.race([this.closed, abortPromise(deadline)]);
    this.end(true);
  }

  private onClose(): void {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    if (!this.handlerPromise) this.deps.onEvent?.({ type: 'ssh-handshake', ok: false }); // left before authenticating
    this.releaseUnclaimedSession();
    const done = (): void => {
      this.logger.info('SSH_DISCONNECTED', 'connection closed');
      this.deps.onEvent?.({ type: 'ssh-connection-close' });
      this.resolveClosed();
    };
    const sessions = [...this.sessions];
    for (const session of sessions) session.close();
    const handlerPromise = this.handlerPromise ?? Promise.resolve(undefined);
    Promise.all(sessions.map((session) => session.closed))
      .then(() => handlerPromise)
      .then((handler) => handler?.close(), () => undefined)
      .then(done, done);
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
