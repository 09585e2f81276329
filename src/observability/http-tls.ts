// TLS for the metrics and health servers from ContainerSSH's server options; anything it cannot honour is an error.
import { createSecureContext, type TlsOptions } from 'node:tls';
import { CsshError, describeCause } from '../core/errors.js';
import { DEFAULT_TLS_CURVES, readPem, tlsCiphers, tlsCurves, tlsMinVersion, type TlsCheck } from '../core/tls-options.js';

/** ContainerSSH's HTTP server TLS options (metrics.* and health.*); every field optional, "" meaning unset. */
export interface HttpServerTlsConfig {
  cert?: string;
  key?: string;
  clientcacert?: string;
  tlsVersion?: string;
  curves?: string[];
  cipher?: string[];
}

function fail(section: string, message: string, cause?: unknown): CsshError {
  return new CsshError('HTTP_TLS_INVALID', `${section}.${message}`, {
    permanent: true,
    ...(cause === undefined ? {} : { cause }),
  });
}

function must<T>(check: TlsCheck<T>, section: string, option: string): T {
  if (check.ok) return check.value;
  throw fail(section, `${option}: ${check.problem}`);
}

/**
 * The Node TLS server options for `config`, or undefined when no TLS is configured (plain HTTP). With
 * `clientcacert`, every client must present a certificate signed by it. Throws CsshError(HTTP_TLS_INVALID) naming
 * `section` (metrics or health) when the settings cannot be honoured exactly: cert without key or the reverse,
 * clientcacert without a server certificate (client certificates need TLS), unreadable or unparsable PEM, a key that
 * does not match the certificate, an unknown curve or cipher, or a cipher list no client could use.
 */
export function serverTlsOptions(config: HttpServerTlsConfig, section: string): TlsOptions | undefined {
  const certText = config.cert ?? '';
  const keyText = config.key ?? '';
  const clientCaText = config.clientcacert ?? '';
  if (certText === '' && keyText === '' && clientCaText === '') return undefined;
  if (certText === '' || keyText === '') {
    throw fail(section, `${certText === '' ? 'cert' : 'key'}: TLS needs both cert and key; set the missing one (PEM text or a file path) or remove the other`);
  }
  const minVersion = must(tlsMinVersion(config.tlsVersion ?? ''), section, 'tlsVersion');
  const options: TlsOptions = {
    cert: readPem(certText, `${section}.cert`, 'HTTP_TLS_INVALID', 'certificate'),
    key: readPem(keyText, `${section}.key`, 'HTTP_TLS_INVALID', 'private key'),
    minVersion,
    ecdhCurve: must(tlsCurves(config.curves ?? DEFAULT_TLS_CURVES), section, 'curves'),
    honorCipherOrder: true,
  };
  if (config.cipher !== undefined) Object.assign(options, must(tlsCiphers(config.cipher, minVersion), section, 'cipher'));
  const clientCa = readPem(clientCaText, `${section}.clientcacert`, 'HTTP_TLS_INVALID', 'certificate');
  if (clientCa !== undefined) {
    if (!clientCa.includes('-----BEGIN CERTIFICATE-----')) {
      throw fail(section, 'clientcacert: no PEM certificate found; give the CA certificate that signs the client certificates');
    }
    Object.assign(options, { ca: clientCa, requestCert: true, rejectUnauthorized: true });
  }
  try {
    createSecureContext(options); // parses cert, key (and that they match), CA, curves and ciphers now, not at the first client
  } catch (error) {
    throw fail(section, `cert/key: cannot use the TLS material: ${describeCause(error)}; check that cert and key are PEM and belong together`, error);
  }
  return options;
}
