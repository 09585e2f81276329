// TLS client options for webhook calls: PEM text or file paths for cacert/cert/key, and the minimum TLS version.
import { readFileSync } from 'node:fs';
import type { SecureVersion } from 'node:tls';
import { CsshError } from '../core/errors.js';
import type { HttpClientConfig } from '../config/types.js';

export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  minVersion: SecureVersion;
}

/** Reads PEM text as is, anything else as a file path. Throws CsshError(AUTH_CONFIG_ERROR) when it cannot. */
function pem(value: string, option: string): string | undefined {
  if (value.trim() === '') return undefined;
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw new CsshError('AUTH_CONFIG_ERROR', `${option}: cannot read "${value}" (expected PEM text or a readable file)`, {
      cause: error,
      permanent: true,
    });
  }
}

function minVersion(value: string, option: string): SecureVersion {
  const text = value.trim().replace(/^tls\s*v?/i, '');
  if (text === '' || text === '1.3') return 'TLSv1.3';
  if (text === '1.2') return 'TLSv1.2';
  throw new CsshError('AUTH_CONFIG_ERROR', `${option}: expected "1.2" or "1.3", got "${value}"`, { permanent: true });
}

/** Resolves the TLS options of one client config once; `path` names the config block in errors (auth.password.webhook). */
export function loadTlsOptions(client: HttpClientConfig, path: string): TlsOptions {
  const options: TlsOptions = { minVersion: minVersion(client.tlsVersion, `${path}.tlsVersion`) };
  const ca = pem(client.cacert, `${path}.cacert`);
  const cert = pem(client.cert, `${path}.cert`);
  const key = pem(client.key, `${path}.key`);
  if ((cert === undefined) !== (key === undefined)) {
    throw new CsshError('AUTH_CONFIG_ERROR', `${path}: cert and key must be set together for client certificates`, {
      permanent: true,
    });
  }
  if (ca !== undefined) options.ca = ca;
  if (cert !== undefined) options.cert = cert;
  if (key !== undefined) options.key = key;
  return options;
}
