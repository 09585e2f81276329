// ContainerSSH's config-server merge: a partial config overrides a resolved one with non-zero
// values only; maps merge key by key, non-empty lists replace lists, Docker blocks merge field by field.
import { configError, type ConfigIssue } from './issues.js';
import { resolveConfig } from './resolve.js';
import { checkConfig } from './rules-app.js';
import { APP_SCHEMA } from './schema-data.js';
import type { AppConfig } from './types.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isZero(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === 0 || value === false
    || (Array.isArray(value) && value.length === 0);
}

function mergeInto(target: Record<string, unknown>, override: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(override)) {
    if (isZero(value)) continue;
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) mergeInto(current, value);
    else target[key] = structuredClone(value);
  }
}

/**
 * Merges a config-server response's `config` (file syntax, partial) into a copy of `base`, then validates the result.
 * `base` is not modified. The returned config is usable only when no issue has severity error.
 */
export function mergeConfig(base: AppConfig, override: unknown): { config: AppConfig; issues: ConfigIssue[] } {
  const config = structuredClone(base);
  if (override === undefined || override === null) return { config, issues: checkConfig(config, true) };
  if (!isPlainObject(override)) {
    return { config, issues: [configError('CONFIG_TYPE', '', 'the override must be a mapping of options', { expected: 'a mapping', found: Array.isArray(override) ? 'a list' : typeof override })] };
  }
  const partial = resolveConfig(APP_SCHEMA, override, { partial: true, json: true });
  mergeInto(config, partial.value as Record<string, unknown>);
  return { config, issues: [...partial.issues, ...checkConfig(config, true)] };
}
