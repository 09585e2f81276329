// Surfaces OpenSSH's eow@openssh.com channel request ("end of write"), which ssh2's server drops without an event.
import { EventEmitter } from 'node:events';
import type { Connection } from 'ssh2';

/** The channel request an OpenSSH client sends when its own stdout closed (e.g. `ssh host yes | head -1`). */
export const EOW_REQUEST = 'eow@openssh.com';

/** The event emitted (without arguments) on an ssh2 Session whose client sent eow@openssh.com. */
export const EOW_EVENT = 'cssh:eow';

interface ConnectionInternals {
  _protocol?: { _handlers?: Record<string, unknown> };
  _chanMgr?: { get(id: number): unknown };
}

/**
 * ssh2 answers unknown channel requests itself and emits nothing for them, so the only place eow@openssh.com can
 * be seen is its protocol's CHANNEL_REQUEST message handler. This wraps that handler: for an eow request on a
 * session channel it emits EOW_EVENT on the ssh2 Session, then lets ssh2 handle the request as before (eow wants
 * no reply). Returns false, changing nothing, when ssh2's internals are not as expected; a listener that throws
 * is ignored so it can never break the connection.
 */
export function watchEndOfWrite(client: Connection): boolean {
  const internals = client as unknown as ConnectionInternals;
  const handlers = internals._protocol?._handlers;
  const channels = internals._chanMgr;
  const original = handlers?.CHANNEL_REQUEST;
  if (!handlers || typeof original !== 'function' || typeof channels?.get !== 'function') return false;
  handlers.CHANNEL_REQUEST = function (this: unknown, ...args: unknown[]): unknown {
    const [, recipient, type] = args;
    if (type === EOW_REQUEST && typeof recipient === 'number') notify(channels.get(recipient));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  return true;
}

function notify(channel: unknown): void {
  if (!(channel instanceof EventEmitter)) return;
  try {
    channel.emit(EOW_EVENT);
  } catch {
    // a listener's failure must not reach ssh2's packet parser
  }
}
