// Length-prefixed frames: Docker's multiplexed exec output (8-byte headers) and the relay's own frames (5-byte headers).

export interface Frame {
  /** The header's first byte: Docker's stream number (1 stdout, 2 stderr) or the relay's frame letter. */
  type: number;
  payload: Buffer;
}

/** Docker's header: stream byte, three zero bytes, 4-byte big-endian length. */
export const DOCKER_HEADER = { size: 8, lengthAt: 4 } as const;
/** The relay's header: frame letter, 4-byte big-endian length. */
export const RELAY_HEADER = { size: 5, lengthAt: 1 } as const;

/** Frames split across reads are reassembled; a frame is only held in memory while it is incomplete. */
export class FrameParser {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly header: { size: number; lengthAt: number }) {}

  /** Bytes of an incomplete frame held back (0 at a frame boundary). */
  get buffered(): number {
    return this.pending.length;
  }

  /** Feeds bytes; returns the frames they complete, in order. */
  push(chunk: Buffer): Frame[] {
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    const { size, lengthAt } = this.header;
    while (data.length >= size) {
      const length = data.readUInt32BE(lengthAt);
      if (data.length < size + length) break;
      frames.push({ type: data[0] ?? 0, payload: data.subarray(size, size + length) });
      data = data.subarray(size + length);
    }
    this.pending = data;
    return frames;
  }
}

/** One relay frame (type letter, then the payload). */
export function relayFrame(type: 'D' | 'E' | 'K', payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(RELAY_HEADER.size);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(payload.length, RELAY_HEADER.lengthAt);
  return Buffer.concat([head, payload]);
}

/** Docker's stream number for stderr in a multiplexed exec stream. */
const DOCKER_STDERR = 2;
/** How much of a relay's stderr is kept for error messages. */
const STDERR_KEEP = 2048;

/**
 * Reads a relay exec's multiplexed output: stdout carries relay frames (returned by push), stderr is kept, bounded,
 * for the message when the relay fails.
 */
export class RelayOutput {
  private readonly docker = new FrameParser(DOCKER_HEADER);
  private readonly relay = new FrameParser(RELAY_HEADER);
  private kept = '';

  /** The relay's stderr so far (at most STDERR_KEEP characters), trimmed. */
  get stderr(): string {
    return this.kept.trim();
  }

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    for (const frame of this.docker.push(chunk)) {
      if (frame.type === DOCKER_STDERR) {
        if (this.kept.length < STDERR_KEEP) this.kept += frame.payload.toString('utf8').slice(0, STDERR_KEEP);
      } else {
        frames.push(...this.relay.push(frame.payload));
      }
    }
    return frames;
  }
}
