// Rules for the ssh section (ContainerSSH's rules): version string, algorithm allow-lists, host keys, keepalive, startups.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostKeyType } from './host-key-type.js';
import { configError, configWarning, describeValue, type ConfigIssue } from './issues.js';
import { isPem, listenIssue, minDurationIssue } from './rules-common.js';
import { parseMaxStartups, parseNetBlockSize } from './startups-syntax.js';
import { didYouMean } from './suggest.js';
import type { SshConfig } from './types.js';

export const ALLOWED_CIPHERS = ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-gcm@openssh.com',
  'aes256-ctr', 'aes192-ctr', 'aes128-ctr', 'aes128-cbc', 'arcfour256', 'arcfour128', 'arcfour', 'tripledescbcID'];
export const ALLOWED_KEX = ['curve25519-sha256@libssh.org', 'ecdh-sha2-nistp521', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp256',
  'diffie-hellman-group14-sha1', 'diffie-hellman-group1-sha1'];
export const ALLOWED_MACS = ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha1', 'hmac-sha1-96'];

/** Ciphers ContainerSSH accepts that cssh cannot serve (the ssh2 library has no RC4): `serve` would refuse to start. */
const CIPHERS_NOT_SERVED = ['arcfour256', 'arcfour128', 'arcfour'];

const SERVER_VERSION = /^SSH-2\.0-[\x21-\x2c\x2e-\x7e]+( [A-Za-z0-9 _.-]*)?$/;

export function checkSsh(ssh: SshConfig, issues: ConfigIssue[]): void {
  const listen = listenIssue(ssh.listen, 'ssh.listen');
  if (listen !== undefined) issues.push(listen);
  if (ssh.serverVersion.length > 253 || !SERVER_VERSION.test(ssh.serverVersion)) {
    issues.push(configError('SSH_SERVER_VERSION_INVALID', 'ssh.serverVersion', 'invalid server version string', {
      expected: 'SSH-2.0-<software> with no spaces or dashes in <software>, an optional " comment", at most 253 characters',
      found: describeValue(ssh.serverVersion),
      hint: 'for example SSH-2.0-ContainerSSH',
    }));
  }
  checkAlgorithms('ssh.ciphers', 'cipher', ssh.ciphers, ALLOWED_CIPHERS, true, issues);
  ssh.ciphers.forEach((value, index) => {
    if (!CIPHERS_NOT_SERVED.includes(value)) return;
    issues.push(configError('SSH_ALGORITHM_INVALID', `ssh.ciphers.${index}`, `${value} is a ContainerSSH cipher that cssh cannot serve (no RC4 support); cssh serve would refuse to start`, {
      hint: 'remove it; OpenSSH clients have not offered arcfour by default for years',
    }));
  });
  checkAlgorithms('ssh.kex', 'key exchange algorithm', ssh.kex, ALLOWED_KEX, false, issues);
  checkAlgorithms('ssh.macs', 'MAC algorithm', ssh.macs, ALLOWED_MACS, false, issues);
  ssh.hostkeys.forEach((key, index) => checkHostKey(key, `ssh.hostkeys.${index}`, issues));
  const alive = minDurationIssue(ssh.clientAliveInterval, 1000, 'ssh.clientAliveInterval', true);
  if (alive !== undefined) issues.push(alive);
  if (ssh.clientAliveCountMax < 1) {
    issues.push(configError('CONFIG_OUT_OF_RANGE', 'ssh.clientAliveCountMax', 'must be at least 1', { expected: '>= 1', found: String(ssh.clientAliveCountMax) }));
  }
  checkStartups(ssh, issues);
}

/** maxStartups, perSourceMaxStartups and perSourceNetBlockSize: the limits on unauthenticated connections. */
function checkStartups(ssh: SshConfig, issues: ConfigIssue[]): void {
  const startups = parseMaxStartups(ssh.maxStartups);
  if (typeof startups === 'string') {
    issues.push(configError('CONFIG_INVALID_VALUE', 'ssh.maxStartups', `invalid maxStartups: ${startups}`, {
      expected: 'start:rate:full, e.g. 10:30:100 (OpenSSH\'s default), or one number such as 50',
      found: describeValue(ssh.maxStartups),
    }));
  }
  if (ssh.perSourceMaxStartups === 0 || ssh.perSourceMaxStartups < -1) {
    issues.push(configError('CONFIG_OUT_OF_RANGE', 'ssh.perSourceMaxStartups', 'must be at least 1, or -1 for unlimited', {
      expected: '>= 1 or -1',
      found: String(ssh.perSourceMaxStartups),
    }));
  } else if (typeof startups !== 'string' && ssh.perSourceMaxStartups > startups.full) {
    issues.push(configWarning('CONFIG_OUT_OF_RANGE', 'ssh.perSourceMaxStartups', `${ssh.perSourceMaxStartups} is above maxStartups' full (${startups.full}), so it never applies`, {
      hint: 'lower it, so that one source cannot take every unauthenticated slot',
    }));
  }
  const block = parseNetBlockSize(ssh.perSourceNetBlockSize);
  if (typeof block === 'string') {
    issues.push(configError('CONFIG_INVALID_VALUE', 'ssh.perSourceNetBlockSize', `invalid perSourceNetBlockSize: ${block}`, {
      expected: 'ipv4bits:ipv6bits such as 32:64 (one IPv4 address, one IPv6 /64)',
      found: describeValue(ssh.perSourceNetBlockSize),
    }));
  }
}

function checkAlgorithms(path: string, label: string, values: string[], allowed: string[], emptyOk: boolean, issues: ConfigIssue[]): void {
  if (values.length === 0 && !emptyOk) {
    issues.push(configError('SSH_ALGORITHM_INVALID', path, `at least one ${label} is required`, { hint: 'remove the option to use the defaults' }));
  }
  values.forEach((value, index) => {
    if (allowed.includes(value)) return;
    const hint = didYouMean(value, allowed);
    issues.push(configError('SSH_ALGORITHM_INVALID', `${path}.${index}`, `unsupported ${label}: ${describeValue(value)}`, {
      expected: allowed.join(', '),
      found: describeValue(value),
      ...(hint === undefined ? {} : { hint }),
    }));
  });
}

function checkHostKey(value: string, path: string, issues: ConfigIssue[]): void {
  let pem = value;
  if (!isPem(value)) {
    if (!existsSync(value)) {
      issues.push(configWarning('CONFIG_FILE_NOT_FOUND', path, `host key file "${value}" does not exist here`, { hint: 'make sure it exists where cssh runs' }));
      return;
    }
    try {
      if (!statSync(value).isFile()) throw new Error('not a file');
      pem = readFileSync(value, 'utf8');
    } catch {
      issues.push(configError('SSH_HOST_KEY_INVALID', path, `host key file "${value}" cannot be read`));
      return;
    }
  }
  const type = hostKeyType(pem);
  if (type === 'ecdsa') {
    issues.push(configError('SSH_HOST_KEY_INVALID', path, 'ECDSA host keys are not supported', {
      expected: 'an RSA, DSA or Ed25519 private key',
      found: 'an ECDSA key',
      hint: 'generate one with ssh-keygen -t ed25519 -N "" -f host_key',
    }));
  } else if (type === 'encrypted') {
    issues.push(configError('SSH_HOST_KEY_INVALID', path, 'the host key is encrypted with a passphrase', { hint: 'host keys must be unencrypted' }));
  } else if (type === 'unknown') {
    issues.push(configError('SSH_HOST_KEY_INVALID', path, 'not a private key cssh can read', { expected: 'a PEM or OpenSSH private key (RSA, DSA, Ed25519)' }));
  }
}
