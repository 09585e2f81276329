// The one file that talks to dockerode for containers and execs: small calls, each bounded by an AbortSignal.
import type { Duplex, Readable } from 'node:stream';
import type Dockerode from 'dockerode';

/** Terminal size in Docker's terms. */
export interface TtySize {
  rows: number;
  cols: number;
}

/** The HTTP status of a failed Docker call, if any. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Runs `fn` with a signal that follows `signal` only until `fn` settles, so long-lived hijacked streams are not
 * torn down when the deadline of the call that opened them passes later.
 */
async function scoped<T>(signal: AbortSignal, fn: (s: AbortSignal) => Promise<T>): Promise<T> {
  const local = new AbortController();
  const onAbort = (): void => local.abort(signal.reason);
  if (signal.aborted) throw signal.reason;
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await fn(local.signal);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export async function createContainer(
  docker: Dockerode,
  body: Dockerode.ContainerCreateOptions,
  signal: AbortSignal,
): Promise<string> {
  const c = await docker.createContainer({ ...body, abortSignal: signal });
  return c.id;
}

export async function startContainer(docker: Dockerode, id: string, signal: AbortSignal): Promise<void> {
  await docker.getContainer(id).start({ abortSignal: signal });
}

/**
 * Attaches stdin/stdout/stderr to a created, not yet started container: the live stream only, as `docker run` does.
 * Asking for a log replay as well (`logs: true`) lets the replay and the live stream overlap when the program writes
 * right at start, which delivers output twice (moby/moby#29285); attaching before start loses nothing without it.
 */
export async function attachContainer(docker: Dockerode, id: string, signal: AbortSignal): Promise<Duplex> {
  return scoped(signal, async (s) => {
    const stream = await docker.getContainer(id).attach({
      stream: true, stdin: true, stdout: true, stderr: true, logs: false, hijack: true, abortSignal: s,
    });
    return stream as unknown as Duplex;
  });
}

/** How many processes run in a container (Docker's top); 0 when it is not running. */
export async function processCount(docker: Dockerode, id: string, signal: AbortSignal): Promise<number> {
  try {
    const top = (await docker.getContainer(id).top({ abortSignal: signal })) as { Processes?: unknown[] } | null;
    return top?.Processes?.length ?? 0;
  } catch (error) {
    if (statusOf(error) === 409 || statusOf(error) === 404) return 0; // not running, or gone
    throw error;
  }
}

export async function killContainer(docker: Dockerode, id: string, sig: string, signal: AbortSignal): Promise<void> {
  await docker.getContainer(id).kill({ signal: sig, abortSignal: signal });
}

export async function resizeContainer(docker: Dockerode, id: string, size: TtySize, signal: AbortSignal): Promise<void> {
  await docker.getContainer(id).resize({ h: size.rows, w: size.cols, abortSignal: signal });
}

export interface ProcessState {
  running: boolean;
  restarting: boolean;
  exitCode: number;
}

export async function inspectContainer(docker: Dockerode, id: string, signal: AbortSignal): Promise<ProcessState> {
  const info = await docker.getContainer(id).inspect({ abortSignal: signal } as Dockerode.ContainerInspectOptions);
  return { running: info.State.Running, restarting: info.State.Restarting, exitCode: info.State.ExitCode };
}

/** Who programs run as, and where, in a container (its config merged with the image's). */
export interface RunContext {
  user: string;
  workingDir: string;
  env: string[];
  /** Mount points of tmpfs mounts (Docker's archive API sees the filesystem underneath them). */
  tmpfs: string[];
}

export async function inspectRunContext(docker: Dockerode, id: string, signal: AbortSignal): Promise<RunContext> {
  const info = await docker.getContainer(id).inspect({ abortSignal: signal } as Dockerode.ContainerInspectOptions);
  const tmpfs = [
    ...Object.keys(info.HostConfig.Tmpfs ?? {}),
    ...(info.Mounts ?? []).filter((m) => m.Type === 'tmpfs').map((m) => m.Destination),
  ];
  return { user: info.Config.User ?? '', workingDir: info.Config.WorkingDir || '/', env: info.Config.Env ?? [], tmpfs };
}

/** Force-removes a container with its anonymous volumes. A 404 counts as removed. */
export async function removeContainer(docker: Dockerode, id: string, signal: AbortSignal): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true, v: true, abortSignal: signal });
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

/** Ids of all containers (any state) carrying this label (`key=value`). */
export async function listContainersByLabel(docker: Dockerode, label: string, signal: AbortSignal): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [label] }, abortSignal: signal });
  return list.map((c) => c.Id);
}

/** A container as the reconciler sees it. */
export interface LabelledContainer {
  id: string;
  labels: Record<string, string>;
  /** Creation time, ms since the epoch. */
  createdMs: number;
  /** Docker's state word: created, running, exited, dead, ... */
  state: string;
}

/** Every container (running or not) that carries `label` ("key" or "key=value"), with its labels and creation time. */
export async function listLabelledContainers(docker: Dockerode, label: string, signal: AbortSignal): Promise<LabelledContainer[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [label] }, abortSignal: signal });
  return list.map((c) => ({ id: c.Id, labels: c.Labels ?? {}, createdMs: c.Created * 1000, state: c.State }));
}

/** Whether `path` exists in the container's file system (works before the container starts). */
/** Docker's archive HEAD for `path` (its stat header), or undefined when the path does not exist. */
async function archiveHead(docker: Dockerode, id: string, path: string, signal: AbortSignal): Promise<(Readable & { headers?: Record<string, string | undefined> }) | undefined> {
  try {
    const answer: unknown = await docker.getContainer(id).infoArchive({ path, abortSignal: signal });
    const res = answer as Readable & { headers?: Record<string, string | undefined> };
    res.resume();
    return res;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export async function pathExists(docker: Dockerode, id: string, path: string, signal: AbortSignal): Promise<boolean> {
  return (await archiveHead(docker, id, path, signal)) !== undefined;
}

/** Extracts a tar archive into the container at `/` (parent directories are created by the engine). */
export async function uploadArchive(docker: Dockerode, id: string, tar: Buffer, signal: AbortSignal): Promise<void> {
  const res = (await docker.getContainer(id).putArchive(tar, { path: '/', abortSignal: signal })) as unknown;
  (res as Readable | undefined)?.resume?.();
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

/** Go's os.ModeDir bit, as Docker reports file modes. */
const GO_MODE_DIR = 2 ** 31;

/** Stats a path inside the container (any image, no exec); undefined when it does not exist. */
export async function statPath(docker: Dockerode, id: string, path: string, signal: AbortSignal): Promise<PathStat | undefined> {
  const res = await archiveHead(docker, id, path, signal);
  if (res === undefined) return undefined;
  const raw = res.headers?.['x-docker-container-path-stat'];
  if (raw === undefined) throw new Error(`Docker reported no file information for ${path}`);
  const stat = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as { name: string; size: number; mode: number; mtime: string };
  const mtime = Math.floor(Date.parse(stat.mtime) / 1000);
  return {
    name: stat.name, size: stat.size, mode: stat.mode % 0o10000,
    isDir: Math.floor(stat.mode / GO_MODE_DIR) % 2 === 1, mtime: Number.isFinite(mtime) ? mtime : 0,
  };
}

/** Extracts the tar read from `tar` into the existing directory `dir` of the container. */
export async function putArchiveStream(docker: Dockerode, id: string, dir: string, tar: Readable, signal: AbortSignal): Promise<void> {
  const res = (await docker.getContainer(id).putArchive(tar, { path: dir, abortSignal: signal })) as unknown;
  (res as Readable | undefined)?.resume?.();
}

/** A tar of `path` (its own name first, then its contents when it is a directory). */
export async function getArchiveStream(docker: Dockerode, id: string, path: string, signal: AbortSignal): Promise<Readable> {
  return scoped(signal, async (sig) => (await docker.getContainer(id).getArchive({ path, abortSignal: sig })) as unknown as Readable);
}

export interface ExecSpec {
  cmd: string[];
  env: string[];
  tty: boolean;
  size?: TtySize;
  /** API 1.42+ accepts ConsoleSize at exec create. */
  consoleSize: boolean;
}

export async function createExec(docker: Dockerode, id: string, spec: ExecSpec, signal: AbortSignal): Promise<string> {
  const opts: Dockerode.ExecCreateOptions & { abortSignal: AbortSignal } = {
    Cmd: spec.cmd, Env: spec.env, Tty: spec.tty,
    AttachStdin: true, AttachStdout: true, AttachStderr: true, abortSignal: signal,
  };
  if (spec.consoleSize && spec.tty && spec.size !== undefined) opts.ConsoleSize = [spec.size.rows, spec.size.cols];
  const exec = await docker.getContainer(id).exec(opts);
  return exec.id;
}

/** Starts an exec and returns its hijacked connection (stdin write side, multiplexed or raw output). */
export async function startExec(docker: Dockerode, execId: string, tty: boolean, signal: AbortSignal): Promise<Duplex> {
  return scoped(signal, async (s) => {
    const stream = await docker.getExec(execId).start({ hijack: true, stdin: true, Tty: tty, abortSignal: s });
    return stream;
  });
}

export async function resizeExec(docker: Dockerode, execId: string, size: TtySize, signal: AbortSignal): Promise<void> {
  await docker.getExec(execId).resize({ h: size.rows, w: size.cols, abortSignal: signal });
}

export async function inspectExec(docker: Dockerode, execId: string, signal: AbortSignal): Promise<ProcessState> {
  const info = await docker.getExec(execId).inspect({ abortSignal: signal } as object);
  return { running: info.Running, restarting: false, exitCode: info.ExitCode ?? -1 };
}

/** Bounds of a helper exec (signal delivery): output bytes kept, bytes read at most, and ms its output may take. */
export const HELPER_LIMITS = { keepBytes: 4096, readBytes: 1024 * 1024, outputMs: 10_000 };

/** A helper exec printed more than HELPER_LIMITS.readBytes or did not finish within HELPER_LIMITS.outputMs. */
export class HelperLimitError extends Error {
  /** Retrying runs the same helper, which will do the same again. */
  readonly permanent = true;
}

/**
 * Runs a short helper exec to its end and returns its exit code and the start of its output. The container's user
 * controls what the helper runs (they can replace /bin/sh or the agent), so its output is bounded: the first
 * `keepBytes` are kept, more is read and dropped, and past `readBytes` or `outputMs` after it started the helper is
 * given up (HelperLimitError); the exec itself is left to the container. `signal` bounds create and start.
 */
export async function runHelper(docker: Dockerode, id: string, cmd: string[], signal: AbortSignal): Promise<{ code: number; output: string }> {
  const execId = await createExec(docker, id, { cmd, env: [], tty: false, consoleSize: false }, signal);
  const stream = await startExec(docker, execId, false, signal);
  const chunks: Buffer[] = [];
  let read = 0;
  let kept = 0;
  let overrun: string | undefined;
  const giveUp = (why: string): void => {
    overrun ??= why;
    stream.destroy();
  };
  const timer = setTimeout(() => giveUp(`its output did not end within ${HELPER_LIMITS.outputMs} ms`), HELPER_LIMITS.outputMs);
  const onAbort = (): void => giveUp('the deadline passed');
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    stream.end();
    for await (const raw of stream) {
      const chunk = raw as Buffer;
      read += chunk.length;
      if (kept < HELPER_LIMITS.keepBytes) {
        const part = chunk.subarray(0, HELPER_LIMITS.keepBytes - kept);
        chunks.push(part);
        kept += part.length;
      }
      if (read > HELPER_LIMITS.readBytes) giveUp(`it printed more than ${HELPER_LIMITS.readBytes} bytes`);
    }
  } catch (error) {
    if (overrun === undefined) throw error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    if (!stream.destroyed) stream.destroy();
  }
  if (overrun !== undefined) throw new HelperLimitError(`helper ${JSON.stringify(cmd[0] ?? '')} given up: ${overrun}`);
  let state = await inspectExec(docker, execId, signal);
  for (let i = 0; state.running && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 20));
    state = await inspectExec(docker, execId, signal);
  }
  return { code: state.exitCode, output: Buffer.concat(chunks).toString('latin1') };
}
