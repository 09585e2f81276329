// `cssh codes`: lists every message code cssh logs or raises, with what it means.
import { Command, Flags } from '@oclif/core';

export default class Codes extends Command {
  static override description = 'List the message codes that cssh logs and reports, with what each means.';
  static override enableJsonFlag = true;
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
