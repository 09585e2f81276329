// Reads a byte stream as the scp protocol needs it: one line, one byte, or exactly n bytes, with backpressure.
import type { Readable } from 'node:stream';

/** Bytes buffered before the source is paused. */
const HIGH_WATER = 1024 * 1024;

export class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(private readonly source: Readable) {
    source.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
      if (this.length >= HIGH_WATER) source.pause();
      this.notify();
    });
    const end = (): void => { this.ended = true; this.notify(); };
    source.once('end', end);
    source.once('close', end);
    source.once('error', end);
    if (source.readableEnded) this.ended = true;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Resolves once there are buffered bytes; false when the source ended with nothing buffered. */
  private async fill(): Promise<boolean> {
    while (this.length === 0) {
      if (this.ended) return false;
      this.source.resume();
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return true;
  }

  /** Takes up to `max` buffered bytes (at least one, after fill()). */
  private take(max: number): Buffer {
    const first = this.chunks[0] as Buffer;
    const part = first.length <= max ? first : first.subarray(0, max);
    if (part === first) this.chunks.shift();
    else this.chunks[0] = first.subarray(max);
    this.length -= part.length;
    if (this.length < HIGH_WATER / 2) this.source.resume();
    return part;
  }

  /** One byte, or undefined at the end of the input. */
  async byte(): Promise<number | undefined> {
    if (!(await this.fill())) return undefined;
    return this.take(1)[0];
  }

  /** A line without its newline; undefined at the end of input before any byte; throws when longer than `max`. */
  async line(max = 64 * 1024): Promise<string | undefined> {
    const parts: Buffer[] = [];
    let size = 0;
    for (;;) {
      if (!(await this.fill())) {
        if (size === 0) return undefined;
        throw new Error('unexpected end of input inside a protocol line');
      }
      const first = this.chunks[0] as Buffer;
      const nl = first.indexOf(0x0a);
      const part = this.take(nl < 0 ? first.length : nl + 1);
      parts.push(part);
      size += part.length;
      if (nl >= 0) return Buffer.concat(parts, size).subarray(0, size - 1).toString('utf8');
      if (size > max) throw new Error('protocol line too long');
    }
  }

  /** Exactly `n` bytes, in chunks as they arrive; throws when the input ends first. */
  async *bytes(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (!(await this.fill())) throw new Error(`input ended ${left} bytes before the end of the file`);
      const part = this.take(left);
      left -= part.length;
      yield part;
    }
  }
}
