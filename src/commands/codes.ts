// `cssh codes`: lists every message code cssh logs or raises, with what it means.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { exitCodesHelp } from '../cli/exit-codes.js';

export default class Codes extends BaseCommand {
  static override commandName = 'codes' as const;
  static override summary = 'List the message codes that cssh logs and reports, with what each means';
  static override description = `Every log line and error carries one of these codes. --markdown prints the table of docs/CODES.md; --json prints {ok, command, exitCode, codes: [{code, area, description}]}.\n\n${exitCodesHelp('codes')}`;
  static override flags = {
    markdown: Flags.boolean({ description: 'print the Markdown table of docs/CODES.md' }),
  };

  async run(): Promise<{ codes: { code: string; area: string; description: string }[] }> {
    const { flags } = await this.parse(Codes);
    const { allCodes, codesMarkdown } = await import('../observability/codes.js');
    const codes = allCodes();
    if (this.jsonEnabled()) return { codes };
    if (flags.markdown) this.log(codesMarkdown().trimEnd());
    else for (const entry of codes) this.log(`${entry.code.padEnd(40)} ${entry.description}`);
    return { codes };
  }
}
