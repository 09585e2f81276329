// The sending side of legacy scp (`scp -f`): reads paths from the container and sends them as C/D/E/T records.
import { posix } from 'node:path';
import type { Writable } from 'node:stream';
import { writeWithBackpressure } from '../programs/stream-pump.js';
import type { ByteReader } from './byte-reader.js';
import type { ContainerFiles, TreeEntry } from './container-files.js';
import type { ScpCommand } from './scp-command.js';
import { errorText, sendError } from './scp-wire.js';

/** The client stopped the transfer (a fatal error record, or it went away). */
class Stopped extends Error {}

interface SourceState {
  cmd: ScpCommand;
  input: ByteReader;
  output: Writable;
  errors: number;
}

/** Waits for the client's answer to a record: 0 goes on, 1 is a warning it prints, 2 or end of input stops. */
async function awaitAck(s: SourceState): Promise<void> {
  const byte = await s.input.byte();
  if (byte === 0) return;
  if (byte === 1 || byte === 2) {
    await s.input.line();
    s.errors++;
    if (byte === 1) return;
  }
  throw new Stopped();
}

async function record(s: SourceState, text: string): Promise<void> {
  await writeWithBackpressure(s.output, Buffer.from(text));
  await awaitAck(s);
}

async function sendTimes(s: SourceState, entry: TreeEntry): Promise<void> {
  if (s.cmd.preserveTimes) await record(s, `T${entry.mtime} 0 ${entry.mtime} 0\n`);
}

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

async function sendFile(s: SourceState, entry: TreeEntry): Promise<void> {
  await sendTimes(s, entry);
  await record(s, `C${octal(entry.mode)} ${entry.size} ${posix.basename(entry.path)}\n`);
  let sent = 0;
  for await (const chunk of entry.data) {
    await writeWithBackpressure(s.output, chunk);
    sent += chunk.length;
  }
  if (sent !== entry.size) throw new Error(`${entry.path}: file changed size while being read`);
  await record(s, '\0');
}

/** Sends one path given on the command line; a problem with it is reported and the next path is tried. */
async function sendPath(s: SourceState, files: ContainerFiles, path: string): Promise<void> {
  const stat = await files.stat(path);
  if (stat === undefined) return void (s.errors++, await sendError(s.output, `${path}: No such file or directory`));
  if (stat.isDir && !s.cmd.recursive) return void (s.errors++, await sendError(s.output, `${path}: not a regular file`));
  const open: string[] = []; // directories whose D record was sent and whose E record is due
  for await (const entry of files.readTree(path)) {
    const parent = posix.dirname(entry.path);
    while (open.length > 0 && open[open.length - 1] !== parent) {
      open.pop();
      await record(s, 'E\n');
    }
    if (entry.type === 'directory') {
      await sendTimes(s, entry);
      await record(s, `D${octal(entry.mode)} 0 ${posix.basename(entry.path)}\n`);
      open.push(entry.path);
    } else if (entry.type === 'file') {
      await sendFile(s, entry);
    } else {
      s.errors++;
      await sendError(s.output, `${posix.join(posix.dirname(path), entry.path)}: not a regular file (links and special files are not copied)`);
    }
  }
  for (let i = 0; i < open.length; i++) await record(s, 'E\n');
}

/** Runs the source for every path; resolves with scp's exit status (0, or 1 after any error). */
export async function runSource(cmd: ScpCommand, input: ByteReader, output: Writable, files: ContainerFiles, workingDir: string): Promise<number> {
  const s: SourceState = { cmd, input, output, errors: 0 };
  try {
    await awaitAck(s);
    for (const path of cmd.paths) await sendPath(s, files, posix.resolve(workingDir, path));
  } catch (error) {
    if (error instanceof Stopped) return 1;
    await sendError(output, errorText(undefined, error), true);
    return 1;
  }
  return s.errors > 0 ? 1 : 0;
}
