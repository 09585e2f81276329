// Command-line parsing shared by the scripts under scripts/: an unknown flag or a bad value is named and the script
// exits with status 2, never with a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exits with status 2 after saying what is wrong with a flag's value. */
function refuse(message: string): never {
  console.error(message);
  process.exit(2);
}

/** `parseArgs` of the script's own arguments; a flag it does not know or a missing value stops the script. */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    refuse(error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error));
  }
}

/** The value of `--name` as a whole number of at least 1. */
export function positiveInteger(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) refuse(`--${name} must be a whole number of at least 1, not "${text}"`);
  return n;
}

/** The value of `--name` as a whole number of at least 0. */
export function nonNegativeInteger(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) refuse(`--${name} must be a whole number of at least 0, not "${text}"`);
  return n;
}

/** The value of `--name` as a comma-separated list of whole numbers of at least 1. */
export function positiveIntegerList(name: string, text: string): number[] {
  return text.split(',').map((part) => positiveInteger(name, part.trim()));
}

/** The value of `--name` when it is one of `allowed`. */
export function oneOf<T extends string>(name: string, text: string | undefined, allowed: readonly T[]): T {
  const found = allowed.find((choice) => choice === text);
  if (found === undefined) refuse(`--${name} must be ${allowed.join(' or ')}, not "${text ?? ''}"`);
  return found;
}

/** The execution mode flag every churn and bench script takes. */
export function executionMode(text: string): 'connection' | 'session' {
  return oneOf('mode', text, ['connection', 'session'] as const);
}
