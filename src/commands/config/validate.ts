// `cssh config validate FILE...`: reports every problem of each config file with file:line:column; exit 0/1/2.
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { ExitCode, exitCodesHelp } from '../../cli/exit-codes.js';
import type { ValidateFormat } from '../../cli/config-validate-run.js';
import type { ValidateReport } from '../../config/validate-files.js';

export default class ConfigValidate extends BaseCommand {
  static override commandName = 'config validate' as const;
  static override summary = 'Check configuration files and report every problem with its location';
  static override description = [
    'Use - to read standard input; a directory means every .yaml/.yml/.json file under it; quoted globs are expanded. --format github prints GitHub Actions annotations, --format sarif a SARIF 2.1.0 log for code scanning.',
    '--ignore CODE leaves a code out (repeatable); --offline skips checks of files that exist only on the server (host keys and certificates named by path). Both can also be set in .cssh-validate.yaml (ignore: [CODE], offline: true, strict: true) in the current directory, or in the file given with --settings.',
    '--json (or --format json) prints {ok, command, exitCode, valid, strict, errors, warnings, files: [{file, readable, valid, legacy, errors, warnings, issues}]}.',
    exitCodesHelp('config validate'),
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> config validate cssh.yaml',
    '<%= config.bin %> config validate --strict --format github config/*.yaml',
    '<%= config.bin %> config validate --offline --ignore SECURITY_NO_LIMITS --format sarif config/ > cssh.sarif',
    'cat cssh.yaml | <%= config.bin %> config validate -',
  ];

  static override strict = false;
  static override args = { file: Args.string({ description: 'configuration file (YAML, or JSON for .json); - for stdin', required: true }) };
  static override flags = {
    strict: Flags.boolean({ description: 'treat warnings as errors' }),
    format: Flags.string({ description: 'output format', options: ['text', 'json', 'github', 'sarif'], default: 'text' }),
    ignore: Flags.string({ description: 'leave issues with this code out of the report (repeatable, or comma-separated)', multiple: true, multipleNonGreedy: true, delimiter: ',' }),
    offline: Flags.boolean({ description: 'skip checks of files that exist only where cssh runs (host keys, certificates)' }),
    settings: Flags.string({ description: 'lint settings file (YAML: ignore, offline, strict) [default: ./.cssh-validate.yaml if present]' }),
  };

  async run(): Promise<ValidateReport> {
    const { argv, flags } = await this.parse(ConfigValidate);
    const files = argv.map(String);
    const { loadValidateSettings } = await import('../../config/validate-settings.js');
    let settings;
    try {
      settings = await loadValidateSettings(flags.settings);
    } catch (error) {
      this.logToStderr(`cssh config validate: ${(error as Error).message}`);
      process.exitCode = ExitCode.UNREADABLE;
      return { valid: false, exitCode: ExitCode.UNREADABLE, strict: flags.strict, errors: 1, warnings: 0, files: [] };
    }
    const options = {
      strict: flags.strict || settings.strict,
      ignore: [...settings.ignore, ...(flags.ignore ?? [])],
      offline: flags.offline || settings.offline,
      version: this.config.version,
    };
    if (this.jsonEnabled()) {
      const { validateFiles } = await import('../../config/validate-files.js');
      const report = await validateFiles(files, options);
      process.exitCode = report.exitCode;
      return report;
    }
    const { validateAndPrint } = await import('../../cli/config-validate-run.js');
    const format = flags.format as ValidateFormat;
    const report = await validateAndPrint(files, { ...options, format }, (text) => this.log(text));
    process.exitCode = report.exitCode;
    return report;
  }
}
