// Runs `config validate` and prints the report in the chosen format; shared by the oclif command and the fast path.
import type { ValidateReport } from '../config/validate-files.js';

export type ValidateFormat = 'text' | 'json' | 'github' | 'sarif';

export interface ValidateRunOptions {
  strict: boolean;
  format: ValidateFormat;
  ignore?: string[];
  offline?: boolean;
  /** cssh's version, for the SARIF tool description. */
  version?: string;
}

/** Validates `files`, writes the report to `write` (stdout), and returns it; the caller sets the exit code. */
export async function validateAndPrint(files: string[], options: ValidateRunOptions, write: (text: string) => void): Promise<ValidateReport> {
  const { validateFiles } = await import('../config/validate-files.js');
  const report = await validateFiles(files, options);
  if (options.format === 'json') {
    const { envelope } = await import('./json-envelope.js');
    write(JSON.stringify(envelope('config validate', report, report.exitCode), null, 2));
  } else if (options.format === 'sarif') {
    const { renderValidateSarif } = await import('./config-sarif.js');
    write(renderValidateSarif(report, options.version ?? ''));
  } else if (options.format === 'github') {
    const { renderValidateGithub } = await import('./config-render.js');
    const text = renderValidateGithub(report);
    if (text !== '') write(text);
  } else {
    const { painterFor, renderValidateText } = await import('./config-render.js');
    write(renderValidateText(report, await painterFor(process.stdout)));
  }
  return report;
}
