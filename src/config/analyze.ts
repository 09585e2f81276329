// The validation pipeline for one parsed file: legacy conversion (in memory), schema resolution with defaults,
// cross-field rules, and source locations for every issue.
import { migrateDocument, type MigrationResult } from './legacy.js';
import { configError, configWarning, type ConfigIssue } from './issues.js';
import { resolveConfig } from './resolve.js';
import { checkConfig } from './rules-app.js';
import { checkHardening } from './rules-hardening.js';
import { APP_SCHEMA } from './schema-data.js';
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
 * DOCKERRUN_DEPRECATED warning, as ContainerSSH 0.4 did. Both check the converted config; `validate` adds the
 * hardening advice (resource limits, plain-http passwords, exposed metrics/health).
 */
export function analyzeSource(source: ParsedSource, mode: 'validate' | 'load'): Analysis {
  const migrated = source.doc.clone();
  const migration = migrateDocument(migrated);
  const issues = legacyIssues(migration, mode);
  const data: unknown = source.data === null || source.data === undefined ? {} : migrated.toJS({ maxAliasCount: 100 });
  if (source.data === null || source.data === undefined) {
    issues.push(configError('CONFIG_EMPTY', '', 'the file is empty', { hint: 'write at least backend: docker and an auth method' }));
  }
  const resolved = resolveConfig(APP_SCHEMA, data, { json: source.json });
  const config = resolved.value as AppConfig;
  issues.push(...resolved.issues, ...checkConfig(config), ...(mode === 'validate' ? checkHardening(config) : []));
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

const LEGACY_CODES = new Set(['DOCKERRUN_LEGACY', 'DOCKERRUN_DEPRECATED', 'CONFIG_LEGACY_LISTEN', 'CONFIG_AUTH_URL_DEPRECATED']);

function legacyPathSource(issue: ConfigIssue, original: ParsedSource, migrated: ParsedSource): ParsedSource {
  return LEGACY_CODES.has(issue.code) ? original : migrated;
}

function legacyIssues(migration: MigrationResult, mode: 'validate' | 'load'): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (migration.dockerrun && mode === 'validate') {
    issues.push(configError('DOCKERRUN_LEGACY', 'dockerrun', 'the dockerrun backend (ContainerSSH 0.3) is not supported by the current format', {
      hint: 'run `cssh config migrate FILE --write` to convert it to the docker backend with the same behaviour',
    }));
  } else if (migration.dockerrun) {
    issues.push(configWarning('DOCKERRUN_DEPRECATED', 'dockerrun', 'the dockerrun backend is deprecated; this config was converted in memory to the docker backend', {
      hint: 'run `cssh config migrate FILE --write` to convert the file',
    }));
  }
  if (migration.listen) {
    issues.push(configWarning('CONFIG_LEGACY_LISTEN', 'listen', 'the top-level listen is deprecated; it is used as ssh.listen', {
      hint: 'run `cssh config migrate FILE --write`, or move it to ssh.listen',
    }));
  }
  if (migration.authUrl) {
    issues.push(configWarning('CONFIG_AUTH_URL_DEPRECATED', 'auth.url', 'the 0.4 auth.url and its client keys are deprecated; they are used for both auth.password.webhook and auth.publicKey.webhook', {
      hint: 'run `cssh config migrate FILE --write`',
    }));
  }
  return issues;
}
