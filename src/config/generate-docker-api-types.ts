// Regenerates docker-api-types.ts, the field types of the Docker pass-through blocks, from the Docker Engine API's own
// OpenAPI definition: `npx tsx src/config/generate-docker-api-types.ts` reads the vendored subset in
// vendor/docker-engine-api.yaml; `--extract PATH/TO/swagger.yaml` first refreshes that subset from a full
// definition (moby's api/swagger.yaml). A unit test fails when the generated file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

/** One field's type as the Engine API defines it, $ref and allOf resolved. */
export interface ApiType {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'any';
  items?: ApiType;
  properties?: Record<string, ApiType>;
  additional?: ApiType;
  enum?: unknown[];
}

/** The definitions each pass-through block is (resources: HostConfig's embedded part, ContainerSSH's `resources:`). */
export const ROOTS = { container: 'ContainerConfig', host: 'HostConfig', network: 'NetworkingConfig', platform: 'OCIPlatform', resources: 'Resources' } as const;

type Definition = Record<string, unknown>;
const KEEP = ['type', 'items', 'properties', 'additionalProperties', '$ref', 'allOf', 'enum', 'x-nullable', 'format'];
const VENDORED = new URL('./vendor/docker-engine-api.yaml', import.meta.url);

function refName(ref: unknown): string | undefined {
  return typeof ref === 'string' && ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
}

/** The definition with only the keys that say its shape (no descriptions or examples), recursively. */
function prune(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(prune);
  if (typeof node !== 'object' || node === null) return node;
  const out: Definition = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties') out[key] = Object.fromEntries(Object.entries(value as Definition).map(([name, child]) => [name, prune(child)]));
    else if (KEEP.includes(key)) out[key] = prune(value);
  }
  return out;
}

function references(node: unknown, found: Set<string>): void {
  if (typeof node !== 'object' || node === null) return;
  const name = refName((node as Definition).$ref);
  if (name !== undefined) found.add(name);
  for (const value of Object.values(node)) references(value, found);
}

/** The definitions the roots need (transitively), pruned, with the licence note, as YAML text. */
export function extractSubset(swagger: { info?: { version?: string }; definitions: Record<string, unknown> }, source: string): string {
  const wanted = new Set<string>(Object.values(ROOTS));
  const done = new Set<string>();
  const definitions: Record<string, unknown> = {};
  while (wanted.size > done.size) {
    for (const name of [...wanted]) {
      if (done.has(name)) continue;
      done.add(name);
      const definition = swagger.definitions[name];
      if (definition === undefined) throw new Error(`the definition ${name} is missing from ${source}`);
      definitions[name] = prune(definition);
      references(definition, wanted);
    }
  }
  const sorted = Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b)));
  return [
    '# Subset of the Docker Engine API definition (moby/moby api/swagger.yaml): the definitions behind ContainerCreate\'s',
    '# container, host, network and platform settings, with descriptions and examples left out.',
    '# Copyright Docker, Inc. Licensed under the Apache License, Version 2.0 (https://www.apache.org/licenses/LICENSE-2.0),',
    '# as the api/ directory of moby/moby is. Refresh: npx tsx src/config/generate-docker-api-types.ts --extract swagger.yaml',
    `# Source: ${source}`,
    stringify({ apiVersion: swagger.info?.version ?? 'unknown', definitions: sorted }, { lineWidth: 0 }),
  ].join('\n');
}

/** Resolves one node of the subset into an ApiType. */
function resolve(node: Definition, definitions: Record<string, Definition>, seen: string[]): ApiType {
  const name = refName(node.$ref);
  if (name !== undefined) {
    if (seen.includes(name)) return { type: 'any' };
    const target = definitions[name];
    if (target === undefined) throw new Error(`unknown definition ${name}`);
    return resolve(target, definitions, [...seen, name]);
  }
  if (Array.isArray(node.allOf)) {
    const parts = (node.allOf as Definition[]).map((part) => resolve(part, definitions, seen));
    if (parts.length === 1 && parts[0] !== undefined) return parts[0]; // a single $ref wrapped for its description
    return { type: 'object', properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})) as Record<string, ApiType> };
  }
  const type = typeof node.type === 'string' ? node.type : node.properties !== undefined ? 'object' : 'any';
  const out: ApiType = { type: (['string', 'integer', 'number', 'boolean', 'array', 'object'].includes(type) ? type : 'any') as ApiType['type'] };
  if (node.items !== undefined) out.items = resolve(node.items as Definition, definitions, seen);
  if (node.properties !== undefined) {
    out.properties = Object.fromEntries(Object.entries(node.properties as Record<string, Definition>).map(([key, child]) => [key, resolve(child, definitions, seen)]));
  }
  if (typeof node.additionalProperties === 'object' && node.additionalProperties !== null) {
    out.additional = resolve(node.additionalProperties as Definition, definitions, seen);
  }
  if (Array.isArray(node.enum) && node.enum.length > 0) out.enum = node.enum;
  return out;
}

/** The TypeScript source of docker-api-types.ts for the vendored subset. */
export function renderDockerApiTypes(subsetText: string): string {
  const subset = parse(subsetText) as { apiVersion: string; definitions: Record<string, Definition> };
  const blocks = Object.fromEntries(Object.entries(ROOTS).map(([block, root]) => {
    const definition = subset.definitions[root];
    if (definition === undefined) throw new Error(`the subset lacks ${root}`);
    return [block, resolve(definition, subset.definitions, [root])];
  }));
  return [
    '// GENERATED from vendor/docker-engine-api.yaml (the Docker Engine API\'s OpenAPI definition) by',
    '// generate-docker-api-types.ts; do not edit. The type of every field of the Docker pass-through blocks.',
    "import type { ApiType } from './generate-docker-api-types.js';",
    '',
    `export const DOCKER_API_VERSION = ${JSON.stringify(subset.apiVersion)};`,
    '',
    `export const DOCKER_API_TYPES = JSON.parse(${JSON.stringify(JSON.stringify(blocks))}) as Record<${Object.keys(ROOTS).map((key) => `'${key}'`).join(' | ')}, ApiType>;`,
    '',
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const extract = process.argv.indexOf('--extract');
  if (extract !== -1) {
    const path = process.argv[extract + 1];
    if (path === undefined) throw new Error('--extract needs the path of a full swagger.yaml');
    const swagger = parse(readFileSync(path, 'utf8')) as Parameters<typeof extractSubset>[0];
    writeFileSync(VENDORED, extractSubset(swagger, process.argv[extract + 2] ?? 'moby/moby api/swagger.yaml'));
  }
  writeFileSync(new URL('./docker-api-types.ts', import.meta.url), renderDockerApiTypes(readFileSync(VENDORED, 'utf8')));
}
