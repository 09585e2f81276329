// `cssh config schema`: prints the JSON Schema of the configuration file (for yaml-language-server and other editors).
import { BaseCommand } from '../../cli/base-command.js';
import { exitCodesHelp } from '../../cli/exit-codes.js';

export default class ConfigSchema extends BaseCommand {
  static override commandName = 'config schema' as const;
  static override summary = 'Print the JSON Schema of the configuration file';
  static override description = [
    'Save it and point your editor at it, e.g. with a first line `# yaml-language-server: $schema=./cssh.schema.json` in the config file. --json wraps it as {ok, command, exitCode, schema}.',
    exitCodesHelp('config schema'),
  ].join('\n\n');
  static override examples = ['<%= config.bin %> config schema > cssh.schema.json'];

  async run(): Promise<{ schema: Record<string, unknown> }> {
    await this.parse(ConfigSchema);
    const { configJsonSchema } = await import('../../config/json-schema.js');
    const schema = configJsonSchema();
    if (!this.jsonEnabled()) this.log(JSON.stringify(schema, null, 2));
    return { schema };
  }
}
