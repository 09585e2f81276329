// The exec-test flow: connect, run the command or the smoke test, always close, and fold it all into one result.
import type { AppConfig } from '../config/types.js';
import type { ConnectionHandler } from '../core/contracts.js';
import { describeCause, isCsshError } from '../core/errors.js';
import { createNullLogger } from '../core/logger.js';
import { ExitCode } from './exit-codes.js';
import { phaseRecorder, runProgram, smokeTest, type ExecTestOptions, type ExecTestResult, type SmokeCheck } from './exec-test-run.js';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';

function newContext(config: AppConfig, o: ExecTestOptions, onEvent: (e: Parameters<NonNullable<ExecTestOptions['onEvent']>>[0]) => void) {
  let username = 'exec-test';
  try {
    username = userInfo().username;
  } catch {
    // no passwd entry: keep the default name
  }
  return {
    info: {
      connectionId: randomBytes(16).toString('hex'), remoteAddress: '127.0.0.1:0', clientVersion: 'SSH-2.0-cssh-exec-test',
      username, metadata: {}, environment: {}, files: {},
    },
    config, logger: o.logger ?? createNullLogger(), onEvent,
  };
}

/**
 * The exit code for a program that could not be started, as `docker run` chooses it from the engine's message: 127
 * when the program does not exist, 126 when it cannot be executed, else 125 (cssh or the engine failed).
 */
export function startFailureExitCode(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/i.test(message)) return ExitCode.EXEC_NOT_FOUND;
  if (/permission denied|is a directory/i.test(message)) return ExitCode.EXEC_CANNOT_INVOKE;
  return ExitCode.EXEC_FAILED;
}

/** Runs exec-test against `config`. Never throws: failures become `error` and a cssh exit code. */
export async function runExecTest(config: AppConfig, o: ExecTestOptions): Promise<ExecTestResult> {
  const started = performance.now();
  const recorder = phaseRecorder();
  const onEvent = (e: Parameters<typeof recorder.onEvent>[0]): void => {
    recorder.onEvent(e);
    o.onEvent?.(e);
  };
  const execution = config.docker.execution;
  const result: ExecTestResult = {
    ok: false, exitCode: ExitCode.EXEC_FAILED, mode: execution.mode, image: execution.container.Image ?? '',
    program: o.command ?? null, programExitCode: null, interrupted: false, phases: [], totalMs: 0,
  };
  const { createDockerBackend } = await import('../backend/docker/index.js');
  const backend = createDockerBackend({ instanceId: `exec-test-${process.pid}` });
  let conn: ConnectionHandler | undefined;
  try {
    conn = await backend.connect(newContext(config, o, onEvent), o.signal);
    if (o.command === undefined) {
      const checks: SmokeCheck[] = await smokeTest(conn, o.signal);
      result.checks = checks;
      result.ok = checks.length === 4 && checks.every((c) => c.ok);
      result.exitCode = result.ok ? ExitCode.OK : ExitCode.INVALID;
    } else {
      o.onProgramStart?.();
      const programStart = performance.now();
      const exit = await runProgram({ conn, req: { kind: 'exec', command: o.command }, env: o.env, tty: o.tty, size: o.size, io: o.io, signal: o.signal, watchSize: o.watchSize });
      onEvent({ type: 'phase-end', phase: 'program', ok: true, ms: Math.round(performance.now() - programStart) });
      result.programExitCode = exit.code;
      result.ok = !o.signal.aborted;
      result.exitCode = exit.code;
    }
  } catch (error) {
    result.error = { code: isCsshError(error) ? error.code : 'EXEC_TEST_FAILED', message: isCsshError(error) ? error.message : describeCause(error) };
    // Only a failure to start the program itself can be "not found" or "cannot invoke"; the rest is cssh's 125.
    result.exitCode = o.command === undefined || conn === undefined ? ExitCode.EXEC_FAILED : startFailureExitCode(result.error.message);
  } finally {
    await conn?.close();
  }
  if (o.signal.aborted) {
    result.interrupted = true;
    result.ok = false;
    result.exitCode = ExitCode.INTERRUPTED;
  }
  result.phases = recorder.table();
  result.totalMs = Math.round(performance.now() - started);
  return result;
}
