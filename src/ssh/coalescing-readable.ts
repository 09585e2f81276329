// Channel stdin for the backend: passes data on with backpressure and merges chunks that queue up meanwhile.
import { Readable } from 'node:stream';

/**
 * Reads `source` (an ssh2 channel, which delivers at most one 32 KiB SSH packet per chunk) and hands the consumer
 * everything queued since its last read as one chunk, so a slower consumer (the Docker socket) gets fewer, larger
 * writes. Pauses the source above `highWaterMark` queued bytes. Ends when the source ends (client EOF); `close()`
 * ends it early (channel closed). Never emits errors.
 */
export class CoalescingReadable extends Readable {
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private wanting = false;
  private sourceEnded = false;

  constructor(
    private readonly source: NodeJS.ReadableStream,
    private readonly limit = 1024 * 1024,
  ) {
    super({ highWaterMark: limit });
    source.on('data', (chunk: Buffer) => this.onData(chunk));
    source.once('end', () => this.close());
  }

  private onData(chunk: Buffer): void {
    this.queued.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.wanting) this.flush();
    if (this.queuedBytes >= this.limit) this.source.pause();
  }

  override _read(): void {
    this.wanting = true;
    this.flush();
    if (this.queuedBytes < this.limit && !this.sourceEnded) this.source.resume();
  }

  private flush(): void {
    if (this.queued.length > 0) {
      const chunk = this.queued.length === 1 ? this.queued[0]! : Buffer.concat(this.queued, this.queuedBytes);
      this.queued = [];
      this.queuedBytes = 0;
      this.wanting = this.push(chunk);
    }
    if (this.sourceEnded && this.queued.length === 0) this.push(null);
  }

  /** No more input: deliver what is queued, then end. Idempotent. */
  close(): void {
    if (this.sourceEnded) return;
    this.sourceEnded = true;
    this.flush();
  }
}
