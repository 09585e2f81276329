// One remote-forwarding listener seen from cssh: the listener relay's framed exec stream decoded into events.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { RelayOutput, relayFrame } from './frames.js';

const LISTENING = 0x4c; // L
const ACCEPTED = 0x41; // A
const FAILED = 0x58; // X
const STOPPED = 0x53; // S

/** A connection the listener accepted and parked: claim it with claimCommand(name). */
export interface ParkedConnection {
  name: string;
  /** The connecting peer, as the listener saw it (inside the container's network namespace). */
  address: string;
  port: number;
}

function parseParked(payload: Buffer): ParkedConnection | undefined {
  try {
    const value = JSON.parse(payload.toString('utf8')) as Partial<ParkedConnection>;
    if (typeof value.name !== 'string' || !/^[\w-]+$/.test(value.name)) return undefined;
    return { name: value.name, address: String(value.address ?? ''), port: Number(value.port ?? 0) };
  } catch {
    return undefined;
  }
}

/**
 * `listening` resolves with the bound port (or rejects with the listener's error text). Emits 'connection'
 * (ParkedConnection) per accepted connection, 'stopped' once the port is closed after stop(), and 'close' once the listener exited. stop() stops accepting (connections
 * already piped go on); destroy() ends the listener and every connection it holds.
 */
export class ListenerConnection extends EventEmitter {
  /** What the listener bound, as it reported it: the port in decimal, or a Unix socket's path in the container. */
  readonly bound: Promise<string>;
  readonly listening: Promise<number>;
  private readonly output = new RelayOutput();
  private settle!: { resolve(bound: string): void; reject(error: Error): void };
  private failure = '';
  private ended = false;

  constructor(private readonly exec: Duplex) {
    super();
    this.bound = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.bound.catch(() => undefined);
    this.listening = this.bound.then(Number);
    this.listening.catch(() => undefined);
    exec.on('data', (chunk: Buffer) => this.onData(chunk));
    exec.on('end', () => this.onEnd());
    exec.on('close', () => this.onEnd());
    exec.on('error', (error: Error) => {
      this.failure ||= error.message;
      this.onEnd();
    });
  }

  private onData(chunk: Buffer): void {
    for (const { type, payload } of this.output.push(chunk)) {
      if (type === LISTENING) this.settle.resolve(payload.toString('utf8'));
      else if (type === FAILED) this.failure = payload.toString('utf8');
      else if (type === STOPPED) this.emit('stopped');
      else if (type === ACCEPTED) {
        const parked = parseParked(payload);
        if (parked) this.emit('connection', parked);
      }
    }
  }

  private onEnd(): void {
    if (this.ended) return;
    this.ended = true;
    this.settle.reject(new Error(this.failure || this.output.stderr || 'the listener exited before listening'));
    this.emit('close');
  }

  /** Stops accepting new connections; those already accepted go on. */
  stop(): void {
    if (!this.exec.destroyed && !this.exec.writableEnded) this.exec.write(relayFrame('E'));
  }

  /** Drops a parked connection without claiming it (its peer sees the connection close). */
  drop(name: string): void {
    if (!this.exec.destroyed && !this.exec.writableEnded) this.exec.write(relayFrame('K', Buffer.from(name)));
  }

  /** Ends the listener and every connection it still pipes. */
  destroy(): void {
    if (!this.exec.destroyed) this.exec.destroy();
    this.onEnd();
  }
}
