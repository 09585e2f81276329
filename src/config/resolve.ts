// Walks the configuration schema over a parsed file: checks types and keys, applies defaults, converts durations to
// milliseconds and normalises Docker pass-through blocks. Produces the resolved value plus every issue found.
import { normalizeDockerBlock } from './docker-fields.js';
import { parseGoDuration } from './duration.js';
import { configError, configWarning, describeValue, type ConfigIssue } from './issues.js';
import { didYouMean } from './suggest.js';

/** The JSON Schema subset (plus cssh's x- keywords) that schema.ts produces. */
export interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  const?: unknown;
  default?: unknown;
  description?: string;
  'x-cssh'?: string;
  'x-docker'?: string;
  'x-zero-default'?: boolean;
  'x-any-case'?: boolean;
  'x-ignored'?: Record<string, string>;
  'x-invalid'?: string;
  [keyword: string]: unknown;
}

export interface ResolveOptions {
  /** JSON input: ContainerSSH's own keys match case-insensitively, as Go's JSON decoder does. */
  json?: boolean;
  /** Partial input (a config-server override): no defaults, only the keys present come back. */
  partial?: boolean;
}

interface Ctx extends ResolveOptions {
  issues: ConfigIssue[];
}

type Kind = 'duration' | 'docker' | 'fixed' | 'colonlist' | 'enum' | 'object' | 'map' | 'list' | 'string' | 'integer' | 'boolean' | 'any';

export function kindOf(node: SchemaNode): Kind {
  const marker = node['x-cssh'];
  if (marker === 'duration' || marker === 'docker' || marker === 'fixed' || marker === 'colonlist') return marker;
  if (node.anyOf !== undefined) return 'enum';
  if (node.properties !== undefined) return 'object';
  if (node.patternProperties !== undefined) return 'map';
  if (node.type === 'array') return 'list';
  if (node.type === 'string' || node.type === 'integer' || node.type === 'boolean') return node.type;
  return 'any';
}

/** The resolved default of a schema node (durations in ms). */
export function defaultsOf(node: SchemaNode): unknown {
  const kind = kindOf(node);
  if (kind === 'object') {
    return Object.fromEntries(Object.entries(node.properties ?? {}).map(([key, child]) => [key, defaultsOf(child)]));
  }
  if (kind === 'duration') return (parseGoDuration(String(node.default)) ?? 0) / 1e6;
  return structuredClone(node.default);
}

export function resolveValue(node: SchemaNode, value: unknown, path: string, ctx: Ctx): unknown {
  if (value === undefined || value === null) return ctx.partial === true ? undefined : defaultsOf(node);
  const kind = kindOf(node);
  switch (kind) {
    case 'object': return resolveObject(node, value, path, ctx);
    case 'duration': return resolveDuration(node, value, path, ctx);
    case 'docker': return resolveDocker(node, value, path, ctx);
    case 'enum': return resolveEnum(node, value, path, ctx);
    case 'list': return resolveList(node, value, path, ctx);
    case 'colonlist': return resolveColonList(node, value, path, ctx);
    case 'map': case 'fixed': return resolveStringMap(node, value, path, ctx, kind === 'fixed');
    case 'string': return resolveScalar(node, typeof value === 'number' ? String(value) : value, path, ctx, typeof value === 'string' || typeof value === 'number', 'a string');
    case 'boolean': return resolveScalar(node, value, path, ctx, typeof value === 'boolean', 'true or false');
    case 'integer': return resolveScalar(node, value, path, ctx, Number.isInteger(value), 'an integer');
    default: return value;
  }
}

function fallback(node: SchemaNode, ctx: Ctx): unknown {
  return ctx.partial === true ? undefined : defaultsOf(node);
}

function typeError(path: string, expected: string, value: unknown, hint?: string): ConfigIssue {
  return configError('CONFIG_TYPE', path, `expected ${expected}, found ${describeValue(value)}`, {
    expected,
    found: describeValue(value),
    ...(hint === undefined ? {} : { hint }),
  });
}

function resolveScalar(node: SchemaNode, value: unknown, path: string, ctx: Ctx, ok: boolean, expected: string): unknown {
  if (!ok) {
    const hint = expected === 'true or false' && typeof value === 'string' ? 'write true or false without quotes' : undefined;
    ctx.issues.push(typeError(path, expected, value, hint));
    return fallback(node, ctx);
  }
  const refill = value === '' || (value === 0 && node['x-zero-default'] === true);
  return refill && ctx.partial !== true ? defaultsOf(node) : value;
}

function resolveEnum(node: SchemaNode, value: unknown, path: string, ctx: Ctx): unknown {
  const allowed = (node.anyOf ?? []).map((option) => String(option.const));
  if (value === '') return fallback(node, ctx); // Go's zero value: refilled by the default
  if (typeof value === 'string' && allowed.includes(value)) return value;
  const shown = allowed.map((option) => (option === '' ? '""' : option)).join('|');
  const label = node['x-invalid'] ?? 'invalid value';
  const hint = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
  ctx.issues.push(configError('CONFIG_INVALID_VALUE', path, `${label}: ${describeValue(value)}`, {
    expected: shown,
    found: describeValue(value),
    ...(hint === undefined ? {} : { hint }),
  }));
  return fallback(node, ctx);
}

function resolveDuration(node: SchemaNode, value: unknown, path: string, ctx: Ctx): unknown {
  let ns: number | undefined;
  if (typeof value === 'string') ns = parseGoDuration(value);
  else if (typeof value === 'number' && Number.isFinite(value)) ns = value;
  if (ns === undefined) {
    ctx.issues.push(configError('CONFIG_DURATION', path, `invalid duration: ${describeValue(value)}`, {
      expected: 'a Go duration such as 60s, 1m30s or 500ms',
      found: describeValue(value),
      ...(typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? { hint: `add a unit, for example ${value.trim()}s` } : {}),
    }));
    return fallback(node, ctx);
  }
  if (ns < 0) {
    ctx.issues.push(configError('CONFIG_DURATION', path, 'a duration must not be negative', { expected: 'a duration of 0 or more', found: describeValue(value) }));
    return fallback(node, ctx);
  }
  if (typeof value === 'number' && value > 0 && value < 1e6) {
    ctx.issues.push(configWarning('CONFIG_DURATION_NANOSECONDS', path, `the bare number ${value} is ${value} nanoseconds`, {
      hint: `add a unit, for example "${value}s"`,
    }));
  }
  if (ns === 0 && node['x-zero-default'] === true && ctx.partial !== true) return defaultsOf(node);
  return ns / 1e6;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveDocker(node: SchemaNode, value: unknown, path: string, ctx: Ctx): unknown {
  if (!isPlainObject(value)) {
    ctx.issues.push(typeError(path, 'a mapping of Docker Engine API fields', value));
    return fallback(node, ctx);
  }
  return normalizeDockerBlock(node['x-docker'] ?? '', value, path, ctx.issues);
}

function resolveList(node: SchemaNode, value: unknown, path: string, ctx: Ctx): unknown {
  if (!Array.isArray(value)) {
    const hint = typeof value === 'string' ? `write a list, for example [${JSON.stringify(value)}]` : undefined;
    ctx.issues.push(typeError(path, 'a list of strings', value, hint));
    return fallback(node, ctx);
  }
  value.forEach((item, index) => {
    if (typeof item !== 'string') ctx.issues.push(typeError(`${path}.${index}`, 'a string', item));
  });
  return value.map((item) => (typeof item === 'string' ? item : String(item)));
}

/** A list, or ContainerSSH's colon-separated string form ("x25519:secp256r1"); "" means the default. */
function resolveColonList(node: SchemaNode, value: unknown, path: string, ctx: Ctx): unknown {
  if (typeof value !== 'string') return resolveList(node, value, path, ctx);
  if (value.trim() === '') return fallback(node, ctx);
  return value.split(':').map((item) => item.trim()).filter((item) => item !== '');
}

function resolveStringMap(node: SchemaNode, value: unknown, path: string, ctx: Ctx, fixed: boolean): unknown {
  if (!isPlainObject(value)) {
    ctx.issues.push(typeError(path, 'a mapping of strings', value));
    return fallback(node, ctx);
  }
  const out: Record<string, string> = {};
  const known = Object.keys(node.properties ?? {});
  for (const [key, child] of Object.entries(value)) {
    const name = fixed || key === '__proto__' ? known.find((candidate) => candidate === key.toLowerCase()) : key;
    if (name === undefined) {
      ctx.issues.push(unknownKey(`${path}.${key}`, key, known));
      continue;
    }
    if (typeof child !== 'string') ctx.issues.push(typeError(`${path}.${key}`, 'a string', child));
    else out[name] = child;
  }
  return out;
}

function unknownKey(path: string, key: string, candidates: string[]): ConfigIssue {
  const hint = didYouMean(key, candidates);
  return configError('CONFIG_UNKNOWN_KEY', path, `unknown option "${key}"`, {
    expected: candidates.length > 14 ? `one of ${candidates.slice(0, 14).join(', ')}, ...` : `one of ${candidates.join(', ')}`,
    found: JSON.stringify(key),
    ...(hint === undefined ? {} : { hint }),
  });
}

function matchKey(node: SchemaNode, key: string, ctx: Ctx): string | undefined {
  const properties = node.properties ?? {};
  if (Object.hasOwn(properties, key)) return key;
  const lower = key.toLowerCase();
  const found = Object.keys(properties).find((name) => name.toLowerCase() === lower);
  if (found === undefined) return undefined;
  return ctx.json === true || properties[found]?.['x-any-case'] === true ? found : undefined;
}

function ignoredKey(node: SchemaNode, key: string): string | undefined {
  const ignored = node['x-ignored'] ?? {};
  const found = Object.keys(ignored).find((name) => name.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : ignored[found];
}

function resolveObject(node: SchemaNode, value: unknown, path: string, ctx: Ctx): unknown {
  if (!isPlainObject(value)) {
    ctx.issues.push(typeError(path === '' ? '(top level)' : path, 'a mapping', value));
    return fallback(node, ctx);
  }
  const properties = node.properties ?? {};
  const given: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    const name = matchKey(node, key, ctx);
    if (name !== undefined) {
      given[name] = child;
      continue;
    }
    const ignored = ignoredKey(node, key);
    if (ignored !== undefined) {
      ctx.issues.push(configWarning('CONFIG_SECTION_IGNORED', childPath, `cssh does not implement ${ignored}; "${key}" is accepted and ignored`));
    } else {
      ctx.issues.push(unknownKey(childPath, key, Object.keys(properties)));
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(properties)) {
    const resolved = resolveValue(child, given[name], path === '' ? name : `${path}.${name}`, ctx);
    if (resolved !== undefined) out[name] = resolved;
  }
  return out;
}

/** Resolves a whole parsed file (or a partial override) against the root schema. */
export function resolveConfig(root: SchemaNode, input: unknown, options: ResolveOptions = {}): { value: unknown; issues: ConfigIssue[] } {
  const ctx: Ctx = { ...options, issues: [] };
  const value = resolveValue(root, input ?? {}, '', ctx);
  return { value, issues: ctx.issues };
}
