// cssh's help: oclif's, with the exit-code table at the end of `cssh --help` (from the one table in exit-codes.ts).
import { Help } from '@oclif/core';
import { EXIT_CODES } from './exit-codes.js';

export default class CsshHelp extends Help {
  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp();
    const rows: [string, string][] = EXIT_CODES.map((entry) => [String(entry.code), entry.meaning]);
    this.log(this.section('EXIT CODES', rows));
    this.log(`  Each command's help says what its codes mean; exec-test otherwise exits with its program's status.\n`);
  }
}
