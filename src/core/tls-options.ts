// ContainerSSH's TLS option values (tlsVersion, curves, cipher) checked and translated to Node's TLS settings.
import { readFileSync } from 'node:fs';
import type { SecureVersion } from 'node:tls';
import { looksLikePem, pemProblem, type PemKind } from './pem.js';
import { CsshError } from './errors.js';

/** ContainerSSH's default `curves`. */
export const DEFAULT_TLS_CURVES = ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'];

/** ContainerSSH's default `cipher`: the TLS 1.3 suites plus two ECDHE-GCM suites for TLS 1.2. */
export const DEFAULT_TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
];

/** Curve names ContainerSSH accepts → the OpenSSL group name. */
const CURVES: Record<string, string> = {
  x25519: 'X25519',
  X25519: 'X25519',
  secp256r1: 'prime256v1',
  prime256v1: 'prime256v1',
  secp384r1: 'secp384r1',
  secp521r1: 'secp521r1',
};

/** TLS 1.2 suites by OpenSSL name, with the IANA and GnuTLS spellings ContainerSSH also accepts. */
const TLS12_SUITES: Record<string, [iana: string, gnutls: string]> = {
  'ECDHE-ECDSA-AES128-GCM-SHA256': ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_AES_128_GCM_SHA256'],
  'ECDHE-RSA-AES128-GCM-SHA256': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_AES_128_GCM_SHA256'],
  'ECDHE-ECDSA-AES256-GCM-SHA384': ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_AES_256_GCM_SHA384'],
  'ECDHE-RSA-AES256-GCM-SHA384': ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_AES_256_GCM_SHA384'],
  'ECDHE-ECDSA-CHACHA20-POLY1305': ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_ECDSA_CHACHA20_POLY1305'],
  'ECDHE-RSA-CHACHA20-POLY1305': ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_CHACHA20_POLY1305'],
};

const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/** Every accepted cipher name → the OpenSSL name Node takes. */
const CIPHERS: Record<string, string> = Object.fromEntries<string>([
  ...TLS13_SUITES.map((name): [string, string] => [name, name]),
  ...Object.entries(TLS12_SUITES).flatMap(([openssl, names]) => [openssl, ...names].map((name): [string, string] => [name, openssl])),
]);

/** Every accepted curve name, for messages. */
export const TLS_CURVE_NAMES = Object.keys(CURVES);
/** Every accepted cipher name (IANA, OpenSSL and GnuTLS spellings), for messages. */
export const TLS_CIPHER_NAMES = Object.keys(CIPHERS);

export type TlsCheck<T> = { ok: true; value: T } | { ok: false; problem: string; found?: string };

/** "1.2" or "1.3" (also "TLS1.3", "tlsv1.2"); "" means ContainerSSH's default 1.3. */
export function tlsMinVersion(value: string): TlsCheck<SecureVersion> {
  const text = value.trim().replace(/^tls\s*v?/i, '');
  if (text === '' || text === '1.3') return { ok: true, value: 'TLSv1.3' };
  if (text === '1.2') return { ok: true, value: 'TLSv1.2' };
  return { ok: false, problem: `expected "1.2" or "1.3", got "${value}"`, found: value };
}

/** The OpenSSL curve list ("X25519:prime256v1") for ContainerSSH's curve names; an empty list is an error. */
export function tlsCurves(names: readonly string[]): TlsCheck<string> {
  if (names.length === 0) return { ok: false, problem: 'no ECDH curves given' };
  const unknown = names.find((name) => CURVES[name.trim()] === undefined);
  if (unknown !== undefined) {
    return { ok: false, problem: `unsupported ECDH curve "${unknown}" (supported: ${TLS_CURVE_NAMES.join(', ')})`, found: unknown };
  }
  return { ok: true, value: [...new Set(names.map((name) => CURVES[name.trim()]))].join(':') };
}

export interface TlsSuites {
  /** Node's `ciphers` string (TLS 1.3 and TLS 1.2 suites). */
  ciphers: string;
  /**
   * 'TLSv1.2' when no TLS 1.3 suite is listed: Node keeps its default TLS 1.3 suites whenever the list names none,
   * so TLS 1.3 must be switched off for the list to be honoured exactly.
   */
  maxVersion: SecureVersion;
}

/**
 * Node's cipher settings for ContainerSSH's cipher names. With a TLS 1.3 minimum at least one TLS 1.3 suite must be
 * listed, or no handshake could ever succeed.
 */
export function tlsCiphers(names: readonly string[], minVersion: SecureVersion): TlsCheck<TlsSuites> {
  if (names.length === 0) return { ok: false, problem: 'no cipher suites given' };
  const unknown = names.find((name) => CIPHERS[name.trim()] === undefined);
  if (unknown !== undefined) {
    return { ok: false, problem: `unsupported cipher suite "${unknown}" (supported: ${TLS_CIPHER_NAMES.join(', ')})`, found: unknown };
  }
  const openssl = [...new Set(names.map((name) => CIPHERS[name.trim()] ?? ''))];
  const tls13 = openssl.some((name) => TLS13_SUITES.includes(name));
  if (minVersion === 'TLSv1.3' && !tls13) {
    return {
      ok: false,
      problem: `tlsVersion 1.3 needs at least one TLS 1.3 suite (${TLS13_SUITES.join(', ')}) in cipher; none is listed, so no client could connect`,
    };
  }
  return { ok: true, value: { ciphers: openssl.join(':'), maxVersion: tls13 ? 'TLSv1.3' : 'TLSv1.2' } };
}

/** PEM text is used as is; anything else is read as a file path. Undefined for ''. Throws CsshError(`code`). */
export function readPem(value: string, option: string, code: string, kind: PemKind): string | undefined {
  if (value.trim() === '') return undefined;
  let text = value;
  if (!looksLikePem(value)) {
    try {
      text = readFileSync(value.trim(), 'utf8');
    } catch (error) {
      throw new CsshError(code, `${option}: cannot read "${value}" (expected PEM text or a readable file)`, {
        cause: error,
        permanent: true,
      });
    }
  }
  // A placeholder or the wrong kind fails here, at start-up, not at each connection.
  const problem = pemProblem(text, kind);
  if (problem !== undefined) {
    throw new CsshError(code, `${option} is not ${kind === 'certificate' ? 'a certificate' : 'a private key'}: ${problem}`, { permanent: true });
  }
  return text;
}
