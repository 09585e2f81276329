// A Writable that forwards into an ssh2 channel (or its stderr) with end-to-end backpressure and no writes after close.
import { Writable } from 'node:stream';

/** The part of an ssh2 channel (or channel.stderr) this forwarder uses. */
export interface WriteTarget {
  write(chunk: Buffer, callback: (error?: Error | null) => void): boolean;
}

/**
 * Forwards each chunk to the target and completes the write only once ssh2 has handed it to the protocol
 * (i.e. the client's window had room), so `finish` means "every byte was sent". Before `attach()` writes wait;
 * after `detach()` (the channel closed) pending and later writes complete at once and their data is dropped,
 * because writes to a closed ssh2 channel never complete.
 */
export class ChannelWritable extends Writable {
  private target: WriteTarget | undefined;
  private detached = false;
  /** A write that arrived before attach(). */
  private queued: { chunk: Buffer; callback: (error?: Error | null) => void } | undefined;
  /** Completes the write ssh2 has not finished yet (waiting for window). */
  private inflight: (() => void) | undefined;
  /** Bytes accepted from the writer, for logs and tests. */
  bytes = 0;

  constructor(highWaterMark = 256 * 1024) {
    super({ highWaterMark });
  }

  attach(target: WriteTarget): void {
    if (this.detached || this.target) return;
    this.target = target;
    const waiting = this.queued;
    this.queued = undefined;
    if (waiting) this.forward(target, waiting.chunk, waiting.callback);
  }

  /** The channel is gone: release any waiting write and drop everything from now on. Idempotent. */
  detach(): void {
    this.detached = true;
    this.target = undefined;
    const waiting = this.queued;
    this.queued = undefined;
    waiting?.callback();
    this.inflight?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytes += chunk.length;
    if (this.detached) return callback();
    if (!this.target) {
      this.queued = { chunk, callback };
      return;
    }
    this.forward(this.target, chunk, callback);
  }

  private forward(target: WriteTarget, chunk: Buffer, callback: (error?: Error | null) => void): void {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (this.inflight === finish) this.inflight = undefined;
      callback();
    };
    this.inflight = finish;
    target.write(chunk, finish);
  }
}
