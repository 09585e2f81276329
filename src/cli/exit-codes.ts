// The one table of process exit codes: every cssh command exits with one of these, and help and docs are made from it.

export const ExitCode = {
  OK: 0,
  INVALID: 1,
  UNREADABLE: 2,
  RUNTIME: 3,
  USAGE: 64,
  EXEC_FAILED: 125,
  EXEC_CANNOT_INVOKE: 126,
  EXEC_NOT_FOUND: 127,
  INTERRUPTED: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;
export type ExitCodeValue = (typeof ExitCode)[ExitCodeName];

/** The commands, by oclif id with spaces ("config validate"). */
export type CommandName =
  | 'codes' | 'config migrate' | 'config schema' | 'config validate' | 'exec-test' | 'healthcheck' | 'image pull-check'
  | 'serve' | 'sweep';

export const COMMANDS: readonly CommandName[] = [
  'codes', 'config migrate', 'config schema', 'config validate', 'exec-test', 'healthcheck', 'image pull-check', 'serve', 'sweep',
];

export interface ExitCodeEntry {
  name: ExitCodeName;
  code: ExitCodeValue;
  /** What the code means, in general. */
  meaning: string;
  /** What it means for each command that can end with it. */
  uses: Partial<Record<CommandName, string>>;
}

const EVERY_COMMAND_BUT_EXEC_TEST = COMMANDS.filter((c) => c !== 'exec-test');

function forEach(commands: readonly CommandName[], text: string): Partial<Record<CommandName, string>> {
  return Object.fromEntries(commands.map((c) => [c, text]));
}

/**
 * Every exit code with what it means per command. `exec-test` passes its program's status through and keeps 125-127
 * for itself the way `docker run` does, so a usage error or a bad configuration is 125 there, never 64/1/2.
 */
export const EXIT_CODES: readonly ExitCodeEntry[] = [
  {
    name: 'OK', code: ExitCode.OK, meaning: 'success',
    uses: {
      ...forEach(EVERY_COMMAND_BUT_EXEC_TEST, 'done'),
      'config validate': 'every file valid (warnings allowed)',
      'config migrate': 'migrated, or nothing to migrate',
      'image pull-check': 'the image is ready',
      'exec-test': 'the program exited 0; without CMD: every smoke check passed',
      healthcheck: 'healthy',
      serve: 'stopped cleanly (SIGTERM/SIGINT), also during start-up',
    },
  },
  {
    name: 'INVALID', code: ExitCode.INVALID, meaning: 'the input was understood and is wrong, or a check failed',
    uses: {
      'config validate': 'a file is invalid (or has a warning, with --strict)',
      'config migrate': '--check: the file needs migrating; or the result does not validate',
      'image pull-check': 'the image needs a pull (absent and the policy pulls, or policy Always)',
      serve: 'invalid configuration',
      sweep: 'refused (the instance of a live local server) or invalid configuration',
      'exec-test': 'without CMD: a smoke check failed',
      healthcheck: 'unhealthy: the endpoint did not answer 200 (or no SSH banner) in time, or the configuration cannot be read',
    },
  },
  {
    name: 'UNREADABLE', code: ExitCode.UNREADABLE, meaning: 'an input could not be read or parsed, or the Docker engine is unavailable',
    uses: {
      'config validate': 'a file could not be read or parsed (missing, a directory, binary, malformed YAML/JSON), or a bad settings file',
      'config migrate': 'the file could not be read or parsed',
      'image pull-check': 'unavailable: engine unreachable, bad configuration, unknown image or tag, credentials, or Never with the image absent',
      serve: 'unreadable configuration, or no Docker engine',
      sweep: 'unreadable configuration, or the Docker engine is unreachable',
    },
  },
  {
    name: 'RUNTIME', code: ExitCode.RUNTIME, meaning: 'cssh failed while running',
    uses: {
      serve: 'another start-up failure (port taken, bad host key, no usable login method)',
      sweep: 'some containers could not be removed',
    },
  },
  {
    name: 'USAGE', code: ExitCode.USAGE, meaning: 'command-line usage error: unknown command or flag, missing or bad argument (EX_USAGE)',
    uses: forEach(EVERY_COMMAND_BUT_EXEC_TEST, 'usage error; the message says what to change'),
  },
  {
    name: 'EXEC_FAILED', code: ExitCode.EXEC_FAILED, meaning: 'exec-test: cssh itself failed (like docker run\'s 125)',
    uses: { 'exec-test': 'usage error, invalid or unreadable configuration, Docker engine unreachable, image missing, container could not be created or started' },
  },
  {
    name: 'EXEC_CANNOT_INVOKE', code: ExitCode.EXEC_CANNOT_INVOKE, meaning: 'exec-test: the program could not be invoked',
    uses: { 'exec-test': 'the program exists but cannot be run (not executable, a directory)' },
  },
  {
    name: 'EXEC_NOT_FOUND', code: ExitCode.EXEC_NOT_FOUND, meaning: 'exec-test: the program was not found',
    uses: { 'exec-test': 'no such program in the container' },
  },
  {
    name: 'INTERRUPTED', code: ExitCode.INTERRUPTED, meaning: 'interrupted by Ctrl-C or SIGTERM (128 + 2)',
    uses: { 'exec-test': 'interrupted; the container was removed', 'image pull-check': 'interrupted' },
  },
];

/** The codes `command` can end with, in order. */
export function exitCodesOf(command: CommandName): ExitCodeEntry[] {
  return EXIT_CODES.filter((entry) => entry.uses[command] !== undefined);
}

/** One help paragraph: "Exit codes: 0 done; 1 ...; 64 usage error ..." (exec-test adds its pass-through rule). */
export function exitCodesHelp(command: CommandName): string {
  const parts = exitCodesOf(command).map((entry) => `${entry.code} ${entry.uses[command] ?? ''}`);
  const passThrough = command === 'exec-test' ? ' Any other status is the program\'s own.' : '';
  return `Exit codes: ${parts.join('; ')}.${passThrough}`;
}

/** docs/exit-codes.md's table: one row per code, one column of meaning, then what it means for each command. */
export function exitCodesMarkdown(): string {
  const rows = EXIT_CODES.map((entry) => {
    const byText = new Map<string, string[]>();
    for (const [command, text] of Object.entries(entry.uses)) byText.set(text, [...(byText.get(text) ?? []), `\`${command}\``]);
    const uses = [...byText].map(([text, commands]) => `${commands.join(', ')}: ${text}`).join('<br>');
    return `| ${entry.code} | ${entry.meaning} | ${uses.replaceAll('|', '\\|')} |`;
  });
  return ['| code | meaning | per command |', '|---|---|---|', ...rows].join('\n');
}

/** Plain text for `cssh --help`: one line per code. */
export function exitCodesSummary(): string[] {
  return EXIT_CODES.map((entry) => `${String(entry.code).padStart(3)}  ${entry.meaning}`);
}

/**
 * The exit code for an error code a command failed with (outside exec-test): bad configuration 1, unreadable
 * configuration or no engine 2, usage 64, anything else a run-time failure 3.
 */
export function exitCodeForError(code: string): ExitCodeValue {
  if (code === 'USAGE') return ExitCode.USAGE;
  if (code === 'CONFIG_INVALID' || code === 'SSH_BACKEND_UNSUPPORTED') return ExitCode.INVALID;
  if (code === 'CONFIG_UNREADABLE' || code === 'DOCKER_UNAVAILABLE') return ExitCode.UNREADABLE;
  return ExitCode.RUNTIME;
}
