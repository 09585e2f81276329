// `cssh config validate FILE...`: reports every problem of each config file with file:line:column; exit 0/1/2.
import { Args, Command, Flags } from '@oclif/core';
import type { ValidateFormat } from '../../cli/config-validate-run.js';
import type { ValidateReport } from '../../config/validate-files.js';

export default class ConfigValidate extends Command {
  static override summary = 'Check configuration files and report every problem with its location.';
  static override description = [
    'Exit codes: 0 valid (warnings allowed), 1 invalid, 2 a file could not be read or parsed.',
    'Use - to read standard input. --format github prints GitHub Actions annotations.',
    '--json (or --format json) prints {valid, exitCode, strict, errors, warnings, files: [{file, readable, valid, legacy, errors, warnings, issues}]}.',
  ].join('\n');

  static override examples = [
    '<%= config.bin %> config validate cssh.yaml',
    '<%= config.bin %> config validate --strict --format github config/*.yaml',
    'cat cssh.yaml | <%= config.bin %> config validate -',
  ];

  static override strict = false;
  static override enableJsonFlag = true;
  static override args = { file: Args.string({ description: 'configuration file (YAML, or JSON for .json); - for stdin', required: true }) };
  static override flags = {
    strict: Flags.boolean({ description: 'treat warnings as errors' }),
    format: Flags.string({ description: 'output format', options: ['text', 'json', 'github'], default: 'text' }),
  };

  async run(): Promise<ValidateReport> {
    const { argv, flags } = await this.parse(ConfigValidate);
    const files = argv.map(String);
    const strict = flags.strict;
    if (this.jsonEnabled()) {
      const { validateFiles } = await import('../../config/validate-files.js');
      const report = await validateFiles(files, { strict });
      process.exitCode = report.exitCode;
      return report;
    }
    const { validateAndPrint } = await import('../../cli/config-validate-run.js');
    const format = flags.format as ValidateFormat;
    const report = await validateAndPrint(files, { strict, format }, (text) => this.log(text));
    process.exitCode = report.exitCode;
    return report;
  }
}
