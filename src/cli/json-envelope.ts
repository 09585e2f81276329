// The one `--json` shape of every command: {ok, command, exitCode, ...the command's own fields, error?: {code, message, fix?}}.
// The command's fields stay at the top level, so consumers that read them before the envelope existed keep working.

export interface EnvelopeError {
  code: string;
  message: string;
  /** What to do about it, when cssh can say. */
  fix?: string;
}

export interface EnvelopeHead {
  /** true when the command did what was asked (exit code 0). */
  ok: boolean;
  /** The command as typed after `cssh` ("config validate"). */
  command: string;
  /** The exit code the process ends with. */
  exitCode: number;
  error?: EnvelopeError;
}

/** What to do about a failure, by its code, where one sentence helps. */
const FIXES: Record<string, string> = {
  USAGE: 'run the command with --help for its flags and arguments',
  CONFIG_UNREADABLE: 'check that the file exists and is YAML or JSON; `cssh config validate FILE` shows every problem with its line',
  CONFIG_INVALID: 'run `cssh config validate FILE` for every problem with its location and a hint',
  DOCKER_UNAVAILABLE: 'start the Docker engine or point docker.connection.host at it; `cssh image pull-check` shows which endpoint cssh uses',
  DOCKER_IMAGE_NOT_FOUND: 'pull the image (`cssh image pull-check --pull`) or allow pulls with docker.execution.imagePullPolicy',
};

/** The known fix for `code`, if any. */
export function fixFor(code: string): string | undefined {
  return FIXES[code];
}

/** `error` with its fix filled in from the table when it has none. */
export function withFix(error: { code: string; message: string; fix?: string }): EnvelopeError {
  const fix = error.fix ?? fixFor(error.code);
  return { code: error.code, message: error.message, ...(fix === undefined ? {} : { fix }) };
}

/**
 * Wraps a command's result. `exitCode` is the code the process ends with (a result's own `exitCode` field is
 * replaced by it, e.g. 130 after Ctrl-C); `ok` comes from the result when it has one (exec-test), else it means exit
 * code 0; an `error` object gets its fix.
 */
export function envelope(command: string, result: object, exitCode: number): EnvelopeHead & Record<string, unknown> {
  const fields = result as Record<string, unknown>;
  const ok = typeof fields.ok === 'boolean' ? fields.ok : exitCode === 0;
  const error = fields.error;
  const head: EnvelopeHead = { ok, command, exitCode };
  const out: EnvelopeHead & Record<string, unknown> = { ...head, ...fields, ...head };
  if (isErrorShape(error)) out.error = withFix(error);
  return out;
}

function isErrorShape(value: unknown): value is { code: string; message: string; fix?: string } {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string'
    && typeof (value as { message?: unknown }).message === 'string';
}

/** The envelope of a command that failed before it had a result. */
export function errorEnvelope(command: string, exitCode: number, error: EnvelopeError): EnvelopeHead {
  return { ok: false, command, exitCode, error: withFix(error) };
}
