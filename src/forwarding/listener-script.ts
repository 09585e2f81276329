// The listener relay of remote forwarding (ssh -R), run in the forwarding helper (`node -e`): listens, parks accepted sockets.
import { FRAME_JS } from './frame-script.js';

/**
 * Listens on host:port inside the container's network namespace and reports in frames on stdout (1 type byte,
 * 4-byte big-endian length, payload): L (listening; the bound port in decimal), A (a connection was accepted:
 * JSON {name, address, port}), S (stopped listening, after an E frame), X (error text, then exit). Each accepted socket is parked, paused, behind a one-use
 * abstract Unix socket "\0<name>" (no file is needed: the helper's root filesystem is read-only); the claim relay
 * (relay-script.ts with a socket name) connects there and the two sockets are piped with backpressure and both
 * half-closes. A socket not claimed within 30 s is dropped. cssh to listener: K (a parked connection's name) drops that
 * connection unclaimed; E stops listening (cancel);
 * piped connections go on and the process ends with the last of them. Standard input ending without E means cssh
 * went away: everything is dropped.
 *
 * With a third argument it listens on a Unix socket in the container's file system instead, reached through
 * /proc/1/root (the helper shares the container's process namespace): "unix" binds the path given as host
 * (ssh -R /path:...), "agent" a socket agent.<pid> in a fresh 0700 directory /tmp/ssh-XXXXXX (/dev/shm/ssh-XXXXXX
 * when /tmp is not writable, e.g. a read-only root file system), as OpenSSH's sshd does for ssh -A. The socket is
 * made with umask 0177 (mode 0600, owned by the user the relay runs as), L carries its path as the container
 * sees it, and it is removed (with the agent directory) once the listener stops or cssh goes away. The relay binds
 * the socket's last path component from inside its directory, so long paths do not hit the 108-byte socket limit.
 */
export const LISTENER_SCRIPT = String.raw`'use strict';
const net = require('net');
const crypto = require('crypto');
const fs = require('fs');
const posix = require('path').posix;
const [host, port, kind] = process.argv.slice(1);
const out = process.stdout;
const ROOT = '/proc/1/root';
${FRAME_JS}
let cleanup = () => {};
const live = new Set();
const parkedByName = new Map();
let stopped = false;
const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (tcp) => {
  live.add(tcp);
  tcp.on('close', () => live.delete(tcp));
  tcp.on('error', () => tcp.destroy());
  const name = 'cssh-rfwd-' + crypto.randomBytes(16).toString('hex');
  const park = net.createServer({ allowHalfOpen: true }, (unix) => {
    parkedByName.delete(name);
    park.close();
    clearTimeout(timer);
    live.add(unix);
    unix.on('close', () => live.delete(unix));
    // Each side ends the other once its own bytes were written (destroySoon), so nothing queued is dropped, not
    // even when the claim relay resets its end (it closes with the destination's unwanted data unread).
    unix.on('error', () => unix.destroy());
    tcp.on('close', () => unix.destroySoon());
    unix.on('close', () => tcp.destroySoon());
    tcp.pipe(unix);
    unix.pipe(tcp);
    tcp.resume();
  });
  const timer = setTimeout(() => { park.close(); tcp.destroy(); }, 30000);
  parkedByName.set(name, tcp);
  tcp.on('close', () => { clearTimeout(timer); parkedByName.delete(name); park.close(); });
  park.on('error', () => tcp.destroy());
  park.listen('\0' + name, () => {
    out.write(frame('A', Buffer.from(JSON.stringify({ name, address: tcp.remoteAddress || '', port: tcp.remotePort || 0 }))));
  });
});
const failed = (e) => {
  out.write(frame('X', Buffer.from((e.code || 'ERROR') + ': ' + e.message)));
  process.exitCode = 1;
  process.stdin.destroy();
  out.end();
};
server.on('error', failed);
const listenUnix = () => {
  let shown;
  if (kind === 'agent') {
    let dir;
    let why;
    for (const base of ['/tmp', '/dev/shm']) {
      try {
        dir = fs.mkdtempSync(ROOT + base + '/ssh-');
        break;
      } catch (e) {
        why = why || e;
      }
    }
    if (!dir) throw why;
    process.chdir(dir);
    shown = dir.slice(ROOT.length) + '/agent.' + process.pid;
    cleanup = () => {
      try { fs.unlinkSync(posix.basename(shown)); } catch (e) {}
      try { fs.rmdirSync(dir); } catch (e) {}
    };
  } else {
    process.chdir(ROOT + posix.dirname(host));
    shown = host;
  }
  process.umask(0o177);
  server.listen(posix.basename(shown), () => {
    if (kind !== 'agent') cleanup = () => { try { fs.unlinkSync(posix.basename(shown)); } catch (e) {} };
    out.write(frame('L', Buffer.from(shown)));
  });
};
if (kind === 'unix' || kind === 'agent') {
  try {
    listenUnix();
  } catch (e) {
    cleanup();
    failed(e);
  }
} else {
  server.listen({ host: host === '' ? undefined : host, port: Number(port) }, () => {
    out.write(frame('L', Buffer.from(String(server.address().port))));
  });
}
const stop = () => {
  if (stopped) return;
  stopped = true;
  server.close();
  cleanup();
};
let pending = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 5) {
    const length = pending.readUInt32BE(1);
    if (pending.length < 5 + length) break;
    const type = String.fromCharCode(pending[0]);
    const payload = pending.subarray(5, 5 + length);
    pending = pending.subarray(5 + length);
    if (type === 'K') {
      const parked = parkedByName.get(payload.toString());
      if (parked) parked.destroy();
    } else if (type === 'E') {
      // Stopped: the process ends with its last piped connection, so standard input must not hold it.
      stop();
      out.write(frame('S', Buffer.alloc(0)));
      process.stdin.destroy();
    }
  }
});
process.stdin.on('end', () => {
  if (stopped) return;
  stop();
  for (const socket of live) socket.destroy();
  out.end();
});
`;

/**
 * The bind address as the listener takes it: "" and "*" (all addresses) and "localhost" (OpenSSH's default,
 * the container's IPv4 loopback) are mapped; other hosts are passed on.
 */
export function listenHost(bindAddr: string): string {
  if (bindAddr === '' || bindAddr === '*' || bindAddr === '0.0.0.0') return '';
  if (bindAddr === 'localhost') return '127.0.0.1';
  return bindAddr.replace(/^\[(.*)\]$/, '$1');
}

/** The listener's command line in the helper: `node -e <script> <host> <port>`. */
export function listenerCommand(node: string, bindAddr: string, port: number): string[] {
  return [node, '-e', LISTENER_SCRIPT, listenHost(bindAddr), String(port)];
}

/** A Unix-socket listener: at `path` in the container (ssh -R /path:...), or the agent socket (ssh -A) when undefined. */
export function unixListenerCommand(node: string, path: string | undefined): string[] {
  return path === undefined ? [node, '-e', LISTENER_SCRIPT, '', '0', 'agent'] : [node, '-e', LISTENER_SCRIPT, path, '0', 'unix'];
}
