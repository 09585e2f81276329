// Host keys: configured PEM text or files, or one Ed25519 key generated once and kept in the state directory.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';
import { CsshError } from '../core/errors.js';

/** One usable host key. `pem` is what ssh2's Server accepts; `fingerprint` is OpenSSH's `SHA256:...` form. */
export interface HostKey {
  pem: string;
  type: string;
  fingerprint: string;
  /** Where it came from: `config[i]`, a file path, or the generated key's path. */
  source: string;
}

export const GENERATED_KEY_NAME = 'ssh_host_ed25519_key';
const ALLOWED_TYPES = new Set(['ssh-rsa', 'ssh-dss', 'ssh-ed25519']);

/** OpenSSH's fingerprint of a public key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function fingerprintOf(key: ParsedKey): string {
  const digest = createHash('sha256').update(key.getPublicSSH()).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** ssh2's parseKey, narrowed: the first key, or the reason it could not be parsed. */
export function parseOneKey(data: string | Buffer): ParsedKey | Error {
  const parsed = ssh2.utils.parseKey(data);
  if (parsed instanceof Error) return parsed;
  const key = (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey | undefined;
  return key ?? new Error('no key found');
}

function parseHostKey(text: string, source: string): HostKey {
  const key = parseOneKey(text);
  if (key instanceof Error || !key.isPrivateKey()) {
    const why = key instanceof Error ? key.message : 'not a private key';
    throw new CsshError('SSH_HOSTKEY_INVALID', `ssh.hostkeys: ${source} is not a usable private key (${why})`, { permanent: true });
  }
  if (!ALLOWED_TYPES.has(key.type)) {
    throw new CsshError(
      'SSH_HOSTKEY_INVALID',
      `ssh.hostkeys: ${source} is a ${key.type} key; host keys must be Ed25519, RSA or DSS (generate one with ssh-keygen -t ed25519)`,
      { permanent: true },
    );
  }
  return { pem: text, type: key.type, fingerprint: fingerprintOf(key), source };
}

async function loadEntry(entry: string, index: number): Promise<HostKey> {
  if (entry.trim().startsWith('-----')) return parseHostKey(entry.trim() + '\n', `ssh.hostkeys[${index}]`);
  let text: string;
  try {
    text = await readFile(entry, 'utf8');
  } catch (error) {
    throw new CsshError('SSH_HOSTKEY_INVALID', `ssh.hostkeys[${index}]: cannot read host key file ${entry}`, { cause: error, permanent: true });
  }
  return parseHostKey(text, entry);
}

/**
 * A new Ed25519 key pair in OpenSSH format. ssh2's generator drops a leading zero byte of the public key about once
 * in 200 keys, giving a key its own parser rejects ("Malformed OpenSSH private key"): generate again until it parses.
 */
export function generateEd25519KeyPair(): { private: string; public: string } {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'cssh host key' });
    if (!(parseOneKey(pair.private) instanceof Error) && !(parseOneKey(pair.public) instanceof Error)) return pair;
  }
  throw new CsshError('SSH_HOSTKEY_INVALID', 'could not generate a usable Ed25519 host key', { permanent: true });
}

/**
 * Loads the host key kept in `stateDir`, creating it (mode 0600, directory 0700) on first use.
 * Reusing the file keeps the fingerprint stable across restarts. Never touches the user's config.
 */
export async function ensureGeneratedHostKey(stateDir: string): Promise<{ key: HostKey; created: boolean }> {
  const path = join(stateDir, GENERATED_KEY_NAME);
  try {
    return { key: parseHostKey(await readFile(path, 'utf8'), path), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const pair = generateEd25519KeyPair();
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, pair.private, { mode: 0o600, flag: 'wx' });
  await writeFile(`${path}.pub`, pair.public + '\n', { mode: 0o644 });
  await rename(tmp, path);
  return { key: parseHostKey(pair.private, path), created: true };
}

/** The configured host keys, in order; an empty list yields the generated state-directory key. */
export async function loadHostKeys(entries: string[], stateDir: string): Promise<{ keys: HostKey[]; generated: boolean }> {
  if (entries.length === 0) {
    const { key, created } = await ensureGeneratedHostKey(stateDir);
    return { keys: [key], generated: created };
  }
  const keys: HostKey[] = [];
  for (const [index, entry] of entries.entries()) keys.push(await loadEntry(entry, index));
  return { keys, generated: false };
}
