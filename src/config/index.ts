// The configuration module's public API: defaults, loading a file (with legacy conversion), config-server merging.
import { analyzeSource } from './analyze.js';
import { ConfigError, type ConfigIssue } from './issues.js';
import { defaultsOf } from './resolve.js';
import { APP_SCHEMA } from './schema-data.js';
import { promoteServeOnly } from './serve-only.js';
import { parseSource, readSource } from './source.js';
import type { AppConfig } from './types.js';

export type * from './types.js';
export { ConfigError, formatIssueLine, type ConfigIssue } from './issues.js';
export { mergeConfig } from './merge.js';
export { formatDuration, parseGoDuration } from './duration.js';

/** A loaded configuration: resolved values, the warnings found, whether it was a 0.3 dockerrun file, and its origin. */
export interface LoadedConfig {
  config: AppConfig;
  warnings: ConfigIssue[];
  legacy: boolean;
  /** The file name, `<stdin>`, or `<defaults>`. */
  source: string;
}

/** Every default (ContainerSSH's plus cssh's decisions), resolved: durations in ms, Docker blocks in API spelling. */
export function defaultConfig(): AppConfig {
  return defaultsOf(APP_SCHEMA) as AppConfig;
}

export interface LoadOptions {
  /** The config is for `cssh serve`: problems that stop only serve (serve-only.ts) are errors too. */
  serve?: boolean;
}

/**
 * Loads and validates a config file ("-" reads stdin; undefined gives the defaults). A legacy dockerrun file is
 * converted in memory exactly as `cssh config migrate` converts it, with a DOCKERRUN_DEPRECATED warning.
 * Throws ConfigError (CONFIG_UNREADABLE, or CONFIG_INVALID listing every error with file:line:col).
 */
export async function loadConfig(file: string | undefined, options: LoadOptions = {}): Promise<LoadedConfig> {
  if (file === undefined) return { config: defaultConfig(), warnings: [], legacy: false, source: '<defaults>' };
  const read = await readSource(file);
  if ('issue' in read) throw new ConfigError('CONFIG_UNREADABLE', `cannot read the configuration ${file}`, [read.issue]);
  const parsed = parseSource(read.text, file);
  if (!parsed.ok) throw new ConfigError('CONFIG_UNREADABLE', `cannot parse the configuration ${file}`, parsed.issues);
  const analysis = analyzeSource(parsed.source, 'load');
  const found = [...parsed.issues, ...analysis.issues];
  const issues = options.serve === true ? promoteServeOnly(found) : found;
  if (issues.some((issue) => issue.severity === 'error')) {
    throw new ConfigError('CONFIG_INVALID', `invalid configuration ${parsed.source.name}`, issues);
  }
  return { config: analysis.config, warnings: issues, legacy: analysis.legacy, source: parsed.source.name };
}
