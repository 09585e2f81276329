// Unauthenticated connections, held at the socket before ssh2 sees them: MaxStartups and per-source caps (refused
// as sshd refuses them) and LoginGraceTime counted from the TCP connect.
import type { Server as NetServer, Socket } from 'node:net';
import type ssh2 from 'ssh2';
import type { SshConfig } from '../config/types.js';
import { parseMaxStartups, parseNetBlockSize, type MaxStartups, type NetBlockSize } from '../config/startups-syntax.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { shouldDrop, sourceBlock } from './max-startups.js';

export interface PreAuthLimits {
  maxStartups: MaxStartups;
  /** Unauthenticated connections per source netblock; -1 = unlimited. */
  perSourceMaxStartups: number;
  netBlock: NetBlockSize;
  /** ms from the TCP connect to authentication; 0 = unlimited. */
  loginGraceTime: number;
}

export interface PreAuthDeps {
  logger: Logger;
  onEvent?: EventSink;
  /** [0, 1) for the random early drop; Math.random by default. */
  random?: () => number;
}

/** The unauthenticated connections of one server. */
export interface PreAuthGate {
  /** Unauthenticated connections held now (each admitted socket until it authenticates or closes). */
  readonly count: number;
  /** `socket`'s SSH connection authenticated: its slot is freed and its grace timer stopped. Idempotent. */
  authenticated(socket: unknown): void;
  /** Run `handler` (instead of a plain drop) when `socket`'s grace time ends after it became an SSH connection. */
  onGraceExpired(socket: unknown, handler: () => void): void;
}

/** The limits of the `ssh` section; throws when a value is not valid (config validation reports these first). */
export function preAuthLimits(ssh: SshConfig): PreAuthLimits {
  const maxStartups = parseMaxStartups(ssh.maxStartups);
  if (typeof maxStartups === 'string') throw new Error(`ssh.maxStartups: ${maxStartups}`);
  const netBlock = parseNetBlockSize(ssh.perSourceNetBlockSize);
  if (typeof netBlock === 'string') throw new Error(`ssh.perSourceNetBlockSize: ${netBlock}`);
  return { maxStartups, perSourceMaxStartups: ssh.perSourceMaxStartups, netBlock, loginGraceTime: ssh.loginGraceTime };
}

/** sshd writes this line before closing a connection over MaxStartups or PerSourceMaxStartups; clients show it. */
export const REFUSAL_LINE = 'Exceeded MaxStartups\r\n';

type RefusalCode = 'SSH_MAX_STARTUPS' | 'SSH_PER_SOURCE_MAX_STARTUPS';

interface Held {
  block: string;
  timer: NodeJS.Timeout | undefined;
  expire: (() => void) | undefined;
}

class Gate implements PreAuthGate {
  private readonly held = new Map<object, Held>();
  private readonly perBlock = new Map<string, number>();

  constructor(
    private readonly limits: PreAuthLimits,
    private readonly deps: PreAuthDeps,
  ) {}

  get count(): number {
    return this.held.size;
  }

  /** Admits `socket` (true) or refuses it with sshd's line and closes it (false). */
  admit(socket: Socket): boolean {
    const block = sourceBlock(socket.remoteAddress, this.limits.netBlock);
    const fromBlock = this.perBlock.get(block) ?? 0;
    const { perSourceMaxStartups } = this.limits;
    let refusal: RefusalCode | undefined;
    if (shouldDrop(this.held.size, this.limits.maxStartups, this.deps.random)) refusal = 'SSH_MAX_STARTUPS';
    else if (perSourceMaxStartups >= 0 && fromBlock >= perSourceMaxStartups) refusal = 'SSH_PER_SOURCE_MAX_STARTUPS';
    if (refusal !== undefined) {
      this.refuse(socket, refusal, fromBlock);
      return false;
    }
    const grace = this.limits.loginGraceTime;
    const timer = grace > 0 ? setTimeout(() => this.expire(socket), grace).unref() : undefined;
    this.held.set(socket, { block, timer, expire: undefined });
    this.perBlock.set(block, fromBlock + 1);
    this.deps.onEvent?.({ type: 'ssh-unauthenticated', open: true });
    socket.once('close', () => this.release(socket));
    return true;
  }

  authenticated(socket: unknown): void {
    if (typeof socket === 'object' && socket !== null) this.release(socket);
  }

  onGraceExpired(socket: unknown, handler: () => void): void {
    const held = typeof socket === 'object' && socket !== null ? this.held.get(socket) : undefined;
    if (held) held.expire = handler;
  }

  private refuse(socket: Socket, code: RefusalCode, fromBlock: number): void {
    const source = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? ''}`;
    const why = code === 'SSH_MAX_STARTUPS'
      ? `${this.held.size} unauthenticated connections held (ssh.maxStartups ${describe(this.limits.maxStartups)})`
      : `${fromBlock} unauthenticated connections from its netblock (ssh.perSourceMaxStartups ${this.limits.perSourceMaxStartups})`;
    this.deps.logger.info(code, `connection from ${source} refused: ${why}`, { remoteAddress: source });
    this.deps.onEvent?.({ type: 'ssh-unauthenticated-refused', code });
    socket.on('error', () => undefined);
    socket.write(REFUSAL_LINE);
    socket.destroySoon();
  }

  /** The grace time ended before authentication: the SSH connection decides, else the silent socket is dropped. */
  private expire(socket: Socket): void {
    const held = this.held.get(socket);
    if (!held) return;
    this.release(socket);
    this.deps.onEvent?.({ type: 'ssh-unauthenticated-refused', code: 'SSH_LOGIN_GRACE_EXPIRED' });
    if (held.expire) return held.expire();
    const source = `${socket.remoteAddress ?? 'a client'}:${socket.remotePort ?? ''}`;
    this.deps.logger.info(
      'SSH_LOGIN_GRACE_EXPIRED',
      `${source} sent no SSH version within ssh.loginGraceTime (${this.limits.loginGraceTime} ms); connection dropped`,
      { remoteAddress: source },
    );
    socket.destroy();
  }

  private release(socket: object): void {
    const held = this.held.get(socket);
    if (!held) return;
    this.held.delete(socket);
    clearTimeout(held.timer);
    const left = (this.perBlock.get(held.block) ?? 1) - 1;
    if (left > 0) this.perBlock.set(held.block, left);
    else this.perBlock.delete(held.block);
    this.deps.onEvent?.({ type: 'ssh-unauthenticated', open: false });
  }
}

function describe(spec: MaxStartups): string {
  return `${spec.start}:${spec.rate}:${spec.full}`;
}

/**
 * Puts the gate in front of ssh2: every TCP connection the server accepts is admitted or refused before ssh2 sends
 * its version line. Uses ssh2's internal net.Server (`_srv`); throws when that is missing, since the limits could
 * not be enforced otherwise.
 */
export function gatePreAuth(server: ssh2.Server, limits: PreAuthLimits, deps: PreAuthDeps): PreAuthGate {
  const listener = (server as unknown as { _srv?: NetServer })._srv;
  if (listener === undefined || typeof listener.listeners !== 'function') {
    throw new Error('this ssh2 version has no internal socket server (_srv): ssh.maxStartups and ssh.loginGraceTime cannot be enforced');
  }
  const accept = listener.listeners('connection') as ((socket: Socket) => void)[];
  listener.removeAllListeners('connection');
  const gate = new Gate(limits, deps);
  listener.on('connection', (socket: Socket) => {
    if (gate.admit(socket)) for (const handler of accept) handler.call(listener, socket);
  });
  return gate;
}
