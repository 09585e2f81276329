// `cssh config migrate FILE`: converts ContainerSSH 0.3 dockerrun configs and old 0.3/0.4 keys to the current format.
import { Args, Flags } from '@oclif/core';
import { BaseCommand, usageError } from '../../cli/base-command.js';
import { ExitCode, exitCodesHelp } from '../../cli/exit-codes.js';
import type { MigrateReport } from '../../config/migrate-file.js';

export default class ConfigMigrate extends BaseCommand {
  static override commandName = 'config migrate' as const;
  static override summary = 'Convert a legacy (dockerrun, 0.3/0.4) configuration to the current format';
  static override description = [
    'Prints the migrated YAML (JSON for .json files) on stdout and every change and behaviour-relevant choice on stderr. Problems in the result are reported at their place in FILE (file:line:col).',
    'ContainerSSH 0.3 and 0.4 read some keys differently: an unset auth.pubkey meant off in 0.3 and on in 0.4, and dockerrun disableCommand: true also refused subsystems (sftp) in 0.3 but only commands in 0.4. --from says which version FILE was written for. Without it, a file with a section 0.3 did not have (docker, security, kubernetes, audit, health, sshproxy) is read as 0.4, and any other as 0.3, the stricter reading: it never turns on a login method or a subsystem the file did not ask for. Either way the choice is written out in the output, and a warning names each answer that depended on an assumed version.',
    '--json prints {ok, command, exitCode, file, readable, changed, notes, version, output, valid, issues, written?, backup?}.',
    exitCodesHelp('config migrate'),
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> config migrate old.yaml > new.yaml',
    '<%= config.bin %> config migrate old.yaml --write',
    '<%= config.bin %> config migrate --from 0.4 old.yaml > new.yaml',
    '<%= config.bin %> config migrate --check config.yaml',
  ];

  static override args = { file: Args.string({ description: 'configuration file; - for stdin', required: true }) };
  static override flags = {
    output: Flags.string({ char: 'o', description: 'write the migrated config to this file instead of stdout', exclusive: ['write', 'check'] }),
    write: Flags.boolean({ char: 'w', description: 'rewrite FILE in place, keeping the original as FILE.bak', exclusive: ['output', 'check'] }),
    check: Flags.boolean({ description: 'only report whether FILE needs migrating (exit 1 if it does)', exclusive: ['output', 'write'] }),
    from: Flags.string({
      description: 'ContainerSSH version FILE was written for [default: 0.4 if FILE has a section 0.3 lacked, else 0.3 (the stricter reading)]',
      options: ['0.3', '0.4'],
    }),
  };

  async run(): Promise<MigrateReport & { written?: string; backup?: string }> {
    const { args, flags } = await this.parse(ConfigMigrate);
    if (flags.write && args.file === '-') throw usageError('--write needs a file, not stdin', 'give the file name instead of -, or use --output FILE');
    const { migrateFile } = await import('../../config/migrate-file.js');
    const { painterFor, renderIssue, renderMigrationNotes } = await import('../../cli/config-render.js');
    const report = await migrateFile(args.file, flags.from === '0.3' || flags.from === '0.4' ? flags.from : undefined);
    const paint = await painterFor(process.stderr);
    const json = this.jsonEnabled();
    const say = (text: string): void => {
      if (!json && text !== '') process.stderr.write(`${text}\n`);
    };
    if (!report.readable) {
      say(report.issues.flatMap((issue) => renderIssue(issue, paint)).join('\n'));
      process.exitCode = ExitCode.UNREADABLE;
      return report;
    }
    say(report.changed ? renderMigrationNotes(report.file, report.notes, paint) : `${report.file}: already in the current format; nothing to migrate`);
    if (!report.valid) say(report.issues.filter((issue) => issue.severity === 'error').flatMap((issue) => renderIssue(issue, paint)).join('\n'));
    if (flags.check) {
      process.exitCode = report.changed || !report.valid ? ExitCode.INVALID : ExitCode.OK;
      return report;
    }
    const result = await this.deliver(report, args.file, flags, json);
    process.exitCode = report.valid ? ExitCode.OK : ExitCode.INVALID;
    return result;
  }

  private async deliver(report: MigrateReport, file: string, flags: { output?: string; write: boolean }, json: boolean): Promise<MigrateReport & { written?: string; backup?: string }> {
    const { copyFile, writeFile } = await import('node:fs/promises');
    if (flags.write) {
      if (!report.changed) return report;
      await copyFile(file, `${file}.bak`);
      await writeFile(file, report.output);
      if (!json) process.stderr.write(`wrote ${file} (original kept as ${file}.bak)\n`);
      return { ...report, written: file, backup: `${file}.bak` };
    }
    if (flags.output !== undefined) {
      await writeFile(flags.output, report.output);
      if (!json) process.stderr.write(`wrote ${flags.output}\n`);
      return { ...report, written: flags.output };
    }
    if (!json) process.stdout.write(report.output);
    return report;
  }
}
