// The relay that runs inside the forwarding helper container (`node -e`): one TCP connection per process, framed on stdio.
import { FRAME_JS } from './frame-script.js';

/**
 * Frames both ways: 1 type byte, a 4-byte big-endian payload length, the payload. Relay to cssh: C (connected),
 * D (data), E (the destination ended its side), X (error text, then exit). cssh to relay: D (data), E (the client
 * ended its side). Standard input ending without an E frame means cssh went away: the relay drops the connection
 * and exits; ending after one (cssh closed the forwarded channel) means: deliver what was sent, then close.
 * Framing keeps both half-closes: Docker's exec stream closes in both directions as soon as the process closes its
 * output, so output EOF cannot carry a half-close. The relay needs nothing but Node's `net`.
 */
export const RELAY_SCRIPT = String.raw`'use strict';
const net = require('net');
const [host, port, parked] = process.argv.slice(1);
const out = process.stdout;
${FRAME_JS}
let connected = false;
let clientEnded = false;
// A Unix socket in the container's file system, reached from inside its directory (no 108-byte path limit).
const connectUnix = (where) => {
  const posix = require('path').posix;
  try {
    process.chdir('/proc/1/root' + posix.dirname(where));
  } catch (e) {
    const failed = new net.Socket();
    process.nextTick(() => failed.destroy(e));
    return failed;
  }
  return net.connect({ path: posix.basename(where), allowHalfOpen: true });
};
const sock = parked
  ? net.connect({ path: '\0' + parked, allowHalfOpen: true })
  : port === 'unix'
    ? connectUnix(host)
    : net.connect({ host, port: Number(port), allowHalfOpen: true });
// Output to a pipe is asynchronous: the relay never calls process.exit, it closes its handles and lets Node end.
const fail = (text) => {
  out.write(frame('X', Buffer.from(text)));
  if (!connected) process.exitCode = 1;
};
sock.on('connect', () => {
  connected = true;
  out.write(frame('C', Buffer.alloc(0)));
});
sock.on('data', (chunk) => {
  if (!out.write(frame('D', chunk))) {
    sock.pause();
    out.once('drain', () => sock.resume());
  }
});
sock.on('end', () => out.write(frame('E', Buffer.alloc(0))));
sock.on('error', (e) => fail((e.code || 'ERROR') + ': ' + e.message));
sock.on('close', () => {
  process.stdin.destroy();
  out.end();
});
let pending = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
  while (pending.length >= 5) {
    const length = pending.readUInt32BE(1);
    if (pending.length < 5 + length) break;
    const type = String.fromCharCode(pending[0]);
    const payload = pending.subarray(5, 5 + length);
    pending = pending.subarray(5 + length);
    if (type === 'D' && !sock.write(payload)) {
      process.stdin.pause();
      sock.once('drain', () => process.stdin.resume());
    } else if (type === 'E') {
      clientEnded = true;
      sock.end();
    }
  }
});
// Standard input ending: cssh is done with this connection. After an E frame, what it sent is delivered first,
// then the destination is closed (what it still sends is dropped); without one, cssh went away: drop everything.
process.stdin.on('end', () => {
  if (!clientEnded || sock.writableFinished) sock.destroy();
  else sock.once('finish', () => sock.destroy());
});
`;

/**
 * The relay that claims a connection parked by the listener relay (listener-script.ts): it connects to the abstract
 * Unix socket `name` instead of a TCP destination; everything else is the same relay.
 */
export function claimCommand(node: string, name: string): string[] {
  return [node, '-e', RELAY_SCRIPT, '', '0', name];
}

/** A relay to the Unix socket at `path` in the container's file system (ssh -L ...:/path). */
export function unixRelayCommand(node: string, path: string): string[] {
  return [node, '-e', RELAY_SCRIPT, path, 'unix'];
}

/** The relay's command line in the helper: `node -e <script> <host> <port>`. */
export function relayCommand(node: string, host: string, port: number): string[] {
  return [node, '-e', RELAY_SCRIPT, host, String(port)];
}
