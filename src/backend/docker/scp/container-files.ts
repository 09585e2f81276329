// The file operations legacy scp needs, done through Docker's archive API (any image, no exec, no agent).
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import tar from 'tar-stream';
import type { DockerEngine, PathStat } from '../engine/docker-engine.js';

export interface FileMeta {
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
}

/** One entry of a directory tree read from the container; `path` is relative to the parent of the root read. */
export interface TreeEntry extends FileMeta {
  path: string;
  type: 'file' | 'directory' | 'other';
  size: number;
  /** The file's bytes (files only); whatever is left unread is skipped. */
  data: AsyncIterable<Buffer>;
}

/** What the scp server does to the container's filesystem. Paths are absolute. */
export interface ContainerFiles {
  stat(path: string): Promise<PathStat | undefined>;
  /** Writes `dir/name` with exactly `size` bytes from `data`. Rejects when the container refuses (e.g. no such dir). */
  writeFile(dir: string, name: string, meta: FileMeta & { size: number }, data: AsyncIterable<Buffer>): Promise<void>;
  makeDirectory(dir: string, name: string, meta: FileMeta): Promise<void>;
  /** The tree at `path`, root first, parents before children. */
  readTree(path: string): AsyncIterable<TreeEntry>;
}

/** Docker's archive API as ContainerFiles; every call stops when `signal` aborts. */
export function dockerFiles(engine: DockerEngine, containerId: string, signal: AbortSignal): ContainerFiles {
  /** Streams a one-entry tar into `dir`; `fill` writes the entry. A refusal settles `upload` early. */
  /** Streams a tar into `dir`; `cancel()` aborts the request, so Docker drops a half-sent archive at once. */
  const put = (dir: string): { pack: tar.Pack; upload: Promise<Error | undefined>; cancel: () => void } => {
    const pack = tar.pack();
    const body = new PassThrough();
    // Failures surface through `upload`; a stream error must never go unhandled (it would end the server).
    pack.on('error', () => undefined);
    body.on('error', () => undefined);
    pack.pipe(body);
    const local = new AbortController();
    const onAbort = (): void => local.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const upload = engine.putArchive(containerId, dir, body, local.signal).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    ).finally(() => signal.removeEventListener('abort', onAbort));
    // Without this, an unfinished body keeps Docker waiting for the rest of the archive, with the container locked.
    const cancel = (): void => {
      local.abort(new Error('upload cancelled'));
      pack.destroy();
      body.destroy();
    };
    return { pack, upload, cancel };
  };
  return {
    stat: (path) => engine.statPath(containerId, path, signal),
    async writeFile(dir, name, meta, data) {
      const { pack, upload, cancel } = put(dir);
      let failure: Error | undefined;
      void upload.then((error) => { failure = error; });
      const entry = pack.entry({ name, size: meta.size, mode: meta.mode, mtime: new Date(meta.mtime * 1000), uid: 0, gid: 0 });
      entry.on('error', () => undefined);
      try {
        for await (const chunk of data) {
          if (failure !== undefined) continue; // keep reading, so the client's stream stays in step
          if (!entry.write(chunk)) await Promise.race([new Promise<void>((resolve) => entry.once('drain', () => resolve())), upload]);
        }
      } catch (error) {
        cancel(); // the client's data ended early: the file is incomplete
        await upload;
        throw error;
      }
      if (failure === undefined) {
        entry.end(undefined);
        pack.finalize();
      }
      const error = await upload;
      if (error !== undefined) throw error;
    },
    async makeDirectory(dir, name, meta) {
      const { pack, upload } = put(dir);
      pack.entry({ name, type: 'directory', mode: meta.mode, mtime: new Date(meta.mtime * 1000), uid: 0, gid: 0 });
      pack.finalize();
      const error = await upload;
      if (error !== undefined) throw error;
    },
    readTree: (path) => readTree(engine.getArchive(containerId, path, signal), signal),
  };
}

/**
 * The entries of a tar read from the container. However the reading ends (done, consumer gone, `signal` aborted),
 * the response is destroyed: an archive left unread keeps Docker's lock on the container, and then exec, inspect
 * and even removal of that container block.
 */
async function* readTree(archive: Promise<Readable>, signal: AbortSignal): AsyncGenerator<TreeEntry> {
  const extract = tar.extract();
  const source = await archive;
  const stop = (): void => {
    source.destroy();
    extract.destroy();
  };
  signal.addEventListener('abort', stop, { once: true });
  extract.on('error', () => undefined); // seen by the loop below while it runs; never unhandled after it
  source.on('error', (error) => extract.destroy(error));
  source.pipe(extract);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const type = h.type === 'file' ? 'file' : h.type === 'directory' ? 'directory' : 'other';
      const path = posix.normalize(h.name).replace(/\/+$/, '');
      yield { path, type, size: h.size ?? 0, mode: (h.mode ?? 0o644) & 0o7777, mtime: Math.floor((h.mtime?.getTime() ?? 0) / 1000), data: entry as AsyncIterable<Buffer> };
      entry.resume(); // whatever the consumer left unread
    }
  } finally {
    signal.removeEventListener('abort', stop);
    stop();
  }
}

/** True when `path` is `prefix` or below it. */
function under(path: string, prefix: string): boolean {
  const p = prefix.replace(/\/+$/, '');
  return path === p || path.startsWith(`${p}/`);
}

/**
 * ContainerFiles that refuse paths below `unreachable` mount points (tmpfs, /proc, ...): Docker's archive API works
 * on the filesystem underneath them, so a copy there would silently land where the user never sees it.
 */
export function refusingMounts(files: ContainerFiles, unreachable: string[]): ContainerFiles {
  const check = (path: string): void => {
    const mount = unreachable.find((prefix) => under(path, prefix));
    if (mount !== undefined) {
      throw new Error(`${path}: is inside the mount ${mount}, which the built-in scp cannot reach; use scp without -O (sftp) or add scp to the image`);
    }
  };
  return {
    stat: async (path) => (check(path), files.stat(path)),
    writeFile: async (dir, name, meta, data) => (check(posix.join(dir, name)), files.writeFile(dir, name, meta, data)),
    makeDirectory: async (dir, name, meta) => (check(posix.join(dir, name)), files.makeDirectory(dir, name, meta)),
    readTree: (path) => (check(path), files.readTree(path)),
  };
}
