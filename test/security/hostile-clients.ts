// Hostile clients for the security tier: raw TCP floods from chosen loopback addresses, SSH packets with random or
// truncated payloads sent through a real ssh2 client's encrypted transport, the server's RSS and its metrics gauge.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { Client } from 'ssh2';
import { scrape, type ProductionServer } from '../e2e/production-helpers.js';

/** What the server did with a raw connection: sent its version line (admitted) or sshd's refusal line (refused). */
export type Verdict = 'admitted' | 'refused' | 'closed';

export interface RawConnection {
  socket: Socket;
  verdict: Promise<Verdict>;
  closed: Promise<void>;
}

/**
 * A TCP connection to 127.0.0.1:`port` from `localAddress` (every 127.x address is loopback on Linux), optionally
 * writing `send` once connected. The verdict comes from the first bytes the server sends.
 */
export function rawConnection(port: number, localAddress: string, send?: Buffer): RawConnection {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  if (send !== undefined) socket.once('connect', () => socket.write(send));
  let first = '';
  const verdict = new Promise<Verdict>((resolve) => {
    const onData = (chunk: Buffer): void => {
      first += chunk.toString('latin1');
      if (first.startsWith('SSH-')) resolve('admitted');
      else if (first.startsWith('Exceeded MaxStartups\r\n')) resolve('refused');
      else if (first.length >= 32) resolve('closed');
      else return;
      socket.off('data', onData);
    };
    socket.on('data', onData);
    socket.once('close', () => resolve('closed'));
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, verdict, closed };
}

/** Resident set size of a process, MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** Polls the server's cssh_ssh_unauthenticated_connections gauge until stopped; reports the highest value seen. */
export function watchUnauthenticated(server: ProductionServer): { stop(): Promise<{ max: number; samples: number }> } {
  let max = 0;
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const read = await scrape(server).catch(() => undefined);
      if (read) {
        max = Math.max(max, read('cssh_ssh_unauthenticated_connections'));
        samples++;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { max, samples };
    },
  };
}

/** A small seeded PRNG (mulberry32), so a failing fuzz run can be repeated with CSSH_FUZZ_SEED. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

function str(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([u32(bytes.length), bytes]);
}

const byte = (value: number): Buffer => Buffer.from([value]);

/**
 * Well-formed SSH messages worth breaking (auth, global and channel requests, channel traffic for channels that do not
 * exist, key exchange out of turn, absurd pty sizes). Complete session opens are left out: they would start containers.
 */
function templates(random: () => number): Buffer[] {
  const channel = Math.floor(random() * 4);
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  return [
    Buffer.concat([byte(5), str('ssh-userauth')]),
    Buffer.concat([byte(50), str('tester'), str('ssh-connection'), str('password'), byte(0), str('pw')]),
    Buffer.concat([byte(50), str('tester'), str('ssh-connection'), str('publickey'), byte(1), str('ssh-ed25519'), str(bytes(40)), str(bytes(64))]),
    Buffer.concat([byte(50), str('tester'), str('ssh-connection'), str('keyboard-interactive'), str(''), str('')]),
    Buffer.concat([byte(80), str('tcpip-forward'), byte(1), str('0.0.0.0'), u32(22)]),
    Buffer.concat([byte(80), str('no-more-sessions@openssh.com'), byte(1)]),
    Buffer.concat([byte(90), str('direct-tcpip'), u32(0), u32(2 ** 21), u32(32768), str('127.0.0.1'), u32(22), str('127.0.0.1'), u32(1)]),
    Buffer.concat([byte(90), str('x11'), u32(1), u32(0), u32(0), str('1.2.3.4'), u32(6000)]),
    Buffer.concat([byte(98), u32(channel), str('pty-req'), byte(1), str('xterm'), u32(0xffffffff), u32(0xffffffff), u32(0xffffffff), u32(0xffffffff), str(bytes(20))]),
    Buffer.concat([byte(98), u32(channel), str('env'), byte(1), str('A'.repeat(200)), str('B'.repeat(2000))]),
    Buffer.concat([byte(98), u32(channel), str('exec'), byte(1), str('true')]),
    Buffer.concat([byte(98), u32(channel), str('signal'), byte(0), str('KILL')]),
    Buffer.concat([byte(98), u32(channel), str('window-change'), byte(0), u32(0xffffffff), u32(0), u32(0), u32(0)]),
    Buffer.concat([byte(94), u32(channel), str(bytes(64))]),
    Buffer.concat([byte(95), u32(channel), u32(1), str(bytes(16))]),
    Buffer.concat([byte(93), u32(channel), u32(0xffffffff)]),
    Buffer.concat([byte(96), u32(channel)]),
    Buffer.concat([byte(97), u32(channel)]),
    Buffer.concat([byte(91), u32(channel), u32(7), u32(0), u32(0)]),
    Buffer.concat([byte(92), u32(channel), u32(2), str('no'), str('')]),
    Buffer.concat([byte(20), bytes(16), ...Array.from({ length: 10 }, () => str('none')), byte(0), u32(0)]),
    Buffer.concat([byte(21)]),
    Buffer.concat([byte(1), u32(11), str('bye'), str('')]),
    Buffer.concat([byte(2), str(bytes(32))]),
    Buffer.concat([byte(4), byte(1), str('debug message'), str('en')]),
  ];
}

/** One hostile payload: a template cut at a random length (often truncated), or a random message type and body. */
export function hostilePayload(random: () => number): Buffer {
  const all = templates(random);
  if (random() < 0.25) {
    const body = Buffer.from(Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)));
    return Buffer.concat([byte(Math.floor(random() * 256)), body]);
  }
  const template = all[Math.floor(random() * all.length)] as Buffer;
  const cut = random() < 0.7 ? 1 + Math.floor(random() * template.length) : template.length;
  return template.subarray(0, cut);
}

interface PacketWriter {
  allocStart: number;
  alloc(length: number): Buffer;
  finalize(packet: Buffer): Buffer;
}

/**
 * Sends `payload` as one SSH packet through `client`'s encrypted transport (ssh2's own packet writer and cipher, so
 * the server decrypts and parses it as it would any packet). Only valid after the client's 'handshake' event.
 */
export function sendPacket(client: Client, payload: Buffer): void {
  const protocol = (client as unknown as { _protocol: { _packetRW: { write: PacketWriter }; _cipher: { encrypt(packet: Buffer): void } } })._protocol;
  const writer = protocol._packetRW.write;
  const packet = writer.alloc(payload.length);
  payload.copy(packet, writer.allocStart);
  protocol._cipher.encrypt(writer.finalize(packet));
}
