// Host keys (generated once, mode 0600, stable fingerprint; configured PEM or files) and algorithm mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { GENERATED_KEY_NAME, generateEd25519KeyPair, loadHostKeys, parseOneKey } from '../../src/ssh/host-keys.js';
import { toSsh2Algorithms, toSsh2Ident } from '../../src/ssh/algorithms.js';
import { parseListen } from '../../src/ssh/server.js';

test('the generated host key is created once with mode 0600 and keeps its fingerprint', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-keys-'));
  try {
    const first = await loadHostKeys([], join(dir, 'state'));
    const second = await loadHostKeys([], join(dir, 'state'));
    assert.equal(first.generated, true);
    assert.equal(second.generated, false);
    assert.equal(first.keys[0]?.fingerprint, second.keys[0]?.fingerprint);
    assert.match(first.keys[0]?.fingerprint ?? '', /^SHA256:[A-Za-z0-9+/]{43}$/);
    const path = join(dir, 'state', GENERATED_KEY_NAME);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    // OpenSSH computes the same fingerprint from the public half.
    const sshKeygen = execFileSync('ssh-keygen', ['-l', '-f', `${path}.pub`], { encoding: 'utf8' });
    assert.ok(sshKeygen.includes(first.keys[0]?.fingerprint ?? 'none'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('configured host keys load from PEM text or a file; bad ones name the entry', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-keys-'));
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', join(dir, 'rsa')]);
    const pem = await readFile(join(dir, 'rsa'), 'utf8');
    const { keys } = await loadHostKeys([pem, join(dir, 'rsa')], dir);
    assert.deepEqual(keys.map((k) => k.type), ['ssh-rsa', 'ssh-rsa']);
    await writeFile(join(dir, 'junk'), 'not a key');
    await assert.rejects(loadHostKeys([join(dir, 'junk')], dir), /ssh\.hostkeys\[0\]|junk/);
    await assert.rejects(loadHostKeys([join(dir, 'missing')], dir), /cannot read host key file/);
    execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', join(dir, 'ec')]);
    await assert.rejects(loadHostKeys([join(dir, 'ec')], dir), /must be Ed25519, RSA or DSS/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('ContainerSSH algorithm names map onto ssh2; unknown ones are a clear error', () => {
  const defaults = toSsh2Algorithms({
    ciphers: ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-gcm@openssh.com', 'aes256-ctr', 'aes192-ctr', 'aes128-ctr'],
    kex: ['curve25519-sha256@libssh.org', 'ecdh-sha2-nistp521', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp256'],
    macs: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256'],
  });
  assert.equal(Array.isArray(defaults.cipher) ? defaults.cipher.length : 0, 6);
  assert.deepEqual(toSsh2Algorithms({ ciphers: ['tripledescbcID'], kex: [], macs: [] }).cipher, ['3des-cbc']);
  assert.throws(() => toSsh2Algorithms({ ciphers: [], kex: ['sntrup761x25519-sha512@openssh.com'], macs: [] }), /ssh\.kex: .* not supported/);
  assert.equal(toSsh2Ident('SSH-2.0-ContainerSSH'), 'ContainerSSH');
  assert.deepEqual(parseListen('[::1]:22'), { host: '::1', port: 22 });
  assert.deepEqual(parseListen(':2222'), { host: '0.0.0.0', port: 2222 });
  assert.throws(() => parseListen('2222'), /expected host:port/);
});

test('every generated host key parses (the underlying generator sometimes drops a leading zero byte)', () => {
  for (let i = 0; i < 1500; i++) {
    const pair = generateEd25519KeyPair();
    const parsed = parseOneKey(pair.private);
    assert.ok(!(parsed instanceof Error), `key ${i} does not parse`);
    assert.equal(parsed.getPublicSSH().length, 51, 'an Ed25519 public blob is 51 bytes');
  }
});
