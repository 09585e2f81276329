// One forwarded connection seen as a Duplex: the relay's framed exec stream decoded, with both half-closes kept.
import { Duplex } from 'node:stream';
import { RelayOutput, relayFrame } from './frames.js';

/**
 * How long a graceful close waits for the relay to deliver what it was sent and exit: a program in the container
 * that never reads (or an engine that never closes the exec stream) must not hold the relay and its slot for ever.
 */
export const GRACEFUL_CLOSE_MS = 30_000;

/** Relay frame letters (see relay-script.ts). */
const CONNECTED = 0x43; // C
const DATA = 0x44; // D
const ENDED = 0x45; // E
const FAILED = 0x58; // X

/**
 * Reads: what the destination sent; the readable side ends when the destination ended its side (or the relay
 * stopped). Writes: what the client sent; end() half-closes the destination's side. `connected` settles once the
 * relay reached the destination (or could not: it rejects with the relay's text). destroy() before 'finish' drops
 * the exec stream, and the relay then drops the destination connection and exits. destroy() after 'finish' (every
 * write and the end are in the exec stream) closes gracefully: the exec's input is half-closed, so the relay
 * still delivers all of it, then closes the destination and exits; its output is drained and dropped meanwhile,
 * and 'close' follows the exec stream's close (dropping the exec stream there would lose what Docker and the relay
 * had not yet passed on). Left alone, it closes after the exec stream's end, once the reader has taken every byte.
 */
export class RelayConnection extends Duplex {
  readonly connected: Promise<void>;
  /** Why the relay stopped, when it said (an X frame or its stderr), for the log. */
  failure = '';
  private readonly output = new RelayOutput();
  private settle!: { resolve(): void; reject(error: Error): void };
  private isConnected = false;
  private readableDone = false;
  private execEnded = false;

  constructor(private readonly exec: Duplex) {
    super({ allowHalfOpen: true });
    this.connected = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.connected.catch(() => undefined);
    exec.on('data', (chunk: Buffer) => this.onExecData(chunk));
    exec.on('end', () => this.onExecEnd());
    exec.on('close', () => this.onExecEnd());
    exec.on('error', (error: Error) => {
      this.failure ||= error.message;
      this.onExecEnd();
    });
  }

  private onExecData(chunk: Buffer): void {
    for (const relayed of this.output.push(chunk)) this.onRelayFrame(relayed.type, relayed.payload);
  }

  private onRelayFrame(type: number, payload: Buffer): void {
    if (type === CONNECTED) {
      this.isConnected = true;
      this.settle.resolve();
    } else if (type === DATA) {
      // Once destroyed (closing gracefully), the relay's output is drained and dropped: pausing would stall it.
      if (!this.readableDone && !this.destroyed && !this.push(payload)) this.exec.pause();
    } else if (type === ENDED) {
      this.finishReadable();
    } else if (type === FAILED) {
      this.failure = payload.toString('utf8');
      this.settle.reject(new Error(this.failure));
      this.finishReadable();
    }
  }

  private finishReadable(): void {
    if (this.readableDone) return;
    this.readableDone = true;
    this.push(null);
  }

  private onExecEnd(): void {
    if (this.execEnded) return;
    this.execEnded = true;
    if (!this.isConnected) {
      const why = this.failure || this.output.stderr || 'the relay exited before connecting';
      this.settle.reject(new Error(why));
    }
    if (this.failure === '' && this.output.stderr !== '') this.failure = this.output.stderr;
    this.finishReadable();
    // Data may still wait in the readable buffer (the reader is held back by backpressure): destroying now would
    // drop it, so the stream closes once its reader has taken everything.
    if (this.readableEnded) this.destroy();
    else this.once('end', () => this.destroy());
  }

  override _read(): void {
    if (this.exec.isPaused()) this.exec.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.exec.destroyed || this.exec.writableEnded) return callback();
    if (this.exec.write(relayFrame('D', chunk))) callback();
    else this.exec.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.exec.destroyed && !this.exec.writableEnded) this.exec.write(relayFrame('E'));
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.settle.reject(new Error(this.failure || 'the forwarded connection was closed'));
    if (error === null && this.writableFinished && !this.execEnded && !this.exec.destroyed) {
      const bound = setTimeout(() => this.exec.destroy(), GRACEFUL_CLOSE_MS);
      this.exec.on('close', () => {
        clearTimeout(bound);
        callback(null);
      });
      this.exec.resume();
      if (!this.exec.writableEnded) this.exec.end();
      return;
    }
    if (!this.exec.destroyed) this.exec.destroy();
    callback(error);
  }
}
