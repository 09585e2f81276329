// Password hashes checked in worker threads: the event loop keeps turning, the queue is bounded, unknown users cost alike.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { HashPool } from '../../src/auth/hash-pool.js';
import { checkPasswordFile, dummyHashFor } from '../../src/auth/password-file.js';
import { dummyHashLike, hashPassword, verifyPassword } from '../../src/auth/password-hash.js';
import { isCsshError } from '../../src/core/errors.js';
import { createNullLogger } from '../../src/core/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'cssh-hash-pool-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const pw = (text: string): Buffer => Buffer.from(text, 'utf8');
/** A SHA-512 crypt hash with 200,000 rounds (about a second of CPU in JavaScript): long enough to watch. */
const slow = execFileSync('openssl', ['passwd', '-6', '-salt', 'rounds=200000$slowsalt', 'slow-pw'], { encoding: 'utf8' }).trim();

test('a costly hash is checked in a worker: timers on the main thread keep firing meanwhile', async (t) => {
  const pool = new HashPool({ size: 1 });
  t.after(() => pool.close());
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const result = await pool.verify(slow, pw('slow-pw'));
  clearInterval(timer);
  assert.equal(result, true);
  assert.ok(ticks > 0, 'the event loop ran while the hash was being checked');
  assert.equal(await pool.verify(slow, pw('wrong')), false);
  assert.equal(await pool.verify('plain-text', pw('plain-text')), 'unsupported');
});

test('the queue is bounded: a check over the limit is refused at once; a queued one is dropped when its client leaves', async (t) => {
  const pool = new HashPool({ size: 1, maxQueued: 1 });
  t.after(() => pool.close());
  const running = pool.verify(slow, pw('slow-pw'));
  const leaving = new AbortController();
  const queued = pool.verify(slow, pw('slow-pw'), leaving.signal);
  const refused = await pool.verify(slow, pw('slow-pw')).then(() => undefined, (error: unknown) => error);
  assert.ok(isCsshError(refused) && refused.code === 'AUTH_PASSWORD_QUEUE_FULL', String(refused));
  assert.equal(pool.queued, 1);
  leaving.abort(new Error('client left'));
  await assert.rejects(queued, /client left/);
  assert.equal(pool.queued, 0);
  assert.equal(await running, true, 'the check already running still completes');
  assert.equal(await pool.verify(slow, pw('slow-pw')), true, 'room again');
});

test('a dummy hash has the scheme and cost of the entry it copies, and matches no password', async () => {
  const bcrypt5 = bcrypt.hashSync('b', 5).replace(/^\$2b\$/, '$2y$');
  const cases: [string, RegExp][] = [
    [bcrypt5, /^\$2b\$05\$[./A-Za-z0-9]{53}$/],
    [slow, /^\$6\$rounds=200000\$[./A-Za-z0-9]{16}\$[./A-Za-z0-9]{86}$/],
    ['$5$pepper$' + 'a'.repeat(43), /^\$5\$[./A-Za-z0-9]{16}\$[./A-Za-z0-9]{43}$/],
    [await hashPassword('s'), /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/],
  ];
  for (const [hash, shape] of cases) {
    const dummy = dummyHashLike(hash) ?? '';
    assert.match(dummy, shape, hash);
    assert.notEqual(dummy, dummyHashLike(hash), 'a fresh salt each time');
    if (!hash.startsWith('$6$rounds')) assert.equal(await verifyPassword(dummy, pw('b')), false);
  }
  assert.equal(dummyHashLike('letmein'), undefined);
  assert.equal(dummyHashLike('$6$rounds=99999999$salt$' + 'a'.repeat(86)), undefined, 'refused entries are not copied');
});

test('an unknown user is checked against a dummy of the file\'s first usable entry, in the pool', async (t) => {
  const seen: string[] = [];
  class Recording extends HashPool {
    override verify(hash: string, password: Buffer, signal?: AbortSignal): Promise<boolean | 'unsupported'> {
      seen.push(hash);
      return super.verify(hash, password, signal);
    }
  }
  const pool = new Recording({ size: 1 });
  t.after(() => pool.close());
  const file = join(dir, 'passwords');
  const entry = bcrypt.hashSync('k-pass', 6);
  writeFileSync(file, `# header\nplain:text\nkim:${entry}\nlee:${await hashPassword('l')}\n`);
  const logger = createNullLogger();
  assert.equal(await checkPasswordFile(file, 'kim', pw('k-pass'), logger, { pool }), true);
  assert.equal(await checkPasswordFile(file, 'nobody', pw('k-pass'), logger, { pool }), false);
  assert.equal(seen[0], entry);
  assert.match(seen[1] ?? '', /^\$2b\$06\$/, 'the unknown user costs a bcrypt cost-6 check, like kim');
  assert.equal(await checkPasswordFile(file, 'plain', pw('text'), logger, { pool }), false);
  assert.match(seen.at(-1) ?? '', /^\$2b\$06\$/, 'an unusable entry costs the same too');
  assert.match(dummyHashFor('nothing usable\n'), /^scrypt\$32768\$/);
});
