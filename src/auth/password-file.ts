// The `passwords` built-in: `username:hash` lines with bcrypt, SHA-crypt or scrypt hashes; plain text is never accepted.
import { readFile } from 'node:fs/promises';
import { isCsshError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { sharedHashPool, type HashPool } from './hash-pool.js';
import { blocksThread, defaultDummyHash, dummyHashLike, verifyPassword } from './password-hash.js';
import { unsafeUsernameReason } from './username.js';

export { hashPassword, verifyPassword } from './password-hash.js';

/** Finds the hash for `username` in the text of a password file (blank lines and `#` comments skipped). */
export function findHash(text: string, username: string): string | undefined {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon) === username) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/**
 * A hash of the same cost as the file's first well-formed entry (scrypt with hashPassword's parameters when there is
 * none), which no password matches: checked for an unknown user, so that the refusal takes as long as a real check.
 */
export function dummyHashFor(text: string): string {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const colon = line.indexOf(':');
    if (line === '' || line.startsWith('#') || colon <= 0) continue;
    const dummy = dummyHashLike(line.slice(colon + 1).trim());
    if (dummy !== undefined) return dummy;
  }
  return defaultDummyHash();
}

export interface PasswordCheckOptions {
  /** The client left: a check still waiting for a hash worker is dropped. */
  signal?: AbortSignal;
  /** Where the hashes are checked; the process-wide worker pool by default. */
  pool?: HashPool;
}

/**
 * True when `password` matches the user's entry in `file`. Refuses (false, with a log line) unsafe usernames,
 * missing or unreadable files, unsupported (e.g. plain-text) entries and checks the worker pool cannot take.
 * Reads the file on every call; hashes are checked in worker threads. Never throws.
 */
export async function checkPasswordFile(file: string, username: string, password: Buffer, logger: Logger, options: PasswordCheckOptions = {}): Promise<boolean> {
  const unsafe = unsafeUsernameReason(username);
  if (unsafe !== undefined) {
    logger.warning('AUTH_USERNAME_INVALID', `password refused: ${unsafe}`);
    return false;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    logger.error('AUTH_PASSWORDS_FILE_UNREADABLE', `password refused: cannot read password file ${file} (${reason})`);
    return false;
  }
  const pool = options.pool ?? sharedHashPool();
  // bcrypt and SHA-crypt go to worker threads; scrypt is asynchronous in Node's own thread pool already.
  const check = (hash: string): Promise<boolean | 'unsupported'> =>
    blocksThread(hash) ? pool.verify(hash, password, options.signal) : verifyPassword(hash, password);
  try {
    const hash = findHash(text, username);
    const result = hash === undefined ? 'unknown user' : await check(hash);
    if (typeof result === 'boolean') return result;
    // An unknown user (or an unusable entry) costs what a known one does, so probing for valid usernames gains nothing.
    await check(dummyHashFor(text));
    if (result === 'unknown user') return false;
    logger.warning(
      'AUTH_PASSWORD_HASH_UNSUPPORTED',
      `password refused: the entry for this user in ${file} is not a bcrypt, SHA-crypt or scrypt hash (plain text is never accepted); ` +
        'create one with `htpasswd -nbB USER PASS`, `openssl passwd -6` or hashPassword()',
    );
    return false;
  } catch (error) {
    if (options.signal?.aborted) return false;
    if (isCsshError(error) && error.code === 'AUTH_PASSWORD_QUEUE_FULL') {
      logger.warning('AUTH_PASSWORD_QUEUE_FULL', `password refused: ${error.message} (at most ${pool.maxQueued} may wait)`);
      return false;
    }
    logger.error('AUTH_PASSWORDS_FILE_UNREADABLE', `password refused: checking the hash failed (${String(error)})`);
    return false;
  }
}
