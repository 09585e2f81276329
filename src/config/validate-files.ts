// `config validate` as a library call: every file read, parsed and checked, every issue located, one exit code.
import { analyzeSource } from './analyze.js';
import type { ConfigIssue } from './issues.js';
import { displayName, parseSource, readSource } from './source.js';
import { expandInputs } from './validate-inputs.js';

/** The result for one file. `readable` is false when it could not be read or parsed (then `issues` says why). */
export interface FileReport {
  file: string;
  readable: boolean;
  valid: boolean;
  /** The file uses the 0.3 dockerrun format (run `cssh config migrate`). */
  legacy: boolean;
  errors: number;
  warnings: number;
  issues: ConfigIssue[];
}

/** The `--format json` / `--json` output of `cssh config validate`. */
export interface ValidateReport {
  valid: boolean;
  /** 0 valid (warnings allowed), 1 invalid, 2 a file could not be read or parsed. */
  exitCode: 0 | 1 | 2;
  strict: boolean;
  errors: number;
  warnings: number;
  files: FileReport[];
}

export interface ValidateOptions {
  /** Treat warnings as errors. */
  strict?: boolean;
  /** Issue codes to leave out of the report (`--ignore CODE`). */
  ignore?: readonly string[];
  /** Skip checks of files that exist only where cssh runs (host keys, certificates named by path). */
  offline?: boolean;
}

/** Codes of checks that look at this machine's files; `--offline` leaves them out (CI has no server's files). */
export const HOST_LOCAL_CODES: readonly string[] = ['CONFIG_FILE_NOT_FOUND', 'CONFIG_LOG_FILE_UNWRITABLE'];

/** The codes an options set drops from every report. */
function droppedCodes(options: ValidateOptions): Set<string> {
  return new Set([...(options.ignore ?? []), ...(options.offline === true ? HOST_LOCAL_CODES : [])]);
}

async function validateOne(file: string, strict: boolean, dropped: Set<string>): Promise<FileReport> {
  const name = displayName(file);
  const read = await readSource(file);
  if ('issue' in read) return summarize(name, false, false, [read.issue], strict);
  const parsed = parseSource(read.text, file);
  if (!parsed.ok) return summarize(name, false, false, parsed.issues, strict);
  const analysis = analyzeSource(parsed.source, 'validate');
  const issues = [...parsed.issues, ...analysis.issues].filter((issue) => !dropped.has(issue.code));
  return summarize(name, true, analysis.legacy, issues, strict);
}

function summarize(file: string, readable: boolean, legacy: boolean, issues: ConfigIssue[], strict: boolean): FileReport {
  const final = strict ? issues.map((issue) => ({ ...issue, severity: 'error' as const })) : issues;
  const errors = final.filter((issue) => issue.severity === 'error').length;
  return { file, readable, valid: readable && errors === 0, legacy, errors, warnings: final.length - errors, issues: final };
}

/** Validates each file independently; the exit code is the worst of them. */
export async function validateFiles(files: string[], options: ValidateOptions = {}): Promise<ValidateReport> {
  const strict = options.strict === true;
  const dropped = droppedCodes(options);
  const reports: FileReport[] = [];
  for (const file of await expandInputs(files)) reports.push(await validateOne(file, strict, dropped));
  const exitCode = reports.some((report) => !report.readable) ? 2 : reports.some((report) => !report.valid) ? 1 : 0;
  return {
    valid: exitCode === 0,
    exitCode,
    strict,
    errors: reports.reduce((sum, report) => sum + report.errors, 0),
    warnings: reports.reduce((sum, report) => sum + report.warnings, 0),
    files: reports,
  };
}
