// The body of `cssh exec-test`: config and overrides, terminal and signal handling, rendering; returns the result.
import { PassThrough, type Readable } from 'node:stream';
import type { AppConfig } from '../config/types.js';
import { isCsshError, describeCause } from '../core/errors.js';
import { ExitCode } from './exit-codes.js';
import { CaptureStream, type ExecTestResult } from './exec-test-run.js';
import { applyOverrides } from './shared-flags.js';
import { canAnimate } from './terminal.js';

export interface ExecTestInvocation {
  configFile: string | undefined;
  mode: 'connection' | 'session' | undefined;
  image: string | undefined;
  tty: boolean;
  env: Record<string, string>;
  /** CMD words after `--`; empty runs the smoke test. */
  argv: string[];
  json: boolean;
  /** Writes a line to stderr. */
  log: (line: string) => void;
}

type Failure = { ok: false; exitCode: number; error: { code: string; message: string } };

/** One word runs as written (a shell command line); several words are quoted so each stays one argument. */
export function commandLine(argv: string[]): string | undefined {
  if (argv.length === 0) return undefined;
  if (argv.length === 1) return argv[0];
  return argv.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

async function loadWithOverrides(inv: ExecTestInvocation): Promise<AppConfig | Failure> {
  const { loadConfig } = await import('../config/index.js');
  try {
    const { config } = await loadConfig(inv.configFile);
    return applyOverrides(config, { mode: inv.mode, image: inv.image });
  } catch (error) {
    // Like docker run's 125: any failure of cssh's own, so the program's statuses stay unambiguous.
    const code = isCsshError(error) ? error.code : 'CONFIG_UNREADABLE';
    return { ok: false, exitCode: ExitCode.EXEC_FAILED, error: { code, message: isCsshError(error) ? error.message : describeCause(error) } };
  }
}

/** Ctrl-C and SIGTERM abort the run (the program is killed, the container removed) instead of exiting at once. */
function trapSignals(controller: AbortController): () => void {
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

function programStdin(inv: ExecTestInvocation, command: string | undefined): { stdin: Readable; release: () => void } {
  const stdin = process.stdin;
  const forward = command !== undefined && (!stdin.isTTY || inv.tty);
  if (!forward) {
    const empty = new PassThrough();
    empty.end();
    return { stdin: empty, release: () => undefined };
  }
  if (inv.tty && stdin.isTTY) stdin.setRawMode(true);
  return {
    stdin,
    release: () => {
      if (inv.tty && stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
    },
  };
}

/** Follows this terminal's size (SIGWINCH) while a --tty program runs. */
function watchTerminalSize(onSize: (size: { cols: number; rows: number }) => void): () => void {
  const out = process.stdout;
  if (!out.isTTY) return () => undefined;
  const onResize = (): void => onSize({ cols: out.columns, rows: out.rows });
  out.on('resize', onResize);
  return () => out.off('resize', onResize);
}

export async function executeExecTest(inv: ExecTestInvocation): Promise<ExecTestResult | Failure> {
  const config = await loadWithOverrides(inv);
  if ('error' in config) {
    if (!inv.json) inv.log(`exec-test: ${config.error.message} [${config.error.code}]`);
    return config;
  }
  const { runExecTest } = await import('./exec-test-flow.js');
  const command = commandLine(inv.argv);
  const controller = new AbortController();
  const untrap = trapSignals(controller);
  const input = programStdin(inv, command);
  const spinner = !inv.json && canAnimate(process.stderr) ? await (await import('./exec-test-render.js')).createPhaseSpinner(process.stderr) : undefined;
  const stdout = inv.json ? new CaptureStream() : process.stdout;
  const stderr = inv.json ? new CaptureStream() : process.stderr;
  let result: ExecTestResult;
  try {
    result = await runExecTest(config, {
      command, tty: inv.tty, env: inv.env, io: { stdin: input.stdin, stdout, stderr }, signal: controller.signal,
      ...(process.stdout.columns === undefined ? {} : { size: { cols: process.stdout.columns, rows: process.stdout.rows } }),
      watchSize: watchTerminalSize,
      ...(spinner === undefined ? {} : { onEvent: spinner.onEvent, onProgramStart: () => spinner.stop() }),
    });
  } finally {
    spinner?.stop();
    input.release();
    untrap();
  }
  if (stdout instanceof CaptureStream && stderr instanceof CaptureStream && command !== undefined) {
    result.stdout = stdout.text;
    result.stderr = stderr.text;
  }
  if (!inv.json) {
    const { renderExecTest } = await import('./exec-test-render.js');
    for (const line of renderExecTest(result)) inv.log(line);
  }
  return result;
}
