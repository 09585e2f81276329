// The validation pipeline for one parsed file: legacy conversion (in memory), schema resolution with defaults,
// cross-field rules, and source locations for every issue.
import { migrateDocument, type MigrationOptions, type MigrationResult } from './legacy.js';
import { configError, configWarning, type ConfigIssue } from './issues.js';
import { resolveConfig } from './resolve.js';
import { checkConfig } from './rules-app.js';
import { checkHardening } from './rules-hardening.js';
import { APP_SCHEMA } from './schema-data.js';
import { promoteServeOnly } from './serve-only.js';
import { locate, type ParsedSource } from './source.js';
import type { AppConfig } from './types.js';

/** What a file means: the resolved config (even when invalid: defaults fill the gaps) and every issue, located. */
export interface Analysis {
  config: AppConfig;
  issues: ConfigIssue[];
  /** The file used the 0.3 dockerrun format. */
  legacy: boolean;
  migration: MigrationResult;
}

/**
 * `validate` reports a dockerrun block as an error naming `cssh config migrate`; `load` converts it with the
 * DOCKERRUN_DEPRECATED warning, as ContainerSSH 0.4 did; `migrate` (checking what `cssh config migrate` writes)
 * reports no legacy keys, since the output has none. All check the converted config, and every location points
 * into the input file, whichever mode. `validate` adds the
 * hardening advice (resource limits, plain-http passwords, exposed metrics/health) and makes what would stop serve
 * (serve-only.ts) an error.
 */
export function analyzeSource(source: ParsedSource, mode: 'validate' | 'load' | 'migrate', options: MigrationOptions = {}): Analysis {
  const migrated = source.doc.clone();
  const migration = migrateDocument(migrated, options);
  const issues = mode === 'migrate' ? [] : legacyIssues(migration, mode);
  const data: unknown = source.data === null || source.data === undefined ? {} : migrated.toJS({ maxAliasCount: 100 });
  if (source.data === null || source.data === undefined) {
    issues.push(configError('CONFIG_EMPTY', '', 'the file is empty', { hint: 'write at least backend: docker and an auth method' }));
  }
  const resolved = resolveConfig(APP_SCHEMA, data, { json: source.json });
  const config = resolved.value as AppConfig;
  issues.push(...resolved.issues, ...checkConfig(config), ...(mode === 'validate' ? checkHardening(config) : []));
  // Valid means serve starts: validate reports what would stop serve as errors (serve loads the same way).
  if (mode === 'validate') issues.splice(0, issues.length, ...promoteServeOnly(issues));
  const located = { ...source, doc: migrated };
  for (const issue of issues) {
    issue.file = source.name;
    const where = issue.line === undefined ? locate(legacyPathSource(issue, source, located), issue.path) : undefined;
    if (where !== undefined) Object.assign(issue, where);
  }
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { config, issues: dedupe(issues), legacy: migration.dockerrun, migration };
}

/** One source value copied to several options (a dockerrun timeout) is reported once. */
function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    if (issue.line === undefined) return true;
    const key = `${issue.code}|${issue.line}|${issue.column}|${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const LEGACY_CODES = new Set(['DOCKERRUN_LEGACY', 'DOCKERRUN_DEPRECATED', 'CONFIG_LEGACY_LISTEN', 'CONFIG_AUTH_URL_DEPRECATED', 'CONFIG_VERSION_ASSUMED']);

function legacyPathSource(issue: ConfigIssue, original: ParsedSource, migrated: ParsedSource): ParsedSource {
  return LEGACY_CODES.has(issue.code) ? original : migrated;
}

function legacyIssues(migration: MigrationResult, mode: 'validate' | 'load'): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const migrate = mode === 'validate' ? 'run `cssh config migrate FILE --write`' : 'run `cssh config migrate FILE --write` to convert the file';
  if (migration.dockerrun && mode === 'validate') {
    issues.push(configError('DOCKERRUN_LEGACY', 'dockerrun', 'the dockerrun backend (ContainerSSH 0.3) is not supported by the current format', {
      hint: 'run `cssh config migrate FILE --write` to convert it to the docker backend with the same behaviour',
    }));
  } else if (migration.dockerrun) {
    issues.push(configWarning('DOCKERRUN_DEPRECATED', 'dockerrun', 'the dockerrun backend is deprecated; this config was converted in memory to the docker backend', {
      hint: migrate,
    }));
  }
  if (migration.listen === 'moved') {
    issues.push(configWarning('CONFIG_LEGACY_LISTEN', 'listen', 'the top-level listen is deprecated; it is used as ssh.listen', {
      hint: `${migrate}, or move it to ssh.listen`,
    }));
  } else if (migration.listen === 'ignored') {
    issues.push(configWarning('CONFIG_LEGACY_LISTEN', 'listen', 'the top-level listen is deprecated and ignored: ssh.listen is also set and wins', {
      hint: 'remove the top-level listen',
    }));
  }
  if (migration.authUrl) issues.push(authUrlIssue(migration.authUrlTargets, migrate));
  for (const note of migration.notes) {
    if (note.kind !== 'warning') continue;
    issues.push(configWarning('CONFIG_VERSION_ASSUMED', note.source ?? note.path, note.message, {
      hint: 'confirm the version with `cssh config migrate --from 0.3|0.4 FILE --write`',
    }));
  }
  return issues;
}

function authUrlIssue(targets: string[], migrate: string): ConfigIssue {
  const use = targets.length === 0
    ? 'they configure no webhook (no url, or password and pubkey both off)'
    : `they are used for ${targets.join(' and ')}${targets.length === 1 ? ' only' : ''}`;
  return configWarning('CONFIG_AUTH_URL_DEPRECATED', 'auth.url', `the 0.4 auth.url and its client keys are deprecated; ${use}`, { hint: migrate });
}
