// Ends an SSH connection with SSH_MSG_DISCONNECT carrying a text the client prints (ssh2 only sends an empty one).
import type { Connection } from 'ssh2';

/** RFC 4253 §11.1 reason codes used by cssh. */
export const DisconnectReason = {
  PROTOCOL_ERROR: 2,
  BY_APPLICATION: 11,
} as const;

interface ProtocolInternals {
  _packetRW?: {
    write: {
      allocStartKEX: number;
      alloc(length: number, forceNoCompression?: boolean): Buffer;
      finalize(packet: Buffer, forceNoCompression?: boolean): Buffer;
    };
  };
  _cipher?: { encrypt(packet: Buffer): void };
}

interface ConnectionInternals {
  _protocol?: ProtocolInternals;
  _sock?: { writable: boolean; destroyed: boolean; end(): void };
}

/**
 * Sends DISCONNECT with `reason` and `description` (OpenSSH prints "Received disconnect from HOST port P:11:
 * TEXT"), then ends the socket. Falls back to ssh2's own end() (empty text) when its internals are not as
 * expected. Never throws.
 */
export function disconnectWithText(client: Connection, reason: number, description: string): void {
  const internals = client as unknown as ConnectionInternals;
  const socket = internals._sock;
  const writer = internals._protocol?._packetRW?.write;
  const cipher = internals._protocol?._cipher;
  try {
    if (!socket || !socket.writable || socket.destroyed) return;
    if (!writer || !cipher || typeof writer.alloc !== 'function' || typeof cipher.encrypt !== 'function') {
      client.end();
      return;
    }
    const text = Buffer.from(description, 'utf8');
    const length = 1 + 4 + 4 + text.length + 4;
    const start = writer.allocStartKEX;
    const packet = writer.alloc(length, true);
    packet[start] = 1; // SSH_MSG_DISCONNECT
    packet.writeUInt32BE(reason, start + 1);
    packet.writeUInt32BE(text.length, start + 5);
    text.copy(packet, start + 9);
    packet.writeUInt32BE(0, start + 9 + text.length); // empty language tag
    cipher.encrypt(writer.finalize(packet, true));
    socket.end();
  } catch {
    try {
      client.end();
    } catch {
      // already closed
    }
  }
}
