// Refuses every forwarding request (cssh serves none yet), logged and counted under the connection's security policy.
import type { SecurityConfig } from '../config/types.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { forwardingRefusal, type ForwardingKind } from '../security/index.js';
import { refuse } from '../security/refusal.js';
import { OpenFailure, type ForwardOpen, type OpenRefusal } from './channel-open.js';

export interface ForwardingDeps {
  logger: Logger;
  onEvent?: EventSink;
  /** The connection's effective security config; undefined until the config server (if any) answered. */
  security(): SecurityConfig | undefined;
  /** Settles once the connection is prepared (or failed); undefined before authentication. */
  ready(): Promise<unknown> | undefined;
}

/** The refusals of one connection. Every request is refused; what differs is the code logged and counted. */
export class ForwardingRefusals {
  constructor(private readonly deps: ForwardingDeps) {}

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
    else logger.info('SSH_UNSUPPORTED_REQUEST', `${detail} refused: cssh does not implement forwarding yet`);
  }

  /** Global requests: tcpip-forward (ssh -R) and streamlocal-forward are refused once the policy is known. */
  onGlobalRequest(reject: (() => void) | undefined, name: string, info: Record<string, unknown>): void {
    const kind: ForwardingKind | undefined =
      name === 'tcpip-forward' ? 'reverseForwardingMode' : name === 'streamlocal-forward@openssh.com' ? 'socketListenMode' : undefined;
    if (!kind) return reject?.();
    const where = kind === 'socketListenMode' ? `Path: ${String(info.socketPath)}.` : `Address: ${String(info.bindAddr)}:${String(info.bindPort)}.`;
    void (this.deps.ready() ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.refuse(kind, where))
      .finally(() => reject?.());
  }

  /** direct-tcpip (ssh -L, -D, -W) and direct-streamlocal: Prohibited, with ContainerSSH's texts. */
  async onOpen(open: ForwardOpen): Promise<OpenRefusal> {
    await this.deps.ready()?.catch(() => undefined);
    const socket = open.type !== 'direct-tcpip';
    const where = socket ? `Path: ${String(open.data.socketPath)}.` : `Target: ${String(open.data.destIP)}:${String(open.data.destPort)}.`;
    this.refuse(socket ? 'socketForwardingMode' : 'forwardingMode', where);
    return { reason: OpenFailure.PROHIBITED, description: socket ? 'StreamLocal forwarding is rejected' : 'Forwarding is rejected' };
  }
}
