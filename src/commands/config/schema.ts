// `cssh config schema`: prints the JSON Schema of the configuration file (for yaml-language-server and other editors).
import { Command } from '@oclif/core';

export default class ConfigSchema extends Command {
  static override summary = 'Print the JSON Schema of the configuration file.';
  static override description = 'Save it and point your editor at it, e.g. with a first line `# yaml-language-server: $schema=./cssh.schema.json` in the config file.';
  static override examples = ['<%= config.bin %> config schema > cssh.schema.json'];
  static override enableJsonFlag = true;

  async run(): Promise<Record<string, unknown>> {
    const { configJsonSchema } = await import('../../config/json-schema.js');
    const schema = configJsonSchema();
    if (!this.jsonEnabled()) this.log(JSON.stringify(schema, null, 2));
    return schema;
  }
}
