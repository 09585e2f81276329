// Which ContainerSSH version a legacy file was written for: 0.3 and 0.4 read some of the same keys differently
// (auth.pubkey defaulted to false in 0.3 and to true in 0.4; 0.3's disableCommand also refused subsystems).
import type { YAMLMap } from 'yaml';
import type { MigrationNote } from './legacy.js';
import { findPair, plain } from './yaml-nodes.js';

export type LegacyVersion = '0.3' | '0.4';

export const LEGACY_VERSIONS: readonly LegacyVersion[] = ['0.3', '0.4'];

/** The version a file is read as. */
export interface VersionChoice {
  version: LegacyVersion;
  /** option: `--from`; file: the file has a key 0.3 did not know; default: the file does not tell, 0.3 assumed. */
  source: 'option' | 'file' | 'default';
  /** Why, as a sentence fragment for messages ("--from 0.4", "the file has a docker section, which 0.3 did not know"). */
  reason: string;
}

/** Top-level sections and backends that appeared with ContainerSSH 0.4. */
const SECTIONS_SINCE_04 = ['docker', 'kubernetes', 'sshproxy', 'security', 'audit', 'health'];
const BACKENDS_SINCE_04 = ['docker', 'kubernetes', 'sshproxy'];

/**
 * `from` when given; else 0.4 when the file has something 0.3 did not know; else 0.3, whose reading grants less
 * wherever the two differ (no public-key login that the file did not ask for, no sftp where commands were disabled).
 */
export function chooseVersion(root: YAMLMap | undefined, from?: LegacyVersion): VersionChoice {
  if (from !== undefined) return { version: from, source: 'option', reason: `--from ${from}` };
  const section = root === undefined ? undefined : SECTIONS_SINCE_04.find((key) => findPair(root, key) !== undefined);
  if (section !== undefined) return { version: '0.4', source: 'file', reason: `the file has a ${section} section, which 0.3 did not know` };
  const backend = root === undefined ? undefined : plain(findPair(root, 'backend')?.value);
  if (typeof backend === 'string' && BACKENDS_SINCE_04.includes(backend)) {
    return { version: '0.4', source: 'file', reason: `backend ${backend} did not exist in 0.3` };
  }
  return { version: '0.3', source: 'default', reason: 'the file does not show its version, so the stricter 0.3 reading is used' };
}

/**
 * A note about a choice that depended on the version. It is a `warning` when the version was assumed (the operator
 * should confirm it with --from), a `note` when --from or the file settled it.
 */
export function versionNote(choice: VersionChoice, path: string, message: string, source?: string): MigrationNote {
  const other = choice.version === '0.3' ? '0.4' : '0.3';
  const why = choice.source === 'default' ? `${choice.reason}; if the file was written for ${other}, migrate it with --from ${other}` : choice.reason;
  return {
    kind: choice.source === 'default' ? 'warning' : 'note',
    path,
    message: `${message} (ContainerSSH ${choice.version}: ${why})`,
    ...(source === undefined ? {} : { source }),
  };
}
