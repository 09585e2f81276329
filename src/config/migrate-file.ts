// `config migrate` as a library call: converts a legacy file's yaml Document in place (comments and key order kept),
// renders it, and validates the result.
import { analyzeSource } from './analyze.js';
import type { ConfigIssue } from './issues.js';
import { migrateDocument, type MigrationNote } from './legacy.js';
import { displayName, parseSource, readSource } from './source.js';

/** The `--json` output of `cssh config migrate`. */
export interface MigrateReport {
  file: string;
  readable: boolean;
  /** The file needed migrating (legacy dockerrun, top-level listen, or 0.4 auth keys). */
  changed: boolean;
  notes: MigrationNote[];
  /** The migrated file text (the original text, unchanged, when nothing needed migrating). */
  output: string;
  /** Whether `output` passes `cssh config validate`. */
  valid: boolean;
  /** Validation issues of the output (or why the file could not be read). */
  issues: ConfigIssue[];
}

function unreadableReport(file: string, issues: ConfigIssue[]): MigrateReport {
  return { file: displayName(file), readable: false, changed: false, notes: [], output: '', valid: false, issues };
}

/** Migrates the text of `file`; never throws for bad input. */
export function migrateText(text: string, file: string): MigrateReport {
  const parsed = parseSource(text, file);
  if (!parsed.ok) return unreadableReport(file, parsed.issues);
  const { doc, json } = parsed.source;
  const migration = migrateDocument(doc);
  let output = text;
  if (migration.changed) {
    output = json ? `${JSON.stringify(doc.toJS({ maxAliasCount: 100 }), null, 2)}\n` : doc.toString({ lineWidth: 0 });
  }
  const check = parseSource(output, file);
  const issues = check.ok ? [...check.issues, ...analyzeSource(check.source, 'validate').issues] : check.issues;
  return {
    file: displayName(file),
    readable: true,
    changed: migration.changed,
    notes: migration.notes,
    output,
    valid: check.ok && !issues.some((issue) => issue.severity === 'error'),
    issues,
  };
}

export async function migrateFile(file: string): Promise<MigrateReport> {
  const read = await readSource(file);
  if ('issue' in read) return unreadableReport(file, [read.issue]);
  return migrateText(read.text, file);
}
