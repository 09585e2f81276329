// What real ContainerSSH files need from validation: auth.gssapi accepted with a warning, every PEM value and PEM
// file parsed (placeholders fail at their line, even when a config server defers the docker rules), warnings that
// say what really happens to the old top-level listen and auth.url, and a warning when a 0.3/0.4 answer is assumed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeSource } from '../../src/config/analyze.js';
import { HARDENING_CODES } from '../../src/config/rules-hardening.js';
import type { ConfigIssue } from '../../src/config/issues.js';
import { parseSource } from '../../src/config/source.js';

function analyze(text: string) {
  const parsed = parseSource(text, 'cfg.yaml');
  assert.ok(parsed.ok, 'the test YAML parses');
  const result = analyzeSource(parsed.source, 'validate');
  // The hardening advice (resource limits, plain http) has its own tests; these are about the files' own keys.
  return { ...result, issues: result.issues.filter((issue) => !HARDENING_CODES.includes(issue.code)) };
}

const byCode = (issues: ConfigIssue[], code: string): ConfigIssue[] => issues.filter((issue) => issue.code === code);
const AUTH = 'auth:\n  publicKey:\n    method: authorizedkeys\n    authorizedKeys:\n      path: /etc/cssh/keys/{username}\n';
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/containerssh/${name}`, import.meta.url), 'utf8');

test('auth.gssapi with ContainerSSH\'s kerberos keys is accepted, warned as not implemented, like password kerberos', () => {
  const { issues, config } = analyze(fixture('kerberos-docs.yaml'));
  // Accepted key by key; only the login check fails, since serve would have no login method it implements.
  assert.deepEqual(issues.filter((i) => i.severity === 'error').map((i) => i.code), ['CONFIG_FILE_NOT_FOUND', 'AUTH_NO_USABLE_METHOD']);
  const unimplemented = byCode(issues, 'AUTH_METHOD_NOT_IMPLEMENTED');
  assert.deepEqual(unimplemented.map((i) => [i.path, i.line]), [['auth.password.method', 9], ['auth.gssapi.method', 14]]);
  const none = byCode(issues, 'AUTH_NO_USABLE_METHOD')[0];
  assert.match(none?.message ?? '', /cssh serve will refuse to start/);
  assert.equal(config.auth.gssapi.kerberos.acceptor, 'host/ssh.example.org');
  assert.equal(config.auth.gssapi.kerberos.clockSkew, 300_000);
  assert.equal(config.auth.password.kerberos.keytab, '/etc/containerssh/krb5.keytab');
  assert.equal(config.auth.password.kerberos.credentialCachePath, '/tmp/krb5cc', 'ContainerSSH\'s default');
});

test('auth.gssapi keys are checked: an unknown key or method is an error at its line', () => {
  const { issues } = analyze(`${AUTH}  gssapi:\n    method: ldap\n    kerberos:\n      keytabs: /x\n`);
  const method = issues.find((i) => i.path === 'auth.gssapi.method');
  assert.equal(method?.code, 'CONFIG_INVALID_VALUE');
  assert.equal(method?.expected, '""|kerberos');
  const unknown = issues.find((i) => i.path === 'auth.gssapi.kerberos.keytabs');
  assert.deepEqual([unknown?.code, unknown?.hint, unknown?.line], ['CONFIG_UNKNOWN_KEY', 'did you mean keytab?', 9]);
});

test('a working login method next to kerberos leaves only the not-implemented warnings', () => {
  const { issues } = analyze(`${AUTH}  gssapi:\n    method: kerberos\n`);
  assert.deepEqual(issues.map((i) => i.code), ['AUTH_METHOD_NOT_IMPLEMENTED']);
});

const placeholder = (label: string, body: string): string => `|\n      -----BEGIN ${label}-----\n      ${body}\n      -----END ${label}-----\n`;

test('placeholder PEM text in docker.connection fails at its line, also when a config server defers the docker rules', () => {
  const text = `${AUTH}configserver:\n  url: http://127.0.0.1:8080/config\ndocker:\n  connection:\n    host: tcp://10.0.0.1:2376\n` +
    `    cert: ${placeholder('CERTIFICATE', '<client certificate here>')}    key: ${placeholder('RSA PRIVATE KEY', '...')}` +
    '    cacert: |\n      -----BEGIN CERTIFICATE-----\n      -----END CERTIFICATE-----\n';
  const pem = byCode(analyze(text).issues, 'CONFIG_PEM_INVALID');
  assert.deepEqual(pem.map((i) => [i.severity, i.path, i.line, i.column]), [
    ['error', 'docker.connection.cert', 11, 11],
    ['error', 'docker.connection.key', 15, 10],
    ['error', 'docker.connection.cacert', 19, 13],
  ]);
  assert.match(pem[0]?.message ?? '', /holds "<client certificate here>", not base64 data \(a placeholder\?\)/);
  assert.match(pem[1]?.message ?? '', /not a private key: the RSA PRIVATE KEY block holds "\.\.\."/);
  assert.match(pem[2]?.message ?? '', /the CERTIFICATE block is empty/);
});

test('PEM files are read and parsed too; webhook and config-server TLS options are checked like the engine\'s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-pem-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=t'], { stdio: 'ignore' });
  writeFileSync(join(dir, 'garbage.pem'), 'replace me with the CA\n');
  const good = `  cacert: ${join(dir, 'cert.pem')}\n  cert: ${join(dir, 'cert.pem')}\n  key: ${join(dir, 'key.pem')}\n`;
  assert.deepEqual(analyze(`${AUTH}configserver:\n  url: https://cfg.example.com\n${good}`).issues, []);
  const swapped = `      cacert: ${join(dir, 'garbage.pem')}\n      cert: ${join(dir, 'key.pem')}\n      key: ${join(dir, 'cert.pem')}\n`;
  const issues = byCode(analyze(`auth:\n  password:\n    method: webhook\n    webhook:\n      url: https://auth.example.com\n${swapped}`).issues, 'CONFIG_PEM_INVALID');
  assert.deepEqual(issues.map((i) => i.path), ['auth.password.webhook.cacert', 'auth.password.webhook.cert', 'auth.password.webhook.key']);
  assert.match(issues[0]?.message ?? '', /garbage\.pem" does not hold a certificate: it is not PEM text/);
  assert.match(issues[1]?.message ?? '', /holds a PRIVATE KEY, not a CERTIFICATE; are cert and key swapped\?/);
  assert.match(issues[2]?.message ?? '', /not a private key; are cert and key swapped\?/);
});

test('CONFIG_LEGACY_LISTEN says whether the old listen is used or ignored', () => {
  const used = byCode(analyze(`${AUTH}listen: 127.0.0.1:2022\n`).issues, 'CONFIG_LEGACY_LISTEN')[0];
  assert.match(used?.message ?? '', /it is used as ssh\.listen$/);
  const both = analyze(`${AUTH}ssh:\n  listen: 0.0.0.0:22\nlisten: 127.0.0.1:2022\n`);
  const ignored = byCode(both.issues, 'CONFIG_LEGACY_LISTEN')[0];
  assert.match(ignored?.message ?? '', /ignored: ssh\.listen is also set and wins/);
  assert.doesNotMatch(ignored?.message ?? '', /used as ssh\.listen/);
  assert.equal(ignored?.line, 8);
  assert.equal(both.config.ssh.listen, '0.0.0.0:22');
});

test('CONFIG_AUTH_URL_DEPRECATED names only the webhooks auth.url really configures', () => {
  const passwordOnly = byCode(analyze('backend: docker\nauth:\n  url: http://a:8080\n  pubkey: false\n').issues, 'CONFIG_AUTH_URL_DEPRECATED')[0];
  assert.match(passwordOnly?.message ?? '', /used for auth\.password\.webhook only$/);
  assert.doesNotMatch(passwordOnly?.message ?? '', /both/);
  const keyOnly = byCode(analyze('backend: docker\nauth:\n  url: http://a:8080\n  password: false\n').issues, 'CONFIG_AUTH_URL_DEPRECATED')[0];
  assert.match(keyOnly?.message ?? '', /used for auth\.publicKey\.webhook only$/);
});

test('auth.url in a file that does not show its version: public-key login stays off (0.3), with a located warning', () => {
  const { issues, config } = analyze('auth:\n  url: http://a:8080\n');
  assert.equal(config.auth.publicKey.method, '');
  assert.equal(config.auth.password.method, 'webhook');
  const assumed = byCode(issues, 'CONFIG_VERSION_ASSUMED');
  assert.equal(assumed.length, 1);
  assert.deepEqual([assumed[0]?.path, assumed[0]?.line], ['auth.url', 2]);
  assert.match(assumed[0]?.message ?? '', /public-key login stays off.*0\.3 defaulted it to false.*--from 0\.4/);
  // A file with a section 0.3 did not have is a 0.4 file: public-key login on, and nothing assumed.
  const v04 = analyze('auth:\n  url: http://a:8080\nsecurity:\n  maxSessions: 4\n');
  assert.equal(v04.config.auth.publicKey.method, 'webhook');
  assert.deepEqual(byCode(v04.issues, 'CONFIG_VERSION_ASSUMED'), []);
});
