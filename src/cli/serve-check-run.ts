// Runs `cssh serve --check` for the oclif command: the same config serve would use, checked, printed like
// `config validate` (text, or the validate JSON report with --json), exit code 0 ready, 1 invalid, 2 unreadable.
import type { AppConfig } from '../config/types.js';
import type { ValidateReport } from '../config/validate-files.js';

export interface ServeCheckFlags {
  config?: string;
  'state-dir'?: string;
}

/** `overrides` applies --image/--mode/--listen; without --config the zero-config defaults come first, as in serve. */
export async function runServeCheck(
  flags: ServeCheckFlags,
  overrides: (config: AppConfig) => AppConfig,
  json: boolean,
  write: (text: string) => void,
): Promise<ValidateReport> {
  const [{ checkServe }, defaults] = await Promise.all([import('../app-check.js'), import('../ssh/serve-defaults.js')]);
  const adjust = flags.config === undefined
    ? (config: AppConfig): AppConfig => overrides(defaults.applyZeroConfigDefaults(config, defaults.invokingUser()))
    : overrides;
  const report = await checkServe({ file: flags.config, stateDir: flags['state-dir'] ?? defaults.defaultStateDir(), adjust });
  process.exitCode = report.exitCode;
  if (json) return report;
  const { painterFor, renderValidateText } = await import('./config-render.js');
  write(renderValidateText(report, await painterFor(process.stdout)));
  return report;
}
