// The passwords built-in with real files: scrypt (hashPassword), bcrypt from htpasswd and bcryptjs, refusals.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { createAuthenticator, hashPassword, type AuthRequest } from '../../src/auth/index.js';
import { verifyPassword } from '../../src/auth/password-file.js';
import { authConfig } from '../support/webhook-stub.js';
import { captureLogs } from '../support/captured-logger.js';

const dir = mkdtempSync(join(tmpdir(), 'cssh-passwords-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const capture = captureLogs;

const never = new AbortController().signal;
const request = (username: string): AuthRequest => ({
  connectionId: 'a'.repeat(32),
  remoteAddress: '127.0.0.1:40000',
  clientVersion: 'SSH-2.0-OpenSSH_9.2p1',
  username,
});

function authenticator(file: string) {
  const { logger, lines } = capture();
  const auth = createAuthenticator(authConfig({ password: { method: 'passwords', passwords: { file } } }), { logger });
  return { auth, lines };
}

const pw = (text: string) => Buffer.from(text, 'utf8');

test('hashPassword makes scrypt hashes that verify only the right password, with a fresh salt each time', async () => {
  const a = await hashPassword('correct horse');
  const b = await hashPassword('correct horse');
  assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword(a, pw('correct horse')), true);
  assert.equal(await verifyPassword(a, pw('correct horsf')), false);
  assert.equal(await verifyPassword('scrypt$3$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', pw('x')), 'unsupported', 'N must be a power of two');
  assert.equal(await verifyPassword('scrypt$1073741824$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', pw('x')), 'unsupported');
});

test('a password file with scrypt and bcrypt ($2y$ from htpasswd, $2a$/$2b$ from bcryptjs) entries', async () => {
  const htpasswd = execFileSync('htpasswd', ['-nbB', '-C', '4', 'carol', 'c-pass'], { encoding: 'utf8' }).trim();
  assert.match(htpasswd, /^carol:\$2y\$/);
  const file = join(dir, 'passwords');
  writeFileSync(
    file,
    [
      '# cssh password file',
      '',
      `alice:${await hashPassword('a-pass')}`,
      `bob:${bcrypt.hashSync('b-pass', 4)}`,
      htpasswd,
      `dave:${bcrypt.hashSync('d-pass', 4).replace(/^\$2b\$/, '$2a$')}`,
    ].join('\n'),
  );
  const { auth } = authenticator(file);
  assert.deepEqual(auth.methods, ['password']);
  for (const [user, pass] of [['alice', 'a-pass'], ['bob', 'b-pass'], ['carol', 'c-pass'], ['dave', 'd-pass']] as const) {
    assert.deepEqual(await auth.password(request(user), pw(pass), never), { success: true, authenticatedUsername: user }, user);
    assert.deepEqual(await auth.password(request(user), pw(`${pass}x`), never), { success: false }, `${user} wrong`);
  }
  assert.deepEqual(await auth.password(request('alice'), pw('b-pass'), never), { success: false }, 'another user\'s password');
  assert.deepEqual(await auth.password(request('nobody'), pw('a-pass'), never), { success: false });
});

test('SHA-crypt entries as openssl passwd -5/-6 writes them, with and without rounds; absurd rounds are refused', async () => {
  const openssl = (flag: string, salt: string, pass: string): string => execFileSync('openssl', ['passwd', flag, '-salt', salt, pass], { encoding: 'utf8' }).trim();
  const entries = {
    grace: openssl('-6', 'saltsalt', 'g-pass'),
    heidi: openssl('-5', 'pepper', 'h-pass'),
    ivan: openssl('-6', 'rounds=6000$moresalt', 'i-pass'),
  };
  assert.match(entries.ivan, /^\$6\$rounds=6000\$/);
  const file = join(dir, 'shadow-style');
  writeFileSync(file, Object.entries(entries).map(([user, hash]) => `${user}:${hash}`).join('\n') + `\njudy:${'$6$rounds=99999999$salt$'}${'a'.repeat(86)}\n`);
  const { auth, lines } = authenticator(file);
  for (const [user, pass] of [['grace', 'g-pass'], ['heidi', 'h-pass'], ['ivan', 'i-pass']] as const) {
    assert.deepEqual(await auth.password(request(user), pw(pass), never), { success: true, authenticatedUsername: user }, user);
    assert.deepEqual(await auth.password(request(user), pw(`${pass}x`), never), { success: false }, `${user} wrong`);
  }
  assert.deepEqual(await auth.password(request('judy'), pw('anything'), never), { success: false });
  assert.equal(lines.filter((l) => l.code === 'AUTH_PASSWORD_HASH_UNSUPPORTED').length, 1, 'only the absurd-rounds entry is unsupported');
});

test('plain-text entries are refused with a warning that says how to hash', async () => {
  const file = join(dir, 'plain');
  writeFileSync(file, 'erin:letmein\nfrank:$1$md5$legacy\n');
  const { auth, lines } = authenticator(file);
  assert.deepEqual(await auth.password(request('erin'), pw('letmein'), never), { success: false });
  assert.deepEqual(await auth.password(request('frank'), pw('legacy'), never), { success: false });
  const warnings = lines.filter((l) => l.code === 'AUTH_PASSWORD_HASH_UNSUPPORTED');
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]?.message ?? '', /plain text is never accepted/);
  assert.ok(!lines.some((l) => l.message.includes('letmein')), 'the stored secret is not logged');
});

test('the file is re-read on each attempt, so edits apply at once', async () => {
  const file = join(dir, 'editable');
  writeFileSync(file, `gina:${await hashPassword('old')}\n`);
  const { auth } = authenticator(file);
  assert.equal((await auth.password(request('gina'), pw('old'), never)).success, true);
  writeFileSync(file, `gina:${await hashPassword('new')}\n`);
  assert.equal((await auth.password(request('gina'), pw('old'), never)).success, false);
  assert.equal((await auth.password(request('gina'), pw('new'), never)).success, true);
});

test('hostile usernames and a missing file are refused and logged', async () => {
  const file = join(dir, 'hostile');
  const hash = await hashPassword('p');
  writeFileSync(file, `a:${hash}\n`);
  const { auth, lines } = authenticator(file);
  for (const name of ['a:b', 'a\0', '../a', 'a\nb:x']) {
    assert.equal((await auth.password(request(name), pw('p'), never)).success, false, JSON.stringify(name));
  }
  assert.equal(lines.filter((l) => l.code === 'AUTH_USERNAME_INVALID').length, 4);
  const missing = authenticator(join(dir, 'does-not-exist'));
  assert.deepEqual(await missing.auth.password(request('a'), pw('p'), never), { success: false });
  assert.ok(missing.lines.some((l) => l.code === 'AUTH_PASSWORDS_FILE_UNREADABLE' && /ENOENT/.test(l.message)));
});
