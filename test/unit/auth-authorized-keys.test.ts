// The authorizedkeys built-in with real files and ssh-keygen keys: matching, options, templates, hostile names.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAuthorizedKeyLine } from '../../src/auth/authorized-keys.js';
import { createAuthenticator, type AuthRequest } from '../../src/auth/index.js';
import { authConfig } from '../support/webhook-stub.js';
import { captureLogs } from '../support/captured-logger.js';

const dir = mkdtempSync(join(tmpdir(), 'cssh-authkeys-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A fresh key pair; returns the public line as ssh-keygen wrote it ("type base64 comment"). */
function keygen(name: string, type: 'ed25519' | 'rsa' | 'ecdsa'): string {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', `${name}@test`, '-f', path]);
  return readFileSync(`${path}.pub`, 'utf8').trim();
}

const ed = keygen('ed', 'ed25519');
const rsa = keygen('rsa', 'rsa');
const ecdsa = keygen('ecdsa', 'ecdsa');
const other = keygen('other', 'ed25519');
/** What the SSH server passes: "type base64", no comment. */
const offer = (line: string) => line.split(' ').slice(0, 2).join(' ');

const capture = captureLogs;

const never = new AbortController().signal;
const request = (username: string): AuthRequest => ({
  connectionId: 'f'.repeat(32),
  remoteAddress: '[::1]:40000',
  clientVersion: 'SSH-2.0-OpenSSH_9.2p1',
  username,
});

function authenticator(path: string) {
  const { logger, lines } = capture();
  const auth = createAuthenticator(authConfig({ publicKey: { method: 'authorizedkeys', authorizedKeys: { path } } }), { logger });
  return { auth, lines };
}

test('keys in an authorized_keys file are accepted; comments, blank lines, options and other keys are handled', async () => {
  const file = join(dir, 'plain_keys');
  writeFileSync(
    file,
    ['# my keys', '', `no-pty,environment="A=b c",no-port-forwarding ${ed}`, `  ${rsa}  `, `restrict ${offer(ecdsa)}`, 'garbage line'].join('\n'),
  );
  const { auth } = authenticator(file);
  assert.deepEqual(auth.methods, ['publickey']);
  for (const key of [ed, rsa, ecdsa]) {
    assert.deepEqual(await auth.publicKey(request('alice'), offer(key), never), { success: true, authenticatedUsername: 'alice' });
  }
  assert.deepEqual(await auth.publicKey(request('alice'), offer(other), never), { success: false });
  const [type, blob] = offer(ed).split(' ');
  const rsaType = offer(rsa).split(' ')[0];
  assert.deepEqual(await auth.publicKey(request('alice'), `${rsaType} ${blob}`, never), { success: false }, 'type must match too');
  assert.deepEqual(await auth.publicKey(request('alice'), `${type}`, never), { success: false });
});

test('{username} selects the user\'s own file, and edits apply at once', async () => {
  mkdirSync(join(dir, 'home', 'alice'), { recursive: true });
  mkdirSync(join(dir, 'home', 'bob'), { recursive: true });
  writeFileSync(join(dir, 'home', 'alice', 'keys'), `${ed}\n`);
  writeFileSync(join(dir, 'home', 'bob', 'keys'), `${other}\n`);
  const { auth } = authenticator(join(dir, 'home', '{username}', 'keys'));
  assert.equal((await auth.publicKey(request('alice'), offer(ed), never)).success, true);
  assert.equal((await auth.publicKey(request('bob'), offer(ed), never)).success, false);
  assert.equal((await auth.publicKey(request('bob'), offer(other), never)).success, true);
  writeFileSync(join(dir, 'home', 'bob', 'keys'), `${ed}\n`);
  assert.equal((await auth.publicKey(request('bob'), offer(other), never)).success, false);
  assert.equal((await auth.publicKey(request('bob'), offer(ed), never)).success, true);
});

test('usernames that could leave the template directory are refused before any file is read', async () => {
  mkdirSync(join(dir, 'jail'), { recursive: true });
  // A file each hostile name would reach if it were substituted as is.
  writeFileSync(join(dir, 'escaped.keys'), `${ed}\n`);
  writeFileSync(join(dir, 'jail', '.keys'), `${ed}\n`);
  const { auth, lines } = authenticator(join(dir, 'jail', '{username}.keys'));
  for (const name of ['../escaped', '..', '', 'a/../../escaped', 'nul\0byte', 'sp ace', 'new\nline', '.', 'x\\y']) {
    assert.equal((await auth.publicKey(request(name), offer(ed), never)).success, false, JSON.stringify(name));
  }
  assert.equal(lines.filter((l) => l.code === 'AUTH_USERNAME_INVALID').length, 9);
  assert.ok(!lines.some((l) => l.code === 'AUTH_KEYS_FILE_UNREADABLE'), 'no file lookup for hostile names');
});

test('a missing or unreadable file is a logged refusal, never a crash', async () => {
  const { auth, lines } = authenticator(join(dir, 'nowhere', '{username}', 'authorized_keys'));
  assert.deepEqual(await auth.publicKey(request('alice'), offer(ed), never), { success: false });
  assert.ok(lines.some((l) => l.code === 'AUTH_KEYS_FILE_UNREADABLE' && /ENOENT/.test(l.message)));
  const asDirectory = authenticator(dir);
  assert.deepEqual(await asDirectory.auth.publicKey(request('alice'), offer(ed), never), { success: false });
  assert.ok(asDirectory.lines.some((l) => l.code === 'AUTH_KEYS_FILE_UNREADABLE'));
});

test('a matching line with a restriction cssh cannot enforce (from=, command=, cert-authority) is not used', async () => {
  const file = join(dir, 'restricted_keys');
  writeFileSync(file, [`from="10.0.0.0/8" ${ed}`, `command="echo hi, there" ${rsa}`, `cert-authority ${ecdsa}`].join('\n'));
  const { auth, lines } = authenticator(file);
  for (const key of [ed, rsa, ecdsa]) assert.equal((await auth.publicKey(request('alice'), offer(key), never)).success, false);
  assert.equal(lines.filter((l) => l.code === 'AUTH_KEYS_OPTION_UNSUPPORTED').length, 3);
});

test('authorized_keys lines parse with quoted options that contain spaces and commas', () => {
  const [type, blob] = offer(ed).split(' ') as [string, string];
  const parsed = parseAuthorizedKeyLine(`command="a \\"b\\" c, d",no-pty ${type} ${blob} comment here`);
  assert.equal(parsed?.type, type);
  assert.deepEqual(parsed?.blob, Buffer.from(blob, 'base64'));
  assert.deepEqual(parsed?.options, ['command', 'no-pty']);
  assert.equal(parseAuthorizedKeyLine('# ' + offer(ed)), undefined);
  assert.equal(parseAuthorizedKeyLine('   '), undefined);
  assert.equal(parseAuthorizedKeyLine('no-pty'), undefined);
});
