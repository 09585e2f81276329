// The id that labels this server's containers (cssh.instance): random, kept in the state directory, held by one process.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { CsshError } from '../../../core/errors.js';

/** File in the state directory that keeps the id across restarts: `{"id": "...", "host": "..."}`. */
export const INSTANCE_ID_FILE = 'instance-id';
/** File in the state directory held by the process that uses the persisted id: `{"id", "host", "pid"}`. */
export const INSTANCE_LOCK_FILE = 'instance.lock';

const VALID_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Where the id came from. `state`: the one kept in the state directory (a restart finds what an earlier run left);
 * `process`: another live process holds the state directory's id, so this one uses an id of its own for its lifetime.
 */
export type InstanceIdSource = 'flag' | 'config' | 'state' | 'process';

export interface InstanceIdentity {
  id: string;
  source: InstanceIdSource;
  /** Why the id is not the persisted one, for a log line; undefined when nothing unusual happened. */
  note?: string;
  /** Gives the state directory's id back (removes the lock file if this process holds it). Idempotent, never throws. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  stateDir: string;
  /** --instance (source `flag`) or the config's instance.id (source `config`): used as is, nothing persisted or locked. */
  override?: { id: string; source: 'flag' | 'config' };
  /** Seams for tests: this machine's name, this process's id, and whether a pid on this machine is alive. */
  host?: string;
  pid?: number;
  isAlive?: (pid: number) => boolean;
}

/** A new random id: 16 hex characters (64 random bits). */
export function randomInstanceId(): string {
  return randomBytes(8).toString('hex');
}

/** Throws a CsshError naming the problem when `id` cannot be a label value cssh uses. */
export function checkInstanceId(id: string, where: string): void {
  if (!VALID_ID.test(id)) {
    throw new CsshError('CONFIG_INVALID', `${where}: "${id}" is not a usable instance id; use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`, { permanent: true });
  }
}

/**
 * The instance id of this server. Persisted means "kept in this state directory on this machine": the id file
 * records the host that made it, so a state directory copied to another machine (an image, a backup) gets a new id
 * there, and replicas whose state directories have the same path in separate mount namespaces each make their own.
 * Two processes on one machine sharing one state directory are told apart by a lock file: the first holds the
 * persisted id; the others use a random id of their own (source `process`) and say so. A lock left by a process
 * that is gone (SIGKILL, crash) is taken over, so a restart still finds what the earlier run left behind. A lock
 * written on another host (a state directory on shared storage) cannot be checked and is treated as held.
 */
export async function acquireInstanceId(o: AcquireOptions): Promise<InstanceIdentity> {
  if (o.override !== undefined) {
    checkInstanceId(o.override.id, o.override.source === 'flag' ? '--instance' : 'instance.id');
    return { id: o.override.id, source: o.override.source, release: async () => undefined };
  }
  const host = o.host ?? osHostname();
  const pid = o.pid ?? process.pid;
  const isAlive = o.isAlive ?? pidAlive;
  await mkdir(o.stateDir, { recursive: true, mode: 0o700 });
  const persisted = await persistedId(o.stateDir, host);
  const held = await takeLock(join(o.stateDir, INSTANCE_LOCK_FILE), { id: persisted.id, host, pid }, host, isAlive);
  if (held.ok) {
    return { id: persisted.id, source: 'state', note: persisted.note, release: held.release };
  }
  return {
    id: randomInstanceId(),
    source: 'process',
    note: `${held.why}; this process uses an id of its own, and what it leaves behind after a crash is removed by \`cssh sweep --instance <id>\``,
    release: async () => undefined,
  };
}

interface IdFile { id: string; host: string }
interface LockFile { id: string; host: string; pid: number }

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Creates `path` with `data` only if it does not exist (atomic even against a concurrent creator). */
async function createExclusive(path: string, data: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, data, { mode: 0o600 });
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

async function persistedId(stateDir: string, host: string): Promise<{ id: string; note?: string }> {
  const path = join(stateDir, INSTANCE_ID_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await readJson<IdFile>(path);
    if (current !== undefined && typeof current.id === 'string' && VALID_ID.test(current.id)) {
      if (current.host === host) return { id: current.id };
      // Made on another machine: replace it (atomically), so two machines never share one id.
      const fresh: IdFile = { id: randomInstanceId(), host };
      const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      await writeFile(tmp, JSON.stringify(fresh) + '\n', { mode: 0o600 });
      await rename(tmp, path);
      return { id: fresh.id, note: `${path} was made on host "${current.host}", not "${host}" (a copied state directory?); made a new id` };
    }
    if (await createExclusive(path, JSON.stringify({ id: randomInstanceId(), host } satisfies IdFile) + '\n')) continue;
    // Someone else created it meanwhile (or it is unreadable): read again.
    if (current !== undefined) break;
  }
  throw new CsshError('DOCKER_INSTANCE_ID_FAILED', `cannot read or create ${path}; remove the file or choose another --state-dir`, { permanent: true });
}

type LockResult = { ok: true; release: () => Promise<void> } | { ok: false; why: string };

async function takeLock(path: string, mine: LockFile, host: string, isAlive: (pid: number) => boolean): Promise<LockResult> {
  const text = JSON.stringify(mine) + '\n';
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(path, text)) return { ok: true, release: once(() => releaseLock(path, text)) };
    const holderText = await readFile(path, 'utf8').catch(() => undefined);
    if (holderText === undefined) continue; // released meanwhile
    const holder = parseLock(holderText);
    if (holder !== undefined && holder.host !== host) {
      return { ok: false, why: `${path} is held by pid ${holder.pid} on host "${holder.host}" (shared state directory)` };
    }
    // A lock naming this very pid is an earlier run's: in a restarted container the server is pid 1 again.
    if (holder !== undefined && holder.pid !== mine.pid && isAlive(holder.pid)) {
      return { ok: false, why: `${path} is held by the running process ${holder.pid}` };
    }
    await removeStale(path, holderText);
  }
  return { ok: false, why: `${path} keeps changing (several servers starting at once?)` };
}

function parseLock(text: string): LockFile | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockFile>;
    if (typeof value.host === 'string' && typeof value.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0) {
      return { id: String(value.id), host: value.host, pid: value.pid };
    }
  } catch {
    // unreadable: a crash while writing it; treated as stale
  }
  return undefined;
}

/**
 * Moves a stale lock aside, and puts it back if what was moved is not the stale lock that was read (another process
 * took over in between): the rename is atomic, so at most one process ever removes a given lock file.
 */
async function removeStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return; // gone already: someone else handled it
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== staleText) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

async function releaseLock(path: string, text: string): Promise<void> {
  try {
    if ((await readFile(path, 'utf8')) === text) await unlink(path);
  } catch {
    // gone already
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

/**
 * The instance id a live process on this machine holds in `stateDir` (from its lock file), or undefined when no
 * live process holds it. Used by `cssh sweep` so it never removes the containers of the server running here.
 */
export async function localHolder(stateDir: string, host = osHostname()): Promise<{ id: string; pid: number } | undefined> {
  const text = await readFile(join(stateDir, INSTANCE_LOCK_FILE), 'utf8').catch(() => undefined);
  const lock = text === undefined ? undefined : parseLock(text);
  if (lock === undefined || lock.host !== host || !pidAlive(lock.pid)) return undefined;
  return { id: lock.id, pid: lock.pid };
}

/** Whether a process with this pid exists on this machine (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
