// TLS client options for webhook calls: PEM text or file paths for cacert/cert/key, minimum version, curves, ciphers.
import type { SecureVersion } from 'node:tls';
import { CsshError } from '../core/errors.js';
import { readPem, tlsCiphers, tlsCurves, tlsMinVersion, type TlsCheck } from '../core/tls-options.js';
import type { HttpClientConfig } from '../config/types.js';

export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  minVersion: SecureVersion;
  /** OpenSSL group list from `curves`. */
  ecdhCurve: string;
  /** Node cipher string from `cipher` (TLS 1.3 and 1.2 suites). */
  ciphers: string;
  /** TLSv1.2 when `cipher` lists no TLS 1.3 suite. */
  maxVersion?: SecureVersion;
}

function must<T>(check: TlsCheck<T>, option: string): T {
  if (check.ok) return check.value;
  throw new CsshError('AUTH_CONFIG_ERROR', `${option}: ${check.problem}`, { permanent: true });
}

/** Resolves the TLS options of one client config once; `path` names the config block in errors (auth.password.webhook). */
export function loadTlsOptions(client: HttpClientConfig, path: string): TlsOptions {
  const minVersion = must(tlsMinVersion(client.tlsVersion), `${path}.tlsVersion`);
  const suites = must(tlsCiphers(client.cipher, minVersion), `${path}.cipher`);
  const options: TlsOptions = {
    minVersion,
    maxVersion: suites.maxVersion,
    ecdhCurve: must(tlsCurves(client.curves), `${path}.curves`),
    ciphers: suites.ciphers,
  };
  if ((client.cert.trim() === '') !== (client.key.trim() === '')) {
    throw new CsshError('AUTH_CONFIG_ERROR', `${path}: cert and key must be set together for client certificates`, {
      permanent: true,
    });
  }
  const ca = readPem(client.cacert, `${path}.cacert`, 'AUTH_CONFIG_ERROR', 'certificate');
  const cert = readPem(client.cert, `${path}.cert`, 'AUTH_CONFIG_ERROR', 'certificate');
  const key = readPem(client.key, `${path}.key`, 'AUTH_CONFIG_ERROR', 'private key');
  if (ca !== undefined) options.ca = ca;
  if (cert !== undefined) options.cert = cert;
  if (key !== undefined) options.key = key;
  return options;
}
