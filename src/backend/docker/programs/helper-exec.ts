// Short helper execs (signal delivery) run to their end with bounded output, through the DockerEngine.
import type { DockerEngine } from '../engine/docker-engine.js';

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
export async function runHelper(engine: DockerEngine, id: string, cmd: string[], signal: AbortSignal): Promise<{ code: number; output: string }> {
  const execId = await engine.createExec(id, { cmd, env: [], tty: false, consoleSize: false }, signal);
  const stream = await engine.startExec(execId, false, signal);
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
  let state = await engine.inspectExec(execId, signal);
  for (let i = 0; state.running && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 20));
    state = await engine.inspectExec(execId, signal);
  }
  return { code: state.exitCode, output: Buffer.concat(chunks).toString('latin1') };
}
