// Forwarding for one connection: relays in helper containers joined to the target container's namespaces.
import { posix } from 'node:path';
import type { Duplex } from 'node:stream';
import type { ConnectionForwarding, DialTarget, RemoteListener } from '../core/contracts.js';
import { CsshError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { releasableDeadline } from '../core/retry.js';
import { FORWARDING_CODES } from './codes.js';
import { ForwardingHelper } from './helper-container.js';
import type { HelperEngine } from './helper-engine.js';
import { RelayConnection } from './relay-connection.js';
import { ListenerConnection } from './listener-connection.js';
import { listenerCommand, unixListenerCommand } from './listener-script.js';
import { claimCommand, relayCommand, unixRelayCommand } from './relay-script.js';

export interface ContainerForwardingOptions {
  engine: HelperEngine;
  /** The container forwarding reaches now (connection mode: the connection's; session mode: the newest session's). */
  target(): string | undefined;
  image: string;
  /** The relay's interpreter in the helper image. */
  node: string;
  /** Deadline of one set-up (image, helper, relay, connect): docker.timeouts.commandStart, ms. */
  setupMs: number;
  logger: Logger;
}

export function forwardingFailed(reason: string, cause?: unknown): CsshError {
  return new CsshError('DOCKER_FORWARDING_FAILED', `${FORWARDING_CODES.DOCKER_FORWARDING_FAILED} ${reason}`, {
    userMessage: 'Error setting up the forwarding', cause, permanent: true,
  });
}

/**
 * A socket path as the relays take it: absolute and normalized, so no ".." can climb out of /proc/1/root (a relative
 * path is taken from the container's root, as OpenSSH's sshd takes it from the user's home: there is none here).
 */
export function inContainer(path: string): string {
  return posix.normalize(`/${path}`);
}

export class ContainerForwarding implements ConnectionForwarding {
  private readonly helpers = new Map<string, ForwardingHelper>();
  private readonly open = new Set<RelayConnection>();
  private readonly listeners = new Set<ListenerConnection>();
  private image: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly o: ContainerForwardingOptions) {}

  /** Forwarded connections currently open. */
  get openCount(): number {
    return this.open.size;
  }

  dial(target: DialTarget, signal: AbortSignal): Promise<Duplex> {
    const targetId = this.o.target();
    return this.relay(targetId, relayCommand(this.o.node, target.host, target.port), `${target.host}:${target.port}`, signal);
  }

  /**
   * Remote forwarding: starts a listener relay on bindAddr:bindPort inside the container (the one forwarding reaches
   * now), resolved once it listens. Reject as dial() does. Its connections are claimed with claim(), on the same
   * helper.
   */
  listen(bindAddr: string, bindPort: number, signal: AbortSignal): Promise<RemoteListener> {
    return this.startListener(this.o.target(), () => listenerCommand(this.o.node, bindAddr, bindPort), false, `${bindAddr}:${bindPort}`, signal);
  }

  /** streamlocal-forward: a listener on the Unix socket `path` in the container forwarding reaches now. */
  listenSocket(path: string, signal: AbortSignal): Promise<RemoteListener> {
    const clean = inContainer(path);
    return this.startListener(this.o.target(), () => unixListenerCommand(this.o.node, clean), true, clean, signal);
  }

  /** Agent forwarding: a listener on a fresh agent socket (its path in `path`) in the container `targetId`. */
  listenAgent(targetId: string, signal: AbortSignal): Promise<RemoteListener> {
    return this.startListener(targetId, () => unixListenerCommand(this.o.node, undefined), true, 'the agent socket', signal);
  }

  /** direct-streamlocal: connects to the Unix socket `path` in the container, as the container's user. */
  dialSocket(path: string, signal: AbortSignal): Promise<Duplex> {
    const clean = inContainer(path);
    return this.relay(this.o.target(), unixRelayCommand(this.o.node, clean), clean, signal, true);
  }

  private async startListener(
    targetId: string | undefined, cmd: () => string[], asTarget: boolean, what: string, signal: AbortSignal,
  ): Promise<RemoteListener> {
    if (this.closed) throw forwardingFailed('The connection is closing.');
    if (targetId === undefined) throw forwardingFailed('No running container to forward into (session mode: start a program first).');
    const { signal: limit, release } = releasableDeadline(this.o.setupMs, signal);
    let listener: ListenerConnection;
    try {
      await this.ensureImage(limit);
      if (this.closed) throw new Error('the connection is closing');
      const helper = this.helperFor(targetId);
      const user = asTarget ? await helper.targetUser(limit) : undefined;
      listener = new ListenerConnection(await helper.exec(cmd(), limit, user));
    } catch (error) {
      release();
      throw forwardingFailed(`Helper for ${targetId.slice(0, 12)}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    this.listeners.add(listener);
    listener.once('close', () => this.listeners.delete(listener));
    if (this.closed) listener.destroy();
    const onAbort = (): void => listener.destroy();
    limit.addEventListener('abort', onAbort, { once: true });
    try {
      const bound = await listener.bound;
      const port = asTarget ? 0 : Number(bound);
      return {
        port,
        ...(asTarget ? { path: bound } : {}),
        listener,
        claim: (name, claimSignal) => this.relay(targetId, claimCommand(this.o.node, name), asTarget ? bound : `${what.replace(/:\d+$/, '')}:${port}`, claimSignal),
      };
    } catch (error) {
      listener.destroy();
      throw forwardingFailed(`listen on ${what}: ${error instanceof Error ? error.message : String(error)}`, error);
    } finally {
      limit.removeEventListener('abort', onAbort);
      release();
    }
  }

  /** Starts `cmd` (a relay) in the helper of `targetId` and resolves once it is connected. */
  private async relay(targetId: string | undefined, cmd: string[], what: string, signal: AbortSignal, asTarget = false): Promise<Duplex> {
    if (this.closed) throw forwardingFailed('The connection is closing.');
    if (targetId === undefined) throw forwardingFailed('No running container to forward into (session mode: start a program first).');
    const { signal: limit, release } = releasableDeadline(this.o.setupMs, signal);
    let relay: RelayConnection;
    try {
      await this.ensureImage(limit);
      if (this.closed) throw new Error('the connection is closing');
      const helper = this.helperFor(targetId);
      const exec = await helper.exec(cmd, limit, asTarget ? await helper.targetUser(limit) : undefined);
      relay = new RelayConnection(exec);
    } catch (error) {
      release();
      throw forwardingFailed(`Helper for ${targetId.slice(0, 12)}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    if (this.closed) {
      relay.destroy();
      release();
      throw forwardingFailed('The connection is closing.');
    }
    this.track(relay);
    const onAbort = (): void => void relay.destroy();
    limit.addEventListener('abort', onAbort, { once: true });
    try {
      await relay.connected;
    } catch (error) {
      relay.destroy();
      throw forwardingFailed(`${what}: ${error instanceof Error ? error.message : String(error)}`, error);
    } finally {
      limit.removeEventListener('abort', onAbort);
      release();
    }
    return relay;
  }

  private ensureImage(signal: AbortSignal): Promise<void> {
    if (this.image === undefined) {
      const pending = this.o.engine.ensureImage(this.o.image, signal);
      this.image = pending;
      pending.catch(() => {
        if (this.image === pending) this.image = undefined;
      });
    }
    return this.image;
  }

  private helperFor(targetId: string): ForwardingHelper {
    let helper = this.helpers.get(targetId);
    if (helper === undefined) {
      helper = new ForwardingHelper(this.o.engine, targetId, { image: this.o.image, node: this.o.node });
      this.helpers.set(targetId, helper);
    }
    return helper;
  }

  private track(relay: RelayConnection): void {
    this.open.add(relay);
    relay.once('close', () => this.open.delete(relay));
  }

  /** Ends every forwarded connection and removes every helper. Idempotent, never throws. */
  async close(): Promise<void> {
    this.closed = true;
    for (const relay of this.open) relay.destroy();
    for (const listener of this.listeners) listener.destroy();
    const helpers = [...this.helpers.values()];
    this.helpers.clear();
    await Promise.all(helpers.map((helper) => helper.remove()));
  }
}
