// Lets the server decide a session channel asynchronously and refuse it with a specific SSH reason code and text.
import type { Connection } from 'ssh2';

/** SSH_MSG_CHANNEL_OPEN_FAILURE reason codes (RFC 4254 §5.1). */
export const OpenFailure = {
  PROHIBITED: 1,
  CONNECT_FAILED: 2,
  UNKNOWN_CHANNEL_TYPE: 3,
  RESOURCE_SHORTAGE: 4,
} as const;

export interface OpenRefusal {
  reason: number;
  description: string;
}

/**
 * The gate's decision for one session open: a refusal, or `beforeOpen`, which runs synchronously right before ssh2
 * opens that channel. ssh2 emits its 'session' event synchronously inside the open, and `afterOpen` runs right
 * after, so state prepared for this open is handed over in `beforeOpen` and anything left unclaimed released in
 * `afterOpen`, with no other open in between (concurrent opens each carry their own decision).
 */
export type GateDecision = { refusal: OpenRefusal } | { beforeOpen(): void };

export type SessionGate = () => Promise<GateDecision>;

/** A forwarding channel open (direct-tcpip or direct-streamlocal@openssh.com) with ssh2's decoded payload. */
export interface ForwardOpen {
  type: 'direct-tcpip' | 'direct-streamlocal@openssh.com';
  data: Record<string, unknown>;
}

/**
 * The decision for one forwarding open: a refusal, or acceptance. `beforeOpen` runs right before ssh2 handles the
 * open (it emits 'tcpip' synchronously, where the prepared stream is claimed) and `afterOpen` right after, to
 * release what ssh2 did not take (it refuses by itself when it has no channel left).
 */
export type ForwardDecision = { refusal: OpenRefusal } | { beforeOpen(): void; afterOpen(): void };

interface ProtocolInternals {
  _handlers?: Record<string, unknown>;
  channelOpenFail?(recipient: number, reason: number, description: string): void;
}

/**
 * Wraps ssh2's CHANNEL_OPEN handling of `session` channels so `gate` runs first. ssh2's own reject() always
 * answers "connect failed" with no text; this sends the gate's reason and text instead (e.g. ResourceShortage,
 * "Too many sessions."). Other channel types keep ssh2's handling (unknown types: UnknownChannelType; forwarding
 * without a listener: Prohibited), except forwarding opens when `forwardOpen` is given: it decides them (a
 * refusal with its own reason and text, or acceptance through ssh2's own handling). Returns false when ssh2's internals are not as expected (nothing changed then).
 */
export function gateSessionOpens(
  client: Connection,
  gate: SessionGate,
  hooks: { afterOpen(): void; onError(error: unknown): void; forwardOpen?(open: ForwardOpen): Promise<ForwardDecision> },
): boolean {
  const protocol = (client as unknown as { _protocol?: ProtocolInternals })._protocol;
  const handlers = protocol?._handlers;
  const original = handlers?.CHANNEL_OPEN;
  if (!protocol || !handlers || typeof original !== 'function' || typeof protocol.channelOpenFail !== 'function') return false;
  const channelOpenFail = protocol.channelOpenFail.bind(protocol);
  const openFail = (recipient: number, reason: number, description: string): void => {
    try {
      channelOpenFail(recipient, reason, description);
    } catch (error) {
      hooks.onError(error); // the connection is already gone
    }
  };
  type OpenInfo = { type: string; sender: number; data?: Record<string, unknown> };
  /** Refuses as decided, or opens through ssh2's own handling between `beforeOpen` and `afterOpen`. */
  const openAsDecided = (packet: unknown, info: OpenInfo, decision: GateDecision, afterOpen: () => void): void => {
    if ('refusal' in decision) return openFail(info.sender, decision.refusal.reason, decision.refusal.description);
    decision.beforeOpen();
    try {
      original.call(handlers, packet, info);
    } catch (error) {
      hooks.onError(error); // the connection went away meanwhile
    }
    afterOpen();
  };
  handlers.CHANNEL_OPEN = (packet: unknown, info: OpenInfo): void => {
    if ((info.type === 'direct-tcpip' || info.type === 'direct-streamlocal@openssh.com') && hooks.forwardOpen) {
      hooks.forwardOpen({ type: info.type, data: info.data ?? {} }).then(
        (decision) => openAsDecided(packet, info, decision, () => { if (!('refusal' in decision)) decision.afterOpen(); }),
        () => openFail(info.sender, OpenFailure.PROHIBITED, 'Forwarding is rejected'),
      );
      return;
    }
    if (info.type !== 'session') return void original.call(handlers, packet, info);
    gate().then(
      (decision) => openAsDecided(packet, info, decision, () => hooks.afterOpen()),
      (error: unknown) => {
        hooks.onError(error);
        openFail(info.sender, OpenFailure.CONNECT_FAILED, 'Failed to initialize SSH session.');
      },
    );
  };
  return true;
}
