// Rules for ContainerSSH's HTTP TLS options: the metrics and health servers (cert, key, clientcacert) and the TLS
// choices (tlsVersion, curves, cipher) that servers and webhook clients share. cssh honours every one or refuses.
import { tlsCiphers, tlsCurves, tlsMinVersion } from '../core/tls-options.js';
import { serverTlsOptions } from '../observability/http-tls.js';
import { configError, type ConfigIssue } from './issues.js';
import { listenIssue } from './rules-common.js';
import { pemValueIssue } from './rules-pem.js';
import type { AppConfig } from './types.js';

/** tlsVersion, curves and cipher of a server or client block at `path`. */
export function checkTlsChoice(block: { tlsVersion: string; curves: string[]; cipher: string[] }, path: string, issues: ConfigIssue[]): void {
  const version = tlsMinVersion(block.tlsVersion);
  if (!version.ok) {
    issues.push(configError('CONFIG_INVALID_VALUE', `${path}.tlsVersion`, `invalid TLS version: "${block.tlsVersion}"`, {
      expected: '1.2|1.3',
      found: JSON.stringify(block.tlsVersion),
    }));
  }
  const curves = tlsCurves(block.curves);
  if (!curves.ok) {
    issues.push(configError('CONFIG_INVALID_VALUE', `${path}.curves`, curves.problem, {
      hint: 'for example [x25519, secp256r1], or remove the option for the default list',
    }));
  }
  const ciphers = tlsCiphers(block.cipher, version.ok ? version.value : 'TLSv1.3');
  if (!ciphers.ok) {
    issues.push(configError('CONFIG_INVALID_VALUE', `${path}.cipher`, ciphers.problem, {
      hint: 'for example [TLS_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256], or remove the option for the default list',
    }));
  }
}

/**
 * The metrics or health server block: listen address, and TLS that can be honoured exactly. ContainerSSH serves
 * plain HTTP when clientcacert is set without a certificate; cssh refuses that, since the operator asked for
 * client certificates and would get none.
 */
export function checkHttpServer(block: AppConfig['metrics'] | AppConfig['health'], path: 'metrics' | 'health', issues: ConfigIssue[]): void {
  const before = issues.length;
  const listen = listenIssue(block.listen, `${path}.listen`);
  if (listen !== undefined) issues.push(listen);
  if ((block.cert === '') !== (block.key === '')) {
    issues.push(configError('CONFIG_TLS_PARTIAL', `${path}.${block.cert === '' ? 'cert' : 'key'}`, 'TLS needs both cert and key', {
      hint: 'set the missing one (PEM text or a file path), or remove the other to serve plain HTTP',
    }));
  } else if (block.cert === '' && block.clientcacert !== '') {
    issues.push(configError('CONFIG_TLS_PARTIAL', `${path}.clientcacert`, 'client certificates can only be checked over TLS, but no cert and key are set', {
      hint: 'set cert and key as well, or remove clientcacert',
    }));
  }
  for (const name of ['cert', 'key', 'clientcacert'] as const) {
    const issue = pemValueIssue(block[name], `${path}.${name}`, name === 'key' ? 'private key' : 'certificate');
    if (issue !== undefined) issues.push(issue);
  }
  checkTlsChoice(block, path, issues);
  if (issues.length === before) serverTlsIssue(block, path, issues);
}

/** What only building the TLS context finds (a key that does not match its certificate), as serve builds it. */
function serverTlsIssue(block: AppConfig['metrics'] | AppConfig['health'], path: 'metrics' | 'health', issues: ConfigIssue[]): void {
  try {
    serverTlsOptions(block, path);
  } catch (error) {
    issues.push(configError('CONFIG_PEM_INVALID', `${path}.key`, error instanceof Error ? error.message : String(error), {
      hint: 'give the private key that belongs to the certificate (openssl x509 -noout -pubkey and openssl pkey -pubout must print the same key)',
    }));
  }
}
