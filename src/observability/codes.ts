// The one registry of message codes: every module's code table gathered, for the codes reference and `cssh codes`.
import { AUTH_CODES } from '../auth/codes.js';
import { DOCKER_CODE_DESCRIPTIONS } from '../backend/docker/codes.js';
import { IMAGE_CODE_DESCRIPTIONS } from '../backend/docker/image/image-codes.js';
import { ClusterCodes } from '../cluster/codes.js';
import { CONFIG_CODES } from '../config/codes.js';
import { SecurityCodes } from '../security/codes.js';
import { SshCodes } from '../ssh/codes.js';
import { CLI_CODES } from '../cli/cli-codes.js';
import { LOG_CODES } from './log-codes.js';
import { METRICS_CODES } from './metrics-codes.js';

export interface CodeEntry {
  code: string;
  /** The module that logs or raises it. */
  area: string;
  description: string;
}

const TABLES: [string, Record<string, string>][] = [
  ['ssh', SshCodes],
  ['auth', AUTH_CODES],
  ['config', CONFIG_CODES],
  ['docker', DOCKER_CODE_DESCRIPTIONS],
  ['docker', IMAGE_CODE_DESCRIPTIONS],
  ['security', SecurityCodes],
  ['log', LOG_CODES],
  ['observability', METRICS_CODES],
  ['cluster', ClusterCodes],
  ['cli', CLI_CODES],
];

/** Every registered code once, sorted by code. A code two modules share keeps the first description. */
export function allCodes(): CodeEntry[] {
  const seen = new Map<string, CodeEntry>();
  for (const [area, table] of TABLES) {
    for (const [code, description] of Object.entries(table)) {
      if (!seen.has(code)) seen.set(code, { code, area, description });
    }
  }
  return [...seen.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/** The codes reference as Markdown (docs/CODES.md is this text). */
export function codesMarkdown(): string {
  const rows = allCodes().map((e) => `| \`${e.code}\` | ${e.area} | ${e.description.replaceAll('|', '\\|')} |`);
  return [
    '# Message codes',
    '',
    'Every log line and error of cssh carries one of these codes (ContainerSSH\'s names where it has one).',
    'Generated from the code tables in `src`; print it with `cssh codes` (`--json` for machines).',
    '',
    '| code | area | meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
