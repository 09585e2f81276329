// Maps the `ssh` section's ciphers/kex/macs (ContainerSSH names) onto what ssh2 can do; unknown names are a start error.
import { createRequire } from 'node:module';
import type { Algorithms } from 'ssh2';
import { CsshError } from '../core/errors.js';
import type { SshConfig } from '../config/types.js';

interface Ssh2Constants {
  SUPPORTED_CIPHER: string[];
  SUPPORTED_KEX: string[];
  SUPPORTED_MAC: string[];
}

const require = createRequire(import.meta.url);
// ssh2 does not export its algorithm tables from the package root; this file is part of its published layout.
const constants = require('ssh2/lib/protocol/constants.js') as Ssh2Constants;

/** ContainerSSH spellings that differ from the SSH wire names ssh2 uses. */
const ALIASES: Record<string, string> = {
  tripledescbcID: '3des-cbc',
};

function mapList(kind: 'ciphers' | 'kex' | 'macs', names: string[], supported: string[]): string[] {
  const mapped = names.map((name) => ALIASES[name] ?? name);
  const missing = mapped.filter((name) => !supported.includes(name));
  if (missing.length > 0) {
    throw new CsshError(
      'SSH_ALGORITHM_UNSUPPORTED',
      `ssh.${kind}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not supported here; remove ${
        missing.length === 1 ? 'it' : 'them'
      } or choose from: ${supported.join(', ')}`,
      { permanent: true },
    );
  }
  return mapped;
}

/**
 * The ssh2 `algorithms` option for this config. An empty list means ssh2's own defaults for that kind
 * (ContainerSSH accepts an empty cipher list the same way). Throws CsshError naming the option and the fix.
 */
export function toSsh2Algorithms(ssh: Pick<SshConfig, 'ciphers' | 'kex' | 'macs'>): Algorithms {
  const algorithms: Algorithms = {};
  if (ssh.ciphers.length > 0) algorithms.cipher = mapList('ciphers', ssh.ciphers, constants.SUPPORTED_CIPHER) as Algorithms['cipher'];
  if (ssh.kex.length > 0) algorithms.kex = mapList('kex', ssh.kex, constants.SUPPORTED_KEX) as Algorithms['kex'];
  if (ssh.macs.length > 0) algorithms.hmac = mapList('macs', ssh.macs, constants.SUPPORTED_MAC) as Algorithms['hmac'];
  return algorithms;
}

/** `SSH-2.0-Name comment` → what ssh2 takes as `ident` (it adds the `SSH-2.0-` prefix itself). */
export function toSsh2Ident(serverVersion: string): string {
  return serverVersion.startsWith('SSH-2.0-') ? serverVersion.slice('SSH-2.0-'.length) : serverVersion;
}
