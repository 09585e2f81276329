// A real OpenSSH client process kept running (an interactive user): its output so far, its input, its exit and duration.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface SshProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Exit status of ssh (the remote status, or 255 for its own failures) and ms from spawn to exit. */
  exited: Promise<{ code: number | null; ms: number }>;
  /** Writes a line to the program's stdin. */
  send(line: string): void;
}

/** Spawns `ssh` with `args` (e.g. [...srv.sshArgs(), 'echo up; read x']); kill it in t.after if the test may leave it. */
export function spawnSsh(args: string[]): SshProcess {
  const started = performance.now();
  const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) => {
    child.on('close', (code) => resolve({ code, ms: performance.now() - started }));
  });
  return { child, stdout: () => out, stderr: () => err, exited, send: (line) => void child.stdin.write(`${line}\n`) };
}

/** Resolves true once the client's stdout contains `text`, or false if the client exits first. */
export function untilStdout(client: SshProcess, text: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const check = (): void => {
      if (client.stdout().includes(text)) resolve(true);
    };
    client.child.stdout.on('data', check);
    void client.exited.then(() => resolve(false));
    check();
  });
}
