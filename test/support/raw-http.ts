// Raw-socket HTTP clients for hostile-input tests: arbitrary bytes, slow senders, resets, connection floods, RSS.
//
// API:
//   await rawExchange('127.0.0.1:9100', bytes, { from: '127.0.0.2', hold: false, guardMs })
//       -> { status: 'HTTP/1.1 404 Not Found' | '', closed: true when the server closed, error? }
//   slowSender('127.0.0.1:9100', { from, intervalMs })   -> { closed: Promise<number> (ms until the server closed it), stop() }
//   await resetAfter('127.0.0.1:9100', bytes, { from })  -> writes then sends a TCP RST (abrupt reset)
//   openIdle('127.0.0.1:9100', n, { from })              -> { accepted(): number still open, close() }
//   prng(seed)                                           -> () => uint32, reproducible fuzz input
//   rssBytes(pid)                                        -> resident set size of a process (Linux /proc)
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

export interface Exchange {
  /** The first line the server answered, '' when it answered nothing. */
  status: string;
  /** The server closed the connection (not the guard). */
  closed: boolean;
  error?: string;
}

function target(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) };
}

function open(address: string, from: string | undefined): Socket {
  const { host, port } = target(address);
  return connect({ host, port, ...(from === undefined ? {} : { localAddress: from }) });
}

/**
 * Sends `bytes` on a fresh connection and reads until the server closes it. Unless `hold`, our side half-closes
 * after writing (end of request). `guardMs` is a hang guard: reaching it means the server held the connection.
 */
export function rawExchange(address: string, bytes: string | Buffer, options: { from?: string; hold?: boolean; guardMs?: number } = {}): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = open(address, options.from);
    let answer = Buffer.alloc(0);
    let error: string | undefined;
    const guard = setTimeout(() => {
      socket.destroy();
      resolve({ status: firstLine(answer), closed: false, ...(error === undefined ? {} : { error }) });
    }, options.guardMs ?? 30_000);
    socket.on('data', (chunk: Buffer) => {
      if (answer.length < 65_536) answer = Buffer.concat([answer, chunk]);
    });
    socket.on('error', (e: Error) => (error = e.message));
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ status: firstLine(answer), closed: true, ...(error === undefined ? {} : { error }) });
    });
    socket.on('connect', () => {
      socket.write(bytes, () => undefined);
      if (options.hold !== true) socket.end();
    });
  });
}

function firstLine(answer: Buffer): string {
  return answer.toString('latin1').split('\r\n')[0] ?? '';
}

/**
 * Slowloris: starts a request and sends one more header byte every `intervalMs`, never finishing. `closed`
 * resolves with how long the server took to close the connection.
 */
export function slowSender(address: string, options: { from?: string; intervalMs?: number } = {}): { closed: Promise<number>; stop: () => void } {
  const socket = open(address, options.from);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  socket.on('connect', () => {
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    timer = setInterval(() => socket.write('a'), options.intervalMs ?? 1000);
  });
  const closed = new Promise<number>((resolve) => socket.on('close', () => {
    clearInterval(timer);
    resolve(Date.now() - started);
  }));
  return { closed, stop: () => socket.destroy() };
}

/** Writes `bytes`, then aborts the connection with a TCP RST instead of a normal close. */
export function resetAfter(address: string, bytes: string | Buffer, options: { from?: string } = {}): Promise<void> {
  return new Promise((resolve) => {
    const socket = open(address, options.from);
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    socket.on('connect', () => socket.write(bytes, () => socket.resetAndDestroy()));
  });
}

/** Opens `count` idle connections; `accepted()` counts those the server still holds open. */
export async function openIdle(address: string, count: number, options: { from?: string } = {}): Promise<{ accepted: () => number; close: () => void }> {
  const sockets = await Promise.all(
    Array.from({ length: count }, () => new Promise<Socket>((resolve) => {
      const socket = open(address, options.from);
      socket.on('error', () => undefined);
      socket.on('connect', () => resolve(socket));
      socket.on('close', () => resolve(socket));
    })),
  );
  return {
    accepted: () => sockets.filter((socket) => !socket.destroyed && socket.readyState === 'open').length,
    close: () => sockets.forEach((socket) => socket.destroy()),
  };
}

/** mulberry32: a tiny seeded generator, so a failing fuzz case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Resident set size of process `pid`, bytes (Linux). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}
