// The receiving side of legacy scp (`scp -t`): reads the client's C/D/E/T records and writes files into the container.
import { posix } from 'node:path';
import type { Writable } from 'node:stream';
import type { ByteReader } from './byte-reader.js';
import type { ContainerFiles, FileMeta } from './container-files.js';
import type { ScpCommand } from './scp-command.js';
import { errorText, sendOk, sendError } from './scp-wire.js';

/** Where the next record lands: inside `path` when it is a directory, else as `path` itself. */
interface Target {
  path: string;
  isDir: boolean;
}

interface SinkState {
  cmd: ScpCommand;
  input: ByteReader;
  output: Writable;
  files: ContainerFiles;
  errors: number;
  times: { mtime: number } | undefined;
  now: () => number;
}

/** A record name must be one path component (as OpenSSH's scp requires). */
function checkName(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new Error(`${name}: invalid file name`);
}

/** Parses "C0644 123 name" / "D0755 0 name". */
function parseRecord(line: string): { mode: number; size: number; name: string } {
  const match = /^[CD]([0-7]{4}) (\d+) (.+)$/.exec(line);
  if (!match) throw new Error(`protocol error: bad record ${JSON.stringify(line.slice(0, 80))}`);
  const name = match[3] as string;
  checkName(name);
  return { mode: parseInt(match[1] as string, 8), size: Number(match[2]), name };
}

function destination(target: Target, name: string): { dir: string; name: string } {
  return target.isDir ? { dir: target.path, name } : { dir: posix.dirname(target.path), name: posix.basename(target.path) };
}

function meta(s: SinkState, mode: number): FileMeta {
  const mtime = s.cmd.preserveTimes && s.times !== undefined ? s.times.mtime : s.now();
  s.times = undefined;
  return { mode: s.cmd.preserveTimes ? mode : mode & ~0o022, mtime };
}

async function receiveFile(s: SinkState, target: Target, line: string): Promise<void> {
  const record = parseRecord(line);
  const to = destination(target, record.name);
  const m = meta(s, record.mode);
  await sendOk(s.output);
  let failure: unknown;
  let left = record.size;
  async function* data(): AsyncGenerator<Buffer> {
    for await (const chunk of s.input.bytes(left)) {
      left -= chunk.length;
      yield chunk;
    }
  }
  try {
    await s.files.writeFile(to.dir, to.name, { ...m, size: record.size }, data());
  } catch (error) {
    failure = error;
    for await (const chunk of s.input.bytes(left)) left -= chunk.length; // skip the rest, to stay in step
  }
  const end = await s.input.byte();
  if (end === undefined) throw new Error('input ended inside a file');
  if (failure !== undefined) {
    s.errors++;
    await sendError(s.output, errorText(posix.join(to.dir, to.name), failure));
  } else {
    await sendOk(s.output);
  }
}

async function receiveDirectory(s: SinkState, target: Target, line: string): Promise<void> {
  if (!s.cmd.recursive) throw new Error('received a directory without -r');
  const record = parseRecord(line);
  const to = destination(target, record.name);
  const path = posix.join(to.dir, to.name);
  const m = meta(s, record.mode);
  const existing = await s.files.stat(path);
  if (existing !== undefined && !existing.isDir) throw new Error(`${path}: Not a directory`);
  if (existing === undefined) await s.files.makeDirectory(to.dir, to.name, m);
  await sendOk(s.output);
  await receiveInto(s, { path, isDir: true });
}

/** Handles records until "E" (end of this directory) or the end of input. */
async function receiveInto(s: SinkState, target: Target): Promise<void> {
  for (;;) {
    const line = await s.input.line();
    if (line === undefined) return;
    const kind = line[0];
    if (kind === 'E') return sendOk(s.output);
    if (kind === 'T') {
      const match = /^T(\d+) \d+ \d+ \d+$/.exec(line);
      if (!match) throw new Error('protocol error: bad time record');
      s.times = { mtime: Number(match[1]) };
      await sendOk(s.output);
    } else if (kind === 'C') {
      await receiveFile(s, target, line);
    } else if (kind === 'D') {
      await receiveDirectory(s, target, line);
    } else if (kind === '\x01' || kind === '\x02') {
      s.errors++; // the client could not read one of its files and told us; it reports that itself
      if (kind === '\x02') return;
    } else {
      throw new Error(`protocol error: unexpected ${JSON.stringify(line.slice(0, 40))}`);
    }
  }
}

/** Runs the sink to the end of the client's input; resolves with scp's exit status (0 or 1). */
export async function runSink(cmd: ScpCommand, input: ByteReader, output: Writable, files: ContainerFiles, workingDir: string): Promise<number> {
  const s: SinkState = { cmd, input, output, files, errors: 0, times: undefined, now: () => Math.floor(Date.now() / 1000) };
  const path = posix.resolve(workingDir, cmd.paths[0] ?? '.');
  try {
    if (cmd.paths.length !== 1) throw new Error('ambiguous target'); // e.g. an unquoted space in the remote path
    const stat = await files.stat(path);
    if (cmd.targetIsDirectory && !stat?.isDir) throw new Error(`${path}: ${stat === undefined ? 'No such file or directory' : 'Not a directory'}`);
    await sendOk(output);
    await receiveInto(s, { path, isDir: stat?.isDir === true });
  } catch (error) {
    await sendError(output, errorText(undefined, error), true);
    return 1;
  }
  return s.errors > 0 ? 1 : 0;
}
