// Moves bytes between Docker's hijacked connection and SessionIO: demultiplexing, backpressure, stdin half-close.
import { once } from 'node:events';
import type { Duplex, Readable, Writable } from 'node:stream';

/** Writes `buf` and waits for room when the target asks for it; drops data once the target is gone. */
export async function writeWithBackpressure(target: Writable, buf: Buffer): Promise<void> {
  if (buf.length === 0 || target.destroyed || target.writableEnded) return;
  if (target.write(buf)) return;
  if (target.destroyed) return;
  const ac = new AbortController();
  try {
    await Promise.race([
      once(target, 'drain', { signal: ac.signal }),
      once(target, 'close', { signal: ac.signal }),
      once(target, 'error', { signal: ac.signal }).catch(() => undefined),
    ]);
  } catch {
    // the target failed: its owner sees the error; output is dropped from here on
  } finally {
    ac.abort();
  }
}

/** Consumes a process-id header from the start of the stdout bytes and passes the rest on. */
export interface HeaderReader {
  /** Returns the bytes after the header (empty while the header is incomplete). */
  feed(chunk: Buffer): Buffer;
  readonly done: boolean;
  /** The process id, once done; undefined when the header was malformed. */
  readonly pid: number | undefined;
}

/**
 * A header read from the front of the output: `parse` sees everything buffered so far and returns undefined while
 * it needs more bytes, or the pid (undefined when malformed) and the bytes that belong to the program's output.
 */
function bufferedHeader(parse: (pending: Buffer) => { pid: number | undefined; rest: Buffer } | undefined): HeaderReader {
  let pending = Buffer.alloc(0);
  const state = { done: false, pid: undefined as number | undefined };
  return {
    get done() { return state.done; },
    get pid() { return state.pid; },
    feed(chunk) {
      if (state.done) return chunk;
      pending = Buffer.concat([pending, chunk]);
      const parsed = parse(pending);
      if (parsed === undefined) return Buffer.alloc(0);
      state.done = true;
      state.pid = parsed.pid;
      return parsed.rest;
    },
  };
}

/** The guest agent's header: 4 bytes, little-endian. */
export function agentHeader(): HeaderReader {
  return bufferedHeader((pending) => (pending.length < 4 ? undefined : { pid: pending.readUInt32LE(0), rest: pending.subarray(4) }));
}

/** cssh's shell wrapper header: the decimal pid and a newline (CRLF under a TTY); anything else is output. */
export function lineHeader(): HeaderReader {
  return bufferedHeader((pending) => {
    const nl = pending.indexOf(0x0a);
    if (nl < 0 && pending.length < 24) return undefined;
    const text = pending.subarray(0, Math.max(nl, 0)).toString('latin1').replace(/\r$/, '');
    if (nl < 0 || !/^\d+$/.test(text)) return { pid: undefined, rest: pending };
    return { pid: Number(text), rest: pending.subarray(nl + 1) };
  });
}

export interface OutputOptions {
  tty: boolean;
  stdout: Writable;
  stderr: Writable;
  header?: HeaderReader;
  /** Called once the header is complete (or the stream ended without one). */
  onHeader?: (pid: number | undefined) => void;
}

/**
 * How the output ended: `eof` when the engine closed the stream cleanly, `cut` when the connection broke (an error,
 * or a clean close in the middle of a multiplexed frame).
 */
export type OutputEnd = 'eof' | 'cut';

/** Streams Docker output to stdout/stderr until the source ends. Never rejects; never buffers more than a frame header. */
export async function pumpOutput(source: Readable, o: OutputOptions): Promise<OutputEnd> {
  let headerReported = false;
  const reportHeader = (): void => {
    if (headerReported) return;
    headerReported = true;
    o.onHeader?.(o.header?.pid);
  };
  if (o.header === undefined) reportHeader();
  const toStdout = async (buf: Buffer): Promise<void> => {
    if (o.header !== undefined && !o.header.done) {
      buf = o.header.feed(buf);
      if (o.header.done) reportHeader();
    }
    await writeWithBackpressure(o.stdout, buf);
  };
  let frameHeader = Buffer.alloc(0);
  let remaining = 0;
  let streamType = 1;
  try {
    for await (const raw of source) {
      let chunk = raw as Buffer;
      if (o.tty) {
        await toStdout(chunk);
        continue;
      }
      while (chunk.length > 0) {
        if (remaining === 0) {
          const need = 8 - frameHeader.length;
          frameHeader = Buffer.concat([frameHeader, chunk.subarray(0, need)]);
          chunk = chunk.subarray(need);
          if (frameHeader.length < 8) break;
          streamType = frameHeader[0] ?? 1;
          remaining = frameHeader.readUInt32BE(4);
          frameHeader = Buffer.alloc(0);
          continue;
        }
        const part = chunk.subarray(0, remaining);
        chunk = chunk.subarray(part.length);
        remaining -= part.length;
        if (streamType === 2) await writeWithBackpressure(o.stderr, part);
        else await toStdout(part);
      }
    }
  } catch {
    // a reset connection ends the output; the caller reads the exit code and tells the user
    reportHeader();
    return 'cut';
  }
  reportHeader();
  return remaining > 0 || frameHeader.length > 0 ? 'cut' : 'eof';
}

/**
 * Copies client stdin into the program; at stdin's end half-closes the program's stdin, except under a TTY: there,
 * as with OpenSSH's sshd, the client's EOF leaves the terminal open (closing a TTY's input makes Docker cut the
 * program's output; a user ends input with Ctrl-D, a byte the terminal handles). Returns a detach function.
 */
export function pumpInput(stdin: Readable, dest: Duplex, onError: (error: unknown) => void, tty = false): () => void {
  let detached = false;
  const onData = (chunk: Buffer): void => {
    if (dest.destroyed || dest.writableEnded) return;
    if (!dest.write(chunk)) {
      stdin.pause();
      dest.once('drain', () => { if (!detached) stdin.resume(); });
    }
  };
  const onEnd = (): void => {
    if (!tty && !dest.destroyed && !dest.writableEnded) dest.end();
  };
  const onDestError = (error: unknown): void => onError(error);
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  dest.on('error', onDestError);
  if (stdin.readableEnded) onEnd();
  return () => {
    detached = true;
    stdin.off('data', onData);
    stdin.off('end', onEnd);
  };
}
