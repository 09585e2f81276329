// Lint settings for `config validate` kept in the repository (`.cssh-validate.yaml`), so CI and people agree.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { CsshError } from '../core/errors.js';

/** The file `config validate` reads from the current directory when no --settings is given. */
export const DEFAULT_SETTINGS_FILE = '.cssh-validate.yaml';

export interface ValidateSettings {
  ignore: string[];
  offline: boolean;
  strict: boolean;
}

const EMPTY: ValidateSettings = { ignore: [], offline: false, strict: false };

/**
 * Reads `file` (YAML: `ignore: [CODE, ...]`, `offline: true`, `strict: true`). A missing default file is no settings;
 * a missing named file, bad YAML or an unknown key is a CONFIG_UNREADABLE error that names the file and the key.
 */
export async function loadValidateSettings(file: string | undefined): Promise<ValidateSettings> {
  const path = file ?? DEFAULT_SETTINGS_FILE;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (file === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
    throw unreadable(path, `cannot read it (${(error as Error).message})`);
  }
  let data: unknown;
  try {
    data = parse(text) ?? {};
  } catch (error) {
    throw unreadable(path, `not valid YAML (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw unreadable(path, 'expected a mapping with ignore, offline, strict');
  const record = data as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!['ignore', 'offline', 'strict'].includes(key)) throw unreadable(path, `unknown key "${key}"; expected ignore, offline or strict`);
  }
  const ignore = record.ignore ?? [];
  if (!Array.isArray(ignore) || !ignore.every((code) => typeof code === 'string')) throw unreadable(path, 'ignore: expected a list of codes');
  for (const key of ['offline', 'strict'] as const) {
    if (record[key] !== undefined && typeof record[key] !== 'boolean') throw unreadable(path, `${key}: expected true or false`);
  }
  return { ignore: ignore, offline: record.offline === true, strict: record.strict === true };
}

function unreadable(path: string, why: string): CsshError {
  return new CsshError('CONFIG_UNREADABLE', `validate settings ${path}: ${why}`, { permanent: true });
}
