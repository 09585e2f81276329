// `config validate` as a library call: every file read, parsed and checked, every issue located, one exit code.
import { analyzeSource } from './analyze.js';
import type { ConfigIssue } from './issues.js';
import { displayName, parseSource, readSource } from './source.js';

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
}

async function validateOne(file: string, strict: boolean): Promise<FileReport> {
  const name = displayName(file);
  const read = await readSource(file);
  if ('issue' in read) return summarize(name, false, false, [read.issue], strict);
  const parsed = parseSource(read.text, file);
  if (!parsed.ok) return summarize(name, false, false, parsed.issues, strict);
  const analysis = analyzeSource(parsed.source, 'validate');
  return summarize(name, true, analysis.legacy, [...parsed.issues, ...analysis.issues], strict);
}

function summarize(file: string, readable: boolean, legacy: boolean, issues: ConfigIssue[], strict: boolean): FileReport {
  const final = strict ? issues.map((issue) => ({ ...issue, severity: 'error' as const })) : issues;
  const errors = final.filter((issue) => issue.severity === 'error').length;
  return { file, readable, valid: readable && errors === 0, legacy, errors, warnings: final.length - errors, issues: final };
}

/** Validates each file independently; the exit code is the worst of them. */
export async function validateFiles(files: string[], options: ValidateOptions = {}): Promise<ValidateReport> {
  const strict = options.strict === true;
  const reports: FileReport[] = [];
  for (const file of files) reports.push(await validateOne(file, strict));
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
