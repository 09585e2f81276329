// `config migrate` as a library call: converts a legacy file's yaml Document in place (comments and key order kept),
// renders it, and validates the result.
import { analyzeSource } from './analyze.js';
import type { ConfigIssue } from './issues.js';
import { migrateDocument, type LegacyVersion, type MigrationNote, type MigrationOptions, type VersionChoice } from './legacy.js';
import { displayName, parseSource, readSource } from './source.js';

/** The `--json` output of `cssh config migrate`. */
export interface MigrateReport {
  file: string;
  readable: boolean;
  /** The file needed migrating (legacy dockerrun, top-level listen, or 0.4 auth keys). */
  changed: boolean;
  notes: MigrationNote[];
  /** The ContainerSSH version the file was read as, and why (--from, the file's own keys, or the 0.3 default). */
  version: VersionChoice;
  /** The migrated file text (the original text, unchanged, when nothing needed migrating). */
  output: string;
  /** Whether `output` passes `cssh config validate`. */
  valid: boolean;
  /**
   * Validation issues of the output (or why the file could not be read). Their file:line:col point into the input
   * file, at the key the problem came from, since the output has not been written anywhere yet.
   */
  issues: ConfigIssue[];
}

const UNREAD: VersionChoice = { version: '0.3', source: 'default', reason: 'the file could not be read' };

function unreadableReport(file: string, issues: ConfigIssue[]): MigrateReport {
  return { file: displayName(file), readable: false, changed: false, notes: [], version: UNREAD, output: '', valid: false, issues };
}

/** Migrates the text of `file`; never throws for bad input. `from` is the ContainerSSH version it was written for. */
export function migrateText(text: string, file: string, options: MigrationOptions = {}): MigrateReport {
  const parsed = parseSource(text, file);
  if (!parsed.ok) return unreadableReport(file, parsed.issues);
  const { doc, json } = parsed.source;
  const migration = migrateDocument(doc, options);
  let output = text;
  if (migration.changed) {
    output = json ? `${JSON.stringify(doc.toJS({ maxAliasCount: 100 }), null, 2)}\n` : doc.toString({ lineWidth: 0 });
  }
  // The output must read back as the same config; its problems are located in the input, which the user has.
  const check = parseSource(output, file);
  const broken = check.ok ? [] : check.issues.map((issue) => ({ ...issue, file: `${displayName(file)} (migrated output)` }));
  const again = parseSource(text, file);
  const analysis = again.ok ? analyzeSource(again.source, 'migrate', options).issues : [];
  const issues = [...broken, ...parsed.issues, ...analysis];
  return {
    file: displayName(file),
    readable: true,
    changed: migration.changed,
    notes: migration.notes,
    version: migration.version,
    output,
    valid: check.ok && !issues.some((issue) => issue.severity === 'error'),
    issues,
  };
}

export async function migrateFile(file: string, from?: LegacyVersion): Promise<MigrateReport> {
  const read = await readSource(file);
  if ('issue' in read) return unreadableReport(file, [read.issue]);
  return migrateText(read.text, file, from === undefined ? {} : { from });
}
