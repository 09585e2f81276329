// Single-attempt image calls: inspect (present or not) and pull (progress stream read to its end, errors inside it surfaced).
import type { Readable } from 'node:stream';
import type { DockerEngine, ImagePresence } from '../engine/docker-engine.js';
import type { ImageReference } from './image-name.js';
import type { PullCredentials } from './registry-auth.js';

export type { ImagePresence } from '../engine/docker-engine.js';

/** Inspects `name` (a reference or an id). 404 means absent; any other failure rejects with the engine's error. */
export function inspectImage(engine: DockerEngine, name: string, signal: AbortSignal): Promise<ImagePresence> {
  return engine.inspectImage(name, signal);
}

/** One line of the pull progress stream, as the engine sends it. */
export interface PullProgressLine {
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/** An error the engine reported inside the pull progress stream (HTTP status was 200). */
export class PullStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PullStreamError';
  }
}

export interface PullOptions {
  signal: AbortSignal;
  /** Called for each progress line; must not throw. */
  onProgress?: (line: PullProgressLine) => void;
}

/**
 * Pulls `ref` once (ImageCreate) and reads the progress stream to its end. Rejects with the engine error for an
 * HTTP failure (statusCode set), a PullStreamError for an error line inside the stream, or the abort reason.
 * Resolves with the last status line ("Status: Downloaded newer image for ...").
 */
export async function pullImage(
  engine: DockerEngine,
  ref: ImageReference,
  credentials: PullCredentials | undefined,
  options: PullOptions,
): Promise<string> {
  const stream = await engine.pullImage(ref.repository, ref.digest ?? ref.tag ?? 'latest', credentials, options.signal);
  return readPullStream(stream, options);
}

function readPullStream(stream: Readable, options: PullOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let lastStatus = '';
    let failure: Error | undefined;
    const onAbort = (): void => {
      stream.destroy();
      finish(options.signal.reason instanceof Error ? options.signal.reason : new Error('pull aborted'));
    };
    const finish = (error?: Error): void => {
      options.signal.removeEventListener('abort', onAbort);
      if (error !== undefined) reject(error);
      else if (failure !== undefined) reject(failure);
      else resolve(lastStatus);
    };
    const handleLine = (line: string): void => {
      const parsed = parseLine(line);
      if (parsed === undefined) return;
      if (parsed.error !== undefined || parsed.errorDetail?.message !== undefined) {
        failure ??= new PullStreamError(parsed.errorDetail?.message ?? parsed.error ?? 'unknown pull error');
        return;
      }
      if (parsed.status !== undefined) lastStatus = parsed.status;
      options.onProgress?.(parsed);
    };
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        handleLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    });
    stream.on('end', () => {
      handleLine(buffered);
      finish();
    });
    stream.on('error', (error) => finish(error));
    stream.on('aborted', () => finish(new Error('the Docker engine closed the pull stream early')));
  });
}

function parseLine(line: string): PullProgressLine | undefined {
  const text = line.trim();
  if (text === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Asks the registry, through the engine (GET /distribution/{name}/json), whether `ref` exists and the credentials
 * work, without pulling. Resolves with the manifest digest; rejects like a pull would (statusCode and engine text).
 */
export function checkRemoteImage(
  engine: DockerEngine,
  ref: ImageReference,
  credentials: PullCredentials | undefined,
  signal: AbortSignal,
): Promise<string> {
  return engine.distributionDigest(ref.canonical, credentials, signal);
}
