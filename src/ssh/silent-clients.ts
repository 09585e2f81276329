// ssh.loginGraceTime for clients that connect and never send their SSH version: dropped when the time is up.
import type { Server as NetServer, Socket } from 'node:net';
import type ssh2 from 'ssh2';
import type { Logger } from '../core/logger.js';

/**
 * ssh2 reports a client only once its version line has arrived, so the per-connection login timer never starts for
 * one that connects and stays silent: anyone who reaches the port could hold connections without end. This watches
 * the listening socket itself (ssh2's internal net.Server; nothing happens if it is not there): every TCP connection
 * that has not become an SSH connection (`markIdentified`) within `graceMs` is destroyed, as sshd's LoginGraceTime
 * does. Returns the function that marks a socket as identified.
 */
export function dropSilentClients(server: ssh2.Server, graceMs: number, logger: Logger): (socket: unknown) => void {
  const identified = new WeakSet<object>();
  const markIdentified = (socket: unknown): void => {
    if (typeof socket === 'object' && socket !== null) identified.add(socket);
  };
  const listener = (server as unknown as { _srv?: NetServer })._srv;
  if (graceMs <= 0 || listener === undefined || typeof listener.on !== 'function') return markIdentified;
  listener.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => {
      if (identified.has(socket) || socket.destroyed) return;
      logger.info('SSH_HANDSHAKE_FAILED', `${socket.remoteAddress ?? 'a client'}:${socket.remotePort ?? ''} sent no SSH version within ssh.loginGraceTime (${graceMs} ms); connection dropped`);
      socket.destroy();
    }, graceMs).unref();
    socket.once('close', () => clearTimeout(timer));
  });
  return markIdentified;
}
