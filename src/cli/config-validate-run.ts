// Runs `config validate` and prints the report in the chosen format; shared by the oclif command and the fast path.
import type { ValidateReport } from '../config/validate-files.js';

export type ValidateFormat = 'text' | 'json' | 'github';

/** Validates `files`, writes the report to `write` (stdout), and returns it; the caller sets the exit code. */
export async function validateAndPrint(files: string[], options: { strict: boolean; format: ValidateFormat }, write: (text: string) => void): Promise<ValidateReport> {
  const { validateFiles } = await import('../config/validate-files.js');
  const report = await validateFiles(files, { strict: options.strict });
  if (options.format === 'json') {
    write(JSON.stringify(report, null, 2));
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
