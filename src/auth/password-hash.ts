// Password hashes (bcrypt, SHA-crypt, scrypt): making and checking them, and a dummy of the same cost. bcrypt and
// SHA-crypt are JavaScript that holds its thread: `serve` checks them in the hash worker pool (hash-pool.ts).
import { randomBytes, randomInt, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { encrypt as shaCrypt } from 'unixcrypt';

const DEFAULT = { N: 32768, r: 8, p: 1, saltBytes: 16, keyBytes: 32 };
/** Upper bounds on parameters read from the file, so one entry cannot exhaust memory or CPU. */
const LIMITS = { maxN: 1 << 20, maxR: 32, maxP: 16, maxMemory: 256 * 1024 * 1024 };

function scrypt(password: Buffer, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keyLength, options, (error, key) => (error === null ? resolve(key) : reject(error)));
  });
}

function memoryFor(N: number, r: number, p: number): number {
  return 128 * N * r * (p + 1) + 1024 * 1024;
}

/** Hashes a password as `scrypt$N$r$p$saltBase64$hashBase64` (N=32768, r=8, p=1), for password files. */
export async function hashPassword(plain: string | Buffer): Promise<string> {
  const salt = randomBytes(DEFAULT.saltBytes);
  const { N, r, p } = DEFAULT;
  const key = await scrypt(Buffer.from(plain), salt, DEFAULT.keyBytes, { N, r, p, maxmem: memoryFor(N, r, p) });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseScrypt(hash: string): ScryptHash | undefined {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,8}$/.test(part) ? Number(part) : NaN)) as [number, number, number];
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const key = Buffer.from(parts[5] ?? '', 'base64');
  const powerOfTwo = N >= 2 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > LIMITS.maxN || !(r >= 1 && r <= LIMITS.maxR) || !(p >= 1 && p <= LIMITS.maxP)) return undefined;
  if (salt.length < 8 || key.length < 16 || key.length > 128 || memoryFor(N, r, p) > LIMITS.maxMemory) return undefined;
  return { N, r, p, salt, key };
}

const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;
/** SHA-256 (`$5$`) and SHA-512 (`$6$`) crypt, as `openssl passwd -6`, `mkpasswd -m sha-512` and /etc/shadow write them. */
const SHA_CRYPT = /^\$([56])\$(?:rounds=(\d+)\$)?[^$:\s]{1,16}\$[./A-Za-z0-9]+$/;
/** More rounds than this would block the server for seconds per attempt; such an entry is refused as unsupported. */
const SHA_CRYPT_MAX_ROUNDS = 1_000_000;

/** Checks a SHA-crypt hash by hashing `password` with the entry's own salt and rounds; undefined when malformed. */
function verifyShaCrypt(hash: string, password: Buffer): boolean | undefined {
  const match = SHA_CRYPT.exec(hash);
  if (!match || Number(match[2] ?? 5000) > SHA_CRYPT_MAX_ROUNDS) return undefined;
  const computed = Buffer.from(shaCrypt(password.toString('utf8'), hash.slice(0, hash.lastIndexOf('$'))));
  const stored = Buffer.from(hash);
  return computed.length === stored.length && timingSafeEqual(computed, stored);
}

/**
 * True for hashes whose check is plain JavaScript that would hold the thread it runs on (bcrypt, SHA-crypt): those
 * belong in the hash worker pool. scrypt runs in Node's own thread pool already, and anything else is refused at once.
 */
export function blocksThread(hash: string): boolean {
  return BCRYPT.test(hash) || SHA_CRYPT.test(hash);
}

/**
 * Checks `password` against one stored hash. Resolves 'unsupported' for anything that is not a well-formed bcrypt
 * (`$2a$`, `$2b$`, `$2y$`), SHA-crypt (`$5$`, `$6$`) or scrypt hash, including plain text. Compares in constant time.
 */
export async function verifyPassword(hash: string, password: Buffer): Promise<boolean | 'unsupported'> {
  if (BCRYPT.test(hash)) return bcrypt.compare(password.toString('utf8'), hash);
  const sha = verifyShaCrypt(hash, password);
  if (sha !== undefined) return sha;
  const parsed = parseScrypt(hash);
  if (parsed === undefined) return 'unsupported';
  const { N, r, p } = parsed;
  const key = await scrypt(password, parsed.salt, parsed.key.length, { N, r, p, maxmem: memoryFor(N, r, p) });
  return timingSafeEqual(key, parsed.key);
}

const CRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomCrypt64(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += CRYPT_ALPHABET[randomInt(64)];
  return text;
}

/**
 * A hash that no password matches and that costs as much to check as `hash`: the same scheme and parameters (bcrypt
 * cost, SHA-crypt variant and rounds, scrypt N/r/p and key length) with a random salt and digest. Undefined when
 * `hash` is not a supported hash. Checking it instead of a missing entry makes a refusal take as long as a real check.
 */
export function dummyHashLike(hash: string): string | undefined {
  if (BCRYPT.test(hash)) return `$2b$${hash.slice(4, 6)}$${randomCrypt64(53)}`;
  const sha = SHA_CRYPT.exec(hash);
  if (sha && Number(sha[2] ?? 5000) <= SHA_CRYPT_MAX_ROUNDS) {
    const rounds = sha[2] === undefined ? '' : `rounds=${sha[2]}$`;
    return `$${sha[1]}$${rounds}${randomCrypt64(16)}$${randomCrypt64(sha[1] === '5' ? 43 : 86)}`;
  }
  const parsed = parseScrypt(hash);
  if (parsed === undefined) return undefined;
  return ['scrypt', parsed.N, parsed.r, parsed.p, randomBytes(16).toString('base64'), randomBytes(parsed.key.length).toString('base64')].join('$');
}

/** The dummy when there is no entry to copy the cost from: scrypt with hashPassword's parameters. */
export function defaultDummyHash(): string {
  const { N, r, p, keyBytes } = DEFAULT;
  return ['scrypt', N, r, p, randomBytes(16).toString('base64'), randomBytes(keyBytes).toString('base64')].join('$');
}
