// DockerEngine: the one interface through which cssh talks to a Docker engine, in cssh's own types (no dockerode types).
import type { Duplex, Readable } from 'node:stream';

/**
 * Error contract of every DockerEngine method. A call the engine answered with a failure rejects with an Error whose
 * `statusCode` is the HTTP status (and, when the engine sent one, `json.message` its own words); a call that never
 * reached the engine rejects with an Error whose `code` is the socket error (ECONNREFUSED, ENOENT, ...); an aborted
 * call rejects with the abort reason. cssh's retry and error classification (docker-call.ts, image-errors.ts) rely
 * on exactly these two fields, so a fake engine must throw them too (see engineError).
 */
export interface EngineError extends Error {
  statusCode?: number;
  code?: string;
  json?: { message?: string };
}

/** An error as an engine answering HTTP `status` would raise it (for fakes and adapters). */
export function engineError(status: number, message: string): EngineError {
  const error: EngineError = new Error(`(HTTP code ${status}) ${message}`);
  error.statusCode = status;
  error.json = { message };
  return error;
}

/** The HTTP status of a failed engine call, if any. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Terminal size in Docker's terms. */
export interface TtySize {
  rows: number;
  cols: number;
}

/**
 * A ContainerCreate body as the Engine API takes it (Image, Cmd, Env, Labels, HostConfig, NetworkingConfig, ...),
 * passed through from the configuration. `name` and `platform` travel as query parameters.
 */
export interface ContainerCreateSpec {
  Image?: string;
  Cmd?: string[];
  Env?: string[];
  Labels?: Record<string, string>;
  Tty?: boolean;
  HostConfig?: Record<string, unknown>;
  NetworkingConfig?: Record<string, unknown>;
  name?: string;
  platform?: string;
  [key: string]: unknown;
}

/** Whether a process (a container's main process, or an exec) runs, and how it ended. */
export interface ProcessState {
  running: boolean;
  restarting: boolean;
  exitCode: number;
}

/** Who programs run as, and where, in a container (its config merged with the image's). */
export interface RunContext {
  user: string;
  workingDir: string;
  env: string[];
  /** Mount points of tmpfs mounts (Docker's archive API sees the filesystem underneath them). */
  tmpfs: string[];
}

/** What ContainerInspect reports that cssh uses. */
export interface ContainerDetails extends ProcessState, RunContext {
  labels: Record<string, string>;
}

/** A container as a label listing sees it. */
export interface LabelledContainer {
  id: string;
  labels: Record<string, string>;
  /** Creation time, ms since the epoch. */
  createdMs: number;
  /** Docker's state word: created, running, exited, dead, ... */
  state: string;
}

/** What Docker's archive HEAD reports about a path in a container. */
export interface PathStat {
  name: string;
  size: number;
  /** Permission bits (0o7777). */
  mode: number;
  isDir: boolean;
  /** Modification time, seconds since the epoch. */
  mtime: number;
}

/** An exec to create in a running container. */
export interface ExecSpec {
  cmd: string[];
  env: string[];
  tty: boolean;
  size?: TtySize;
  /** API 1.42+ accepts ConsoleSize at exec create (sent only with `tty` and `size`). */
  consoleSize: boolean;
  /** The exec's user ("uid:gid"); the container's user when absent. */
  user?: string;
}

/** The ExecCreate body for `spec`: ConsoleSize ([rows, cols]) only when the API takes it and there is a TTY size. */
export function execCreateBody(spec: ExecSpec): {
  Cmd: string[]; Env: string[]; Tty: boolean; AttachStdin: true; AttachStdout: true; AttachStderr: true; ConsoleSize?: [number, number]; User?: string;
} {
  const body: ReturnType<typeof execCreateBody> = {
    Cmd: spec.cmd, Env: spec.env, Tty: spec.tty, AttachStdin: true, AttachStdout: true, AttachStderr: true,
  };
  if (spec.consoleSize && spec.tty && spec.size !== undefined) body.ConsoleSize = [spec.size.rows, spec.size.cols];
  if (spec.user !== undefined) body.User = spec.user;
  return body;
}

/** What the engine knows about an image. `size` in bytes, `created` an ISO date. */
export type ImagePresence = { present: false } | { present: true; id: string; size: number; created: string; repoTags: string[] };

/** Registry credentials for a pull or a distribution inspect (Engine API AuthConfig, the X-Registry-Auth header). */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  email?: string;
  serveraddress: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** The parsed answer of GET /version. */
export interface EngineVersion {
  /** The newest Engine API version the engine speaks ("1.47"); undefined when the answer had none. */
  apiVersion: string | undefined;
  minApiVersion: string | undefined;
  /** The whole answer, for anything else a caller wants to show. */
  raw: unknown;
}

/**
 * The Docker engine as cssh uses it. Every call is bounded by its `signal`; hijacked streams (attach, exec start,
 * archive get) outlive the signal of the call that opened them once that call has resolved.
 */
export interface DockerEngine {
  /** Where the engine is, as a URL for messages ("unix:///var/run/docker.sock"). */
  readonly endpoint: string;
  /** The negotiated Engine API version ("1.43"), or "" for a client not pinned to one. */
  readonly apiVersion: string;

  ping(signal?: AbortSignal): Promise<void>;
  version(signal: AbortSignal): Promise<EngineVersion>;

  /** Creates a container and resolves with its id. */
  createContainer(spec: ContainerCreateSpec, signal: AbortSignal): Promise<string>;
  startContainer(id: string, signal: AbortSignal): Promise<void>;
  /** Attaches stdin/stdout/stderr (live stream only, no log replay) to a container; multiplexed unless it has a TTY. */
  attachContainer(id: string, signal: AbortSignal): Promise<Duplex>;
  inspectContainer(id: string, signal: AbortSignal): Promise<ContainerDetails>;
  /** The command line of each process running in the container (Docker's top); none when it is not running or gone. */
  listProcesses(id: string, signal: AbortSignal): Promise<string[]>;
  killContainer(id: string, signalName: string, signal: AbortSignal): Promise<void>;
  /** Resolves once the container is not running (stopped, or gone: a 404 counts as stopped); rejects on `signal`. */
  waitContainer(id: string, signal: AbortSignal): Promise<void>;
  resizeContainer(id: string, size: TtySize, signal: AbortSignal): Promise<void>;
  /** Gives a container a new name (a warm pool container handed to a connection, so `docker ps` shows whose it is). */
  renameContainer(id: string, name: string, signal: AbortSignal): Promise<void>;
  /** Force-removes a container with its anonymous volumes. A container that is already gone counts as removed. */
  removeContainer(id: string, signal: AbortSignal): Promise<void>;
  /** Every container (any state) carrying `label` ("key" or "key=value"). */
  listContainers(label: string, signal: AbortSignal): Promise<LabelledContainer[]>;

  /** Whether `path` exists in the container's file system (works before the container starts). */
  pathExists(id: string, path: string, signal: AbortSignal): Promise<boolean>;
  /** Stats a path inside the container; undefined when it does not exist. */
  statPath(id: string, path: string, signal: AbortSignal): Promise<PathStat | undefined>;
  /** Extracts a tar archive into the existing directory `dir` of the container. */
  putArchive(id: string, dir: string, tar: Buffer | Readable, signal: AbortSignal): Promise<void>;
  /** A tar of `path` (its own name first, then its contents when it is a directory). */
  getArchive(id: string, path: string, signal: AbortSignal): Promise<Readable>;

  /** Creates an exec and resolves with its id. */
  createExec(containerId: string, spec: ExecSpec, signal: AbortSignal): Promise<string>;
  /** Starts an exec and returns its hijacked connection (stdin write side, multiplexed or raw output). */
  startExec(execId: string, tty: boolean, signal: AbortSignal): Promise<Duplex>;
  resizeExec(execId: string, size: TtySize, signal: AbortSignal): Promise<void>;
  inspectExec(execId: string, signal: AbortSignal): Promise<ProcessState>;

  /** Inspects `name` (a reference or an id); absent when the engine answers 404. */
  inspectImage(name: string, signal: AbortSignal): Promise<ImagePresence>;
  /**
   * Starts a pull (ImageCreate) of `repository:tag` and resolves with its progress stream (JSON lines) once the
   * engine accepted it; an HTTP failure rejects.
   */
  pullImage(repository: string, tag: string, credentials: RegistryCredentials | undefined, signal: AbortSignal): Promise<Readable>;
  /** Asks the registry through the engine (distribution inspect) for `reference`; resolves with the manifest digest ("" when none). */
  distributionDigest(reference: string, credentials: RegistryCredentials | undefined, signal: AbortSignal): Promise<string>;
}

/** True when `apiVersion` ("1.43") is at least `want` ("1.42"). */
export function apiAtLeast(apiVersion: string, want: string): boolean {
  const [a1 = 0, a2 = 0] = apiVersion.split('.').map(Number);
  const [b1 = 0, b2 = 0] = want.split('.').map(Number);
  return a1 !== b1 ? a1 > b1 : a2 >= b2;
}

/** The first Engine API version that takes ConsoleSize on container create and exec create (Docker 23). */
export const CONSOLE_SIZE_API = '1.42';
