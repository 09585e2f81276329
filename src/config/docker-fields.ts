// The Docker pass-through blocks (container, host, network, platform): keys in any spelling (ContainerSSH's lowercase
// YAML keys, camelCase, API names) mapped to the Engine API's names, and values type-checked against the Engine API's
// own OpenAPI definition (docker-api-types.ts, generated from the vendored definition).
import { DOCKER_API_TYPES } from './docker-api-types.js';
import type { ApiType } from './generate-docker-api-types.js';
import { configError, configWarning, describeValue, type ConfigIssue } from './issues.js';
import { didYouMean } from './suggest.js';

/** The fields of one object: Engine API name to type. */
export type FieldTable = Record<string, ApiType>;

export const CONTAINER_FIELDS: FieldTable = DOCKER_API_TYPES.container.properties ?? {};

/** HostConfig, plus Go's embedded Resources struct that ContainerSSH's YAML spells `resources:` (flattened for the API). */
export const HOST_FIELDS: FieldTable = { ...DOCKER_API_TYPES.host.properties, Resources: DOCKER_API_TYPES.resources };

export const NETWORK_FIELDS: FieldTable = DOCKER_API_TYPES.network.properties ?? {};

/** OCI platform names as in its JSON (os.version), with Go's field names as aliases. */
export const PLATFORM_FIELDS: FieldTable = DOCKER_API_TYPES.platform.properties ?? {};
const PLATFORM_ALIASES: Record<string, string> = { osversion: 'os.version', osfeatures: 'os.features' };

export const DOCKER_TABLES: Record<string, FieldTable> = {
  container: CONTAINER_FIELDS,
  host: HOST_FIELDS,
  network: NETWORK_FIELDS,
  platform: PLATFORM_FIELDS,
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Finds the canonical API name for a key written in any case, or undefined. */
export function canonicalDockerKey(table: FieldTable, key: string): string | undefined {
  const lower = key.toLowerCase();
  const alias = PLATFORM_ALIASES[lower];
  if (alias !== undefined && alias in table) return alias;
  return Object.keys(table).find((name) => name.toLowerCase() === lower);
}

/** Normalises one pass-through block; unknown fields are kept as written and reported as warnings, wrong types as errors. */
export function normalizeDockerBlock(kind: string, value: Record<string, unknown>, path: string, issues: ConfigIssue[]): Record<string, unknown> {
  const table = DOCKER_TABLES[kind] ?? {};
  const result = normalizeObject(table, value, path, issues);
  if (kind === 'container') hintMisplacedHostFields(result, path, issues);
  if (kind === 'host' && isPlainObject(result.Resources)) {
    const { Resources: nested, ...rest } = result;
    return { ...nested, ...rest };
  }
  return result;
}

function normalizeObject(table: FieldTable, value: Record<string, unknown>, path: string, issues: ConfigIssue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const sourceKey: Record<string, string> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '__proto__') continue; // never a Docker field; assigning it would replace the object's prototype
    const name = canonicalDockerKey(table, key);
    const childPath = `${path}.${key}`;
    if (name === undefined) {
      issues.push(unknownFieldWarning(table, key, childPath));
      out[key] = child;
      continue;
    }
    const previous = sourceKey[name];
    if (previous !== undefined) {
      issues.push(configError('CONFIG_DUPLICATE_KEY', childPath, `"${key}" and "${previous}" both set the Docker field ${name}`, {
        hint: 'Docker keys are matched case-insensitively; keep only one of them',
      }));
    }
    sourceKey[name] = key;
    out[name] = normalizeValue(table[name] ?? { type: 'any' }, child, childPath, name, issues);
  }
  return out;
}

const KIND_TEXT: Record<ApiType['type'], string> = {
  string: 'a string', integer: 'a whole number', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping', any: 'any value',
};

/** Docker's size suffixes (binary, as the docker CLI reads them): 512m is 536870912 bytes. */
function bytesOf(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (match === null) return undefined;
  const power = ['', 'k', 'm', 'g', 't'].indexOf((match[2] ?? '').toLowerCase());
  return Math.round(Number(match[1]) * 1024 ** power);
}

function typeHint(type: ApiType, value: unknown, name: string): string {
  if (type.type === 'integer' || type.type === 'number') {
    const bytes = typeof value === 'string' ? bytesOf(value) : undefined;
    if (bytes !== undefined && /memory|size|bytes|bps/i.test(name)) return `Docker takes a number of bytes here: write ${bytes} for ${String(value)}`;
    return 'write the number without quotes';
  }
  if (type.type === 'boolean') return 'write true or false, without quotes';
  if (type.type === 'array') return typeof value === 'string' ? `write a list, for example [${JSON.stringify(value)}]` : 'write a list';
  if (type.type === 'object') return 'write a mapping of keys to values';
  if (name === 'Image') return 'write an image reference such as busybox:1.36 (quote a name made only of digits)';
  return 'quote the value to write it as a string';
}

/** A value of the wrong type for the Engine API field `name` at `path`: an error naming the field, the type and the fix. */
function typeError(type: ApiType, value: unknown, path: string, name: string): ConfigIssue {
  return configError('CONFIG_TYPE', path, `the Docker field ${name} takes ${KIND_TEXT[type.type]}, not ${describeValue(value)}`, {
    expected: KIND_TEXT[type.type],
    found: describeValue(value),
    hint: typeHint(type, value, name),
  });
}

/**
 * Checks and normalises `value` against the Engine API type. Go's YAML decoder turns a number into a string field's
 * text (`user: 1000`, `hostport: 8080`); the same happens here, except for Image, which is never a bare number.
 */
function normalizeValue(type: ApiType, value: unknown, path: string, name: string, issues: ConfigIssue[]): unknown {
  if (value === null || value === undefined || type.type === 'any') return value;
  switch (type.type) {
    case 'string':
      if (typeof value === 'string') return value;
      if ((typeof value === 'number' || typeof value === 'bigint') && name !== 'Image') return String(value);
      break;
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'bigint') return value;
      break;
    case 'number':
      if (typeof value === 'number') return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'array':
      if (Array.isArray(value)) {
        const items = type.items ?? { type: 'any' };
        return value.map((item, index) => normalizeValue(items, item, `${path}.${index}`, name, issues));
      }
      break;
    case 'object':
      if (isPlainObject(value)) return normalizeMapping(type, value, path, name, issues);
      break;
  }
  issues.push(typeError(type, value, path, name));
  return value;
}

function normalizeMapping(type: ApiType, value: Record<string, unknown>, path: string, name: string, issues: ConfigIssue[]): Record<string, unknown> {
  if (type.properties !== undefined) return normalizeObject(type.properties, value, path, issues);
  const values = type.additional;
  if (values === undefined) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== '__proto__')
    .map(([key, child]) => [key, normalizeValue(values, child, `${path}.${key}`, `${name}.${key}`, issues)]));
}

/** ContainerSSH users often put HostConfig fields (networkmode, binds) into container; say where they belong. */
function hintMisplacedHostFields(container: Record<string, unknown>, path: string, issues: ConfigIssue[]): void {
  for (const issue of issues) {
    const key = issue.path.startsWith(`${path}.`) ? issue.path.slice(path.length + 1) : undefined;
    if (issue.code !== 'DOCKER_FIELD_UNKNOWN' || key === undefined || !(key in container)) continue;
    const hostName = canonicalDockerKey(HOST_FIELDS, key);
    if (hostName !== undefined) issue.hint = `${hostName} is a HostConfig field: move it to docker.execution.host`;
  }
}

function unknownFieldWarning(table: FieldTable, key: string, path: string): ConfigIssue {
  const hint = didYouMean(key, Object.keys(table));
  return configWarning('DOCKER_FIELD_UNKNOWN', path, `unknown Docker field "${key}" is passed to Docker as written`, {
    ...(hint === undefined ? {} : { hint }),
  });
}
