// Single-attempt image calls: inspect (present or not) and pull (progress stream read to its end, errors inside it surfaced).
import type { IncomingMessage } from 'node:http';
import type Dockerode from 'dockerode';
import { dialJson } from './docker-client.js';
import type { ImageReference } from './image-name.js';
import type { PullCredentials } from './registry-auth.js';

/** What the engine knows about an image. `size` in bytes, `created` an ISO date. */
export type ImagePresence = { present: false } | { present: true; id: string; size: number; created: string; repoTags: string[] };

/** Inspects `name` (a reference or an id). 404 means absent; any other failure rejects with the docker-modem error. */
export async function inspectImage(docker: Dockerode, name: string, signal: AbortSignal): Promise<ImagePresence> {
  let body: unknown;
  try {
    body = await dialJson(docker, 'GET', `/images/${name}/json`, signal);
  } catch (error) {
    if ((error as { statusCode?: unknown }).statusCode === 404) return { present: false };
    throw error;
  }
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    present: true,
    id: typeof record.Id === 'string' ? record.Id : '',
    size: typeof record.Size === 'number' ? record.Size : 0,
    created: typeof record.Created === 'string' ? record.Created : '',
    repoTags: Array.isArray(record.RepoTags) ? record.RepoTags.filter((t): t is string => typeof t === 'string') : [],
  };
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
 * Pulls `ref` once (ImageCreate) and reads the progress stream to its end. Rejects with the docker-modem error for an
 * HTTP failure (statusCode set), a PullStreamError for an error line inside the stream, or the abort reason.
 * Resolves with the last status line ("Status: Downloaded newer image for ...").
 */
export async function pullImage(
  docker: Dockerode,
  ref: ImageReference,
  credentials: PullCredentials | undefined,
  options: PullOptions,
): Promise<string> {
  const stream = await openPullStream(docker, ref, credentials, options.signal);
  return readPullStream(stream, options);
}

function openPullStream(
  docker: Dockerode,
  ref: ImageReference,
  credentials: PullCredentials | undefined,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const tag = ref.digest ?? ref.tag ?? 'latest';
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: '/images/create?',
        method: 'POST',
        options: { fromImage: ref.repository, tag },
        ...(credentials === undefined ? {} : { authconfig: { ...credentials } }),
        abortSignal: signal,
        isStream: true,
        statusCodes: { 200: true, 400: 'bad request', 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 500: 'server error' },
      },
      (error, data) => (error === null ? resolve(data as IncomingMessage) : reject(error)),
    );
  });
}

function readPullStream(stream: IncomingMessage, options: PullOptions): Promise<string> {
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
export async function checkRemoteImage(
  docker: Dockerode,
  ref: ImageReference,
  credentials: PullCredentials | undefined,
  signal: AbortSignal,
): Promise<string> {
  const body = await new Promise<unknown>((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/distribution/${ref.canonical}/json`,
        method: 'GET',
        ...(credentials === undefined ? {} : { authconfig: { ...credentials } }),
        abortSignal: signal,
        statusCodes: { 200: true, 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 500: 'server error' },
      },
      (error, data) => (error === null ? resolve(data) : reject(error)),
    );
  });
  const descriptor = (body as { Descriptor?: { digest?: unknown } } | null)?.Descriptor;
  return typeof descriptor?.digest === 'string' ? descriptor.digest : '';
}
