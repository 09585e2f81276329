// The base of every cssh command: the `--json` envelope, errors mapped to exit codes from the one table, and how
// an error is shown (one line with its code, and what to do about it).
import { Command, Errors } from '@oclif/core';
import { isCsshError } from '../core/errors.js';
import { exitCodeForError, ExitCode, type CommandName } from './exit-codes.js';
import { envelope, errorEnvelope, fixFor, type EnvelopeError } from './json-envelope.js';

/** A failure a command reports on purpose: a code (USAGE, CONFIG_INVALID, ...), a message, and optionally a fix. */
export class CliFailure extends Error {
  readonly code: string;
  readonly fix: string | undefined;
  /** Overrides the exit code the command's mapping would give `code`. */
  readonly exitCode: number | undefined;

  constructor(code: string, message: string, options: { fix?: string; exitCode?: number } = {}) {
    super(message);
    this.name = 'CliFailure';
    this.code = code;
    this.fix = options.fix;
    this.exitCode = options.exitCode;
  }
}

/** A usage error: a flag value the parser accepted but the command cannot use. */
export function usageError(message: string, fix?: string): CliFailure {
  return new CliFailure('USAGE', message, fix === undefined ? {} : { fix });
}

/** oclif's own command-line errors: unknown flag, missing argument, bad option value, exclusive flags. */
function isParseError(error: unknown): boolean {
  return error instanceof Errors.CLIError && (error as { parse?: unknown }).parse !== undefined;
}

function describe(error: unknown): EnvelopeError {
  if (error instanceof CliFailure) return { code: error.code, message: error.message, ...(error.fix === undefined ? {} : { fix: error.fix }) };
  if (isParseError(error)) return { code: 'USAGE', message: (error as Error).message.replace(/\n?See more help with --help\s*$/, '') };
  if (isCsshError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'CSSH_FAILED', message: error.message };
  return { code: 'CSSH_FAILED', message: String(error) };
}

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;
  /** The command as typed after `cssh`; names it in the envelope and selects its rows of the exit-code table. */
  static commandName: CommandName;

  protected get commandName(): CommandName {
    return (this.constructor as typeof BaseCommand).commandName;
  }

  /** The exit code for a failure with `code`; exec-test overrides this (everything of its own is 125). */
  protected exitCodeFor(code: string): number {
    return exitCodeForError(code);
  }

  /** Every error a command throws ends here: one exit code from the table, and the error as JSON or one stderr line. */
  override async catch(error: unknown): Promise<void> {
    if (error instanceof Errors.ExitError) {
      process.exitCode = error.oclif.exit ?? ExitCode.RUNTIME;
      return;
    }
    const described = describe(error);
    const exitCode = error instanceof CliFailure && error.exitCode !== undefined ? error.exitCode : this.exitCodeFor(described.code);
    process.exitCode = exitCode;
    if (this.jsonEnabled()) {
      this.logJson(errorEnvelope(this.commandName, exitCode, described));
      return;
    }
    const fix = described.fix ?? (described.code === 'USAGE' ? `run "${this.config.bin} ${this.commandName} --help"` : fixFor(described.code));
    process.stderr.write(`${this.config.bin} ${this.commandName}: ${described.message}${described.code === 'USAGE' ? '' : ` [${described.code}]`}\n`);
    if (fix !== undefined) process.stderr.write(`  fix: ${fix}\n`);
  }

  override toSuccessJson(result: unknown): unknown {
    if (typeof result !== 'object' || result === null) return result;
    const own = (result as { exitCode?: unknown }).exitCode;
    const exitCode = typeof process.exitCode === 'number' ? process.exitCode : typeof own === 'number' ? own : ExitCode.OK;
    return envelope(this.commandName, result, exitCode);
  }
}
