// Opens an auth-agent@openssh.com channel to the client (ssh -A), which ssh2's server has no public method for.
import type { Connection, ServerChannel } from 'ssh2';

/** ssh2's channel window and packet size for channels the server opens (lib/Channel.js). */
const MAX_WINDOW = 2 * 1024 * 1024;
const PACKET_SIZE = 32 * 1024;

interface Internals {
  _chanMgr?: { add(handler: unknown): number };
  _protocol?: { openssh_authAgent?(chan: number, initWindow: number, maxPacket: number): void };
}

/**
 * Asks the client to open an agent channel, as ssh2 opens its forwarded-tcpip channels: a callback registered with
 * the channel manager receives the channel once the client confirms (or the refusal). Rejects when the client
 * refuses, no channel number is free, or ssh2's internals are not as expected.
 */
export function openAgentChannel(client: Connection): Promise<ServerChannel> {
  return new Promise((resolve, reject) => {
    const { _chanMgr: channels, _protocol: protocol } = client as unknown as Internals;
    if (!channels || typeof protocol?.openssh_authAgent !== 'function') {
      return reject(new Error('this ssh2 version cannot open agent channels'));
    }
    const callback = (error: Error | undefined, channel: ServerChannel): void => (error ? reject(error) : resolve(channel));
    callback.type = 'auth-agent@openssh.com';
    const local = channels.add(callback);
    if (local === -1) return reject(new Error('No free channels available'));
    try {
      protocol.openssh_authAgent(local, MAX_WINDOW, PACKET_SIZE);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
