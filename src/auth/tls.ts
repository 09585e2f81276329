// TLS client options for webhook calls: PEM text or file paths for cacert/cert/key, and the minimum TLS version.
import { readFileSync } from 'node:fs';
import type { SecureVersion } from 'node:tls';
import { CsshError } from '../core/errors.js';
import { looksLikePem, pemProblem, type PemKind } from '../core/pem.js';
import type { HttpClientConfig } from '../config/types.js';

export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  minVersion: SecureVersion;
}

/**
 * Reads PEM text as is, anything else as a file path, and checks it holds a `kind`. Throws CsshError
 * (AUTH_CONFIG_ERROR) when it cannot be read or parsed, so a placeholder fails at start-up, not at each login.
 */
function pem(value: string, option: string, kind: PemKind): string | undefined {
  if (value.trim() === '') return undefined;
  let text = value;
  if (!looksLikePem(value)) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      throw new CsshError('AUTH_CONFIG_ERROR', `${option}: cannot read "${value}" (expected PEM text or a readable file)`, {
        cause: error,
        permanent: true,
      });
    }
  }
  const problem = pemProblem(text, kind);
  if (problem !== undefined) {
    throw new CsshError('AUTH_CONFIG_ERROR', `${option} is not ${kind === 'certificate' ? 'a certificate' : 'a private key'}: ${problem}`, { permanent: true });
  }
  return text;
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
  if ((client.cert.trim() === '') !== (client.key.trim() === '')) {
    throw new CsshError('AUTH_CONFIG_ERROR', `${path}: cert and key must be set together for client certificates`, {
      permanent: true,
    });
  }
  const ca = pem(client.cacert, `${path}.cacert`, 'certificate');
  const cert = pem(client.cert, `${path}.cert`, 'certificate');
  const key = pem(client.key, `${path}.key`, 'private key');
  if (ca !== undefined) options.ca = ca;
  if (cert !== undefined) options.cert = cert;
  if (key !== undefined) options.key = key;
  return options;
}
