// Certificate and key options (docker.connection, the auth webhooks, the config server): PEM text, or the file it
// names, must parse as the certificate or private key the option needs; a placeholder fails here, not at start-up.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { looksLikePem, pemProblem, type PemKind } from '../core/pem.js';
import { configError, configWarning, type ConfigIssue } from './issues.js';
import type { AppConfig } from './types.js';

interface TlsFields {
  cacert: string;
  cert: string;
  key: string;
}

const HINT = 'paste the real PEM text (-----BEGIN ...----- to -----END ...-----), or give the path of a PEM file';

/** Checks every PEM-bearing option the file sets, whether or not its method is in use. */
export function checkPemOptions(config: AppConfig, issues: ConfigIssue[]): void {
  const clients: Array<[string, TlsFields]> = [
    ['docker.connection', config.docker.connection],
    ['auth.password.webhook', config.auth.password.webhook],
    ['auth.publicKey.webhook', config.auth.publicKey.webhook],
    ['auth.authz.webhook', config.auth.authz.webhook],
    ['configserver', config.configserver],
    ['health.client', config.health.client],
  ];
  for (const [path, fields] of clients) {
    const found = [
      pemValueIssue(fields.cacert, `${path}.cacert`, 'certificate'),
      pemValueIssue(fields.cert, `${path}.cert`, 'certificate'),
      pemValueIssue(fields.key, `${path}.key`, 'private key'),
    ];
    for (const issue of found) if (issue !== undefined) issues.push(issue);
  }
}

/** The problem with one option's value (PEM text or a file path), or undefined when it is empty or usable. */
export function pemValueIssue(value: string, path: string, kind: PemKind): ConfigIssue | undefined {
  if (value.trim() === '') return undefined;
  const what = kind === 'certificate' ? 'a certificate' : 'a private key';
  if (looksLikePem(value)) {
    const problem = pemProblem(value, kind);
    return problem === undefined ? undefined : configError('CONFIG_PEM_INVALID', path, `not ${what}: ${problem}`, { hint: HINT });
  }
  if (!existsSync(value)) {
    return configWarning('CONFIG_FILE_NOT_FOUND', path, `"${value}" is neither PEM text nor an existing file here`, {
      hint: 'paste the PEM text, or make sure the file exists where cssh runs',
    });
  }
  let text: string;
  try {
    if (!statSync(value).isFile()) throw new Error('not a regular file');
    text = readFileSync(value, 'utf8');
  } catch (error) {
    return configError('CONFIG_PEM_INVALID', path, `the file "${value}" cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  const problem = pemProblem(text, kind);
  return problem === undefined ? undefined : configError('CONFIG_PEM_INVALID', path, `the file "${value}" does not hold ${what}: ${problem}`, { hint: HINT });
}
