// The `authorizedkeys` built-in: find the offered public key in the user's authorized_keys file (OpenSSH format).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { Logger } from '../core/logger.js';
import { unsafeUsernameReason } from './username.js';

export interface AuthorizedKey {
  type: string;
  blob: Buffer;
  /** Option names (lowercase) from the line's options prefix, e.g. ["no-pty", "from"]. */
  options: string[];
}

/** Options that restrict where or how a key may be used; cssh cannot enforce them, so such lines never match. */
const UNENFORCEABLE = new Set(['from', 'command', 'expiry-time', 'principals', 'cert-authority']);

const KEY_TYPE = /^(ssh-[a-z0-9]+|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com|ssh-[a-z0-9-]+@openssh\.com)$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Splits `text` at the first unquoted whitespace (quotes may contain backslash-escaped quotes). */
function splitOptions(text: string): [string, string] {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ' ' || c === '\t')) return [text.slice(0, i), text.slice(i).trim()];
  }
  return [text, ''];
}

function optionNames(options: string): string[] {
  const names: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i <= options.length; i++) {
    const c = options[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ',' || c === undefined)) {
      const name = options.slice(start, i).split('=')[0]?.trim().toLowerCase() ?? '';
      if (name !== '') names.push(name);
      start = i + 1;
    }
  }
  return names;
}

function keyFrom(text: string): { type: string; blob: Buffer } | undefined {
  const [type, data] = text.split(/\s+/);
  if (type === undefined || data === undefined || !KEY_TYPE.test(type) || !BASE64.test(data)) return undefined;
  return { type, blob: Buffer.from(data, 'base64') };
}

/** Parses one authorized_keys line; undefined for blank lines, comments and lines that hold no key. */
export function parseAuthorizedKeyLine(line: string): AuthorizedKey | undefined {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const plain = keyFrom(text);
  if (plain !== undefined) return { ...plain, options: [] };
  const [options, rest] = splitOptions(text);
  const key = keyFrom(rest);
  return key === undefined ? undefined : { ...key, options: optionNames(options) };
}

/** The file path for `username`: `{username}` replaced, a leading `~/` expanded to the server user's home. */
export function authorizedKeysPath(template: string, username: string): string {
  const path = template.replaceAll('{username}', username);
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

/**
 * True when `keyLine` ("type base64") appears in the user's authorized_keys file. Refuses (false, with a log line)
 * unsafe usernames, missing or unreadable files and matching lines with restrictions cssh cannot enforce. Reads the
 * file on every call, so edits apply at once. Never throws.
 */
export async function checkAuthorizedKey(template: string, username: string, keyLine: string, logger: Logger): Promise<boolean> {
  const unsafe = unsafeUsernameReason(username);
  if (unsafe !== undefined) {
    logger.warning('AUTH_USERNAME_INVALID', `public key refused: ${unsafe}`);
    return false;
  }
  const offered = keyFrom(keyLine.trim());
  if (offered === undefined) return false;
  const path = authorizedKeysPath(template, username);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    logger.warning('AUTH_KEYS_FILE_UNREADABLE', `public key refused: cannot read authorized_keys file ${path} (${reason})`);
    return false;
  }
  for (const line of text.split('\n')) {
    const key = parseAuthorizedKeyLine(line);
    if (key === undefined || key.type !== offered.type || !key.blob.equals(offered.blob)) continue;
    const blocked = key.options.filter((name) => UNENFORCEABLE.has(name));
    if (blocked.length === 0) return true;
    logger.warning(
      'AUTH_KEYS_OPTION_UNSUPPORTED',
      `ignoring a matching key in ${path}: cssh cannot enforce its option(s) ${blocked.join(', ')}`,
    );
  }
  return false;
}
