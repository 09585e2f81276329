// Renders the configuration schema as a standalone JSON Schema (draft 2020-12) for editors such as
// yaml-language-server: cssh's x- keywords stay (editors ignore them), ignored sections are listed as allowed.
import type { SchemaNode } from './resolve.js';
import { APP_SCHEMA } from './schema-data.js';

function withIgnored(node: SchemaNode): SchemaNode {
  const out: SchemaNode = { ...node };
  if (node.properties !== undefined) {
    const properties: Record<string, SchemaNode> = {};
    for (const [key, child] of Object.entries(node.properties)) properties[key] = withIgnored(child);
    for (const [key, what] of Object.entries(node['x-ignored'] ?? {})) {
      properties[key] = { description: `Accepted for ContainerSSH compatibility and ignored: cssh does not implement ${what}.` };
    }
    out.properties = properties;
    delete out.required;
  }
  return out;
}

/** The JSON Schema document printed by `cssh config schema`. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'cssh configuration',
    ...withIgnored(APP_SCHEMA),
  };
}
