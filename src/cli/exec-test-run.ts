// Runs one command (or the smoke test) through the real Docker lifecycle without SSH and measures every phase.
import { PassThrough, Writable, type Readable } from 'node:stream';
import type { ExecutionMode } from '../config/types.js';
import type { ConnectionHandler, ProgramExit, StartRequest, WindowSize } from '../core/contracts.js';
import { describeCause, isCsshError } from '../core/errors.js';
import type { CsshEvent, EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';

export interface PhaseTiming {
  phase: string;
  /** Total milliseconds spent in this phase (all occurrences). */
  ms: number;
  count: number;
  ok: boolean;
}

export interface SmokeCheck {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

/** The `--json` shape of `cssh exec-test`. */
export interface ExecTestResult {
  ok: boolean;
  /** The process exit code exec-test ends with. */
  exitCode: number;
  mode: ExecutionMode;
  image: string;
  /** The program's command line (null for the smoke test); `command` in the JSON is the cssh command, exec-test. */
  program: string | null;
  /** The program's own exit status (null when it never ran). */
  programExitCode: number | null;
  interrupted: boolean;
  phases: PhaseTiming[];
  totalMs: number;
  checks?: SmokeCheck[];
  /** With --json, the program's output (at most 1 MiB each). */
  stdout?: string;
  stderr?: string;
  error?: { code: string; message: string };
}

export interface ExecTestIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export interface ExecTestOptions {
  /** undefined runs the smoke test. */
  command: string | undefined;
  tty: boolean;
  size?: WindowSize;
  env: Record<string, string>;
  io: ExecTestIo;
  /** Aborts on Ctrl-C/SIGTERM: the program is killed and its container removed. */
  signal: AbortSignal;
  onEvent?: EventSink;
  /** Subscribes to terminal size changes (for --tty). */
  watchSize?: RunProgramInput['watchSize'];
  /** Called right before program output may start (spinners stop here). */
  onProgramStart?: () => void;
  logger?: Logger;
}

/** Sums phase-end events into a per-phase table. */
export function phaseRecorder(): { onEvent: EventSink; table: () => PhaseTiming[] } {
  const phases = new Map<string, PhaseTiming>();
  return {
    onEvent: (event: CsshEvent) => {
      if (event.type !== 'phase-end') return;
      const t = phases.get(event.phase) ?? { phase: event.phase, ms: 0, count: 0, ok: true };
      t.ms += event.ms;
      t.count += 1;
      t.ok &&= event.ok;
      phases.set(event.phase, t);
    },
    table: () => [...phases.values()],
  };
}

/** A Writable that keeps the first `limit` bytes. */
export class CaptureStream extends Writable {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit = 1024 * 1024) { super(); }
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    if (this.size < this.limit) this.chunks.push(chunk.subarray(0, this.limit - this.size));
    this.size += chunk.length;
    cb();
  }
  get text(): string { return Buffer.concat(this.chunks).toString('utf8'); }
}

interface RunProgramInput {
  conn: ConnectionHandler;
  req: StartRequest;
  env: Record<string, string>;
  tty: boolean;
  size?: WindowSize;
  io: ExecTestIo;
  signal: AbortSignal;
  /** Subscribes to terminal size changes (for --tty); returns the unsubscribe function. */
  watchSize?: (onSize: (size: WindowSize) => void) => () => void;
}

/** Runs one program on a new session; kills it when `signal` aborts. Closes the session. */
export async function runProgram(i: RunProgramInput): Promise<ProgramExit> {
  const session = await i.conn.openSession({ channelId: 0 });
  try {
    for (const [k, v] of Object.entries(i.env)) session.setEnv(k, v);
    if (i.tty) session.requestPty({ term: process.env.TERM ?? 'xterm', cols: i.size?.cols ?? 80, rows: i.size?.rows ?? 24 });
    const program = await session.start(i.req, i.io, i.signal);
    const onAbort = (): void => program.kill();
    i.signal.addEventListener('abort', onAbort, { once: true });
    const unwatch = i.tty ? i.watchSize?.((size) => { session.resize(size).catch(() => undefined); }) : undefined;
    try {
      return await program.exited;
    } finally {
      unwatch?.();
      i.signal.removeEventListener('abort', onAbort);
    }
  } finally {
    await session.close();
  }
}

async function check(name: string, conn: ConnectionHandler, signal: AbortSignal, req: StartRequest,
  o: { stdin?: string; env?: Record<string, string>; expectOut: string; expectCode: number }): Promise<SmokeCheck> {
  const started = performance.now();
  const stdin = new PassThrough();
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  stdin.end(o.stdin ?? '');
  try {
    const { code } = await runProgram({ conn, req, env: o.env ?? {}, tty: false, io: { stdin, stdout, stderr }, signal });
    const ok = code === o.expectCode && stdout.text === o.expectOut;
    const detail = ok ? `exit ${code}` : `expected exit ${o.expectCode} and ${JSON.stringify(o.expectOut)}, got exit ${code} and ${JSON.stringify(stdout.text)}${stderr.text === '' ? '' : ` (stderr ${JSON.stringify(stderr.text.slice(0, 200))})`}`;
    return { name, ok, ms: Math.round(performance.now() - started), detail };
  } catch (error) {
    return { name, ok: false, ms: Math.round(performance.now() - started), detail: isCsshError(error) ? `${error.code}: ${error.message}` : describeCause(error) };
  }
}

/** The smoke test: output, environment, exit status and a stdin round trip, each as its own program. */
export async function smokeTest(conn: ConnectionHandler, signal: AbortSignal): Promise<SmokeCheck[]> {
  const checks: SmokeCheck[] = [];
  const steps: [string, StartRequest, Parameters<typeof check>[4]][] = [
    ['output', { kind: 'exec', command: 'echo cssh-exec-test' }, { expectOut: 'cssh-exec-test\n', expectCode: 0 }],
    ['environment', { kind: 'exec', command: 'echo "$CSSH_EXEC_TEST"' }, { env: { CSSH_EXEC_TEST: 'env ok' }, expectOut: 'env ok\n', expectCode: 0 }],
    ['exit status', { kind: 'exec', command: 'exit 42' }, { expectOut: '', expectCode: 42 }],
    ['stdin round trip', { kind: 'exec', command: 'cat' }, { stdin: 'ping\npong', expectOut: 'ping\npong', expectCode: 0 }],
  ];
  for (const [name, req, o] of steps) {
    if (signal.aborted) break;
    checks.push(await check(name, conn, signal, req, o));
  }
  return checks;
}
