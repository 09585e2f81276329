// A forwarding relay run as a local process, its output delivered in Docker's multiplexed frames as an exec stream is.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';

/** Docker's 8-byte multiplexed frame header (stream byte, three zeros, big-endian length) before `chunk`. */
function muxed(type: number, chunk: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head[0] = type;
  head.writeUInt32BE(chunk.length, 4);
  return Buffer.concat([head, chunk]);
}

/** Runs `cmd` (its first element, the node binary, is replaced by this test's own) as an exec stream would run. */
export function localExec(cmd: string[]): { stream: Duplex; child: ChildProcessWithoutNullStreams } {
  const [, ...args] = cmd;
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let open = 2;
  const stream = new Duplex({
    read: () => undefined,
    write: (chunk: Buffer, _encoding, callback) => void child.stdin.write(chunk, () => callback()),
    // Half-closing an exec stream closes the process's standard input, as Docker does.
    final: (callback) => {
      child.stdin.end();
      callback();
    },
    destroy: (error, callback) => {
      child.stdin.destroy();
      callback(error);
    },
  });
  const ended = (): void => {
    if (--open === 0) stream.push(null);
  };
  child.stdout.on('data', (chunk: Buffer) => stream.push(muxed(1, chunk)));
  child.stderr.on('data', (chunk: Buffer) => stream.push(muxed(2, chunk)));
  child.stdout.on('end', ended);
  child.stderr.on('end', ended);
  child.stdin.on('error', () => undefined);
  child.on('exit', () => child.stdin.destroy());
  return { stream, child };
}
