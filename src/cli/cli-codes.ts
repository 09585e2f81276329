// Message codes of the command-line layer (the `error.code` of a --json envelope), each with what it means.

export const CLI_CODES = {
  USAGE: 'The command line cannot be used as typed (unknown command or flag, missing argument, bad flag value); exit 64, 125 in exec-test.',
  CSSH_FAILED: 'A command failed with an error that carries no code of its own; the message says what happened.',
  EXEC_TEST_FAILED: 'exec-test could not run the program for a reason without a more specific code; exit 125.',
} as const;
