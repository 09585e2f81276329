// A start-up fast path for `cssh config validate` that skips loading oclif (most of the CLI's start-up time).
// bin/run.js may call it before oclif; for anything it does not understand (help, unknown flags) it returns
// undefined and oclif handles the command as usual, so behaviour is identical.
import { existsSync } from 'node:fs';
import { DEFAULT_SETTINGS_FILE } from '../config/validate-settings.js';
import { validateAndPrint, type ValidateFormat } from './config-validate-run.js';

const FORMATS: readonly string[] = ['text', 'json', 'github'];
// Anything else (--ignore, --offline, --settings, --format sarif, a .cssh-validate.yaml here) goes through oclif.

interface FastArgs {
  files: string[];
  strict: boolean;
  format: ValidateFormat;
}

/** Parses the arguments after `config validate`; undefined means "let oclif handle it". */
export function parseFastArgs(argv: readonly string[]): FastArgs | undefined {
  const args: FastArgs = { files: [], strict: false, format: 'text' };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--strict') args.strict = true;
    else if (arg === '--json') args.format = 'json';
    else if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg === '--format' ? argv[(index += 1)] : arg.slice('--format='.length);
      if (value === undefined || !FORMATS.includes(value)) return undefined;
      if (args.format !== 'json' || !argv.includes('--json')) args.format = value as ValidateFormat;
    } else if (arg === '-' || !arg.startsWith('-')) args.files.push(arg);
    else return undefined;
  }
  return args.files.length === 0 ? undefined : args;
}

/** Runs `config validate` without oclif; returns the exit code, or undefined when oclif should run instead. */
export async function runValidateFast(argv: readonly string[]): Promise<number | undefined> {
  const args = parseFastArgs(argv);
  if (args === undefined || existsSync(DEFAULT_SETTINGS_FILE)) return undefined;
  const report = await validateAndPrint(args.files, args, (text) => process.stdout.write(`${text}\n`));
  return report.exitCode;
}
