// The one table of process exit codes every cssh command uses.
export const ExitCode = {
  /** Success; for `config validate`: valid (warnings allowed); for `image pull-check`: image ready. */
  OK: 0,
  /** The input was understood and is wrong: invalid config, file still needs migrating, image needs a pull. */
  INVALID: 1,
  /** The input could not be read or parsed (missing file, not YAML/JSON, a directory), or the engine is unavailable. */
  UNREADABLE: 2,
  /** Bad command-line usage (oclif's own convention). */
  USAGE: 2,
  /** A cssh failure at run time that is not the program's own exit code (Docker unreachable, start failed). */
  RUNTIME: 3,
  /** Interrupted by SIGINT (128 + 2). */
  INTERRUPTED: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
