// Resolves which Docker engine to talk to: docker.connection.host, else DOCKER_HOST & co., else the usual sockets.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { DockerConnectionConfig } from '../../../config/types.js';
import { CsshError } from '../../../core/errors.js';
import { looksLikePem, pemProblem, type PemKind } from '../../../core/pem.js';

/** PEM material for a TLS connection to the engine. */
export interface DockerTls {
  ca: string;
  cert: string;
  key: string;
  /** False only for DOCKER_CERT_PATH without DOCKER_TLS_VERIFY (the Docker CLI's convention). */
  verify: boolean;
  /** Where each came from, for messages: option names (docker.connection.cert) or file paths. */
  origin?: { ca: string; cert: string; key: string };
}

/**
 * Where the engine is. Exactly one of `socketPath` (unix socket) or `hostname`+`port` (TCP) is set.
 * `url` is the human-readable form used in messages (unix:///var/run/docker.sock, https://host:2376).
 */
export interface DockerEndpoint {
  url: string;
  source: 'config' | 'DOCKER_HOST' | 'rootless' | 'default';
  socketPath?: string;
  hostname?: string;
  port?: number;
  protocol?: 'http' | 'https';
  tls?: DockerTls;
}

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** What the resolver may look at; injectable so tests need neither env changes nor real files. */
export interface EndpointEnvironment {
  env: Record<string, string | undefined>;
  exists: (path: string) => boolean;
  readFile: (path: string) => string;
  home: string;
}

export const realEnvironment = (): EndpointEnvironment => ({
  env: process.env,
  exists: existsSync,
  readFile: (path) => readFileSync(path, 'utf8'),
  home: homedir(),
});

function configError(message: string, cause?: unknown): CsshError {
  return new CsshError('DOCKER_CONFIG_ERROR', message, {
    permanent: true,
    userMessage: 'Failed to initialize SSH session.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Resolves the endpoint; throws CsshError(DOCKER_CONFIG_ERROR) for an unusable host, a partial TLS set or bad PEM. */
export function resolveDockerEndpoint(conn: DockerConnectionConfig, environment: EndpointEnvironment = realEnvironment()): DockerEndpoint {
  const host = conn.host.trim();
  if (host !== '') return fromConfig(host, conn, environment);
  const envHost = environment.env.DOCKER_HOST?.trim() ?? '';
  if (envHost !== '') return fromEnv(envHost, environment);
  const runtimeDir = environment.env.XDG_RUNTIME_DIR?.trim() ?? '';
  if (runtimeDir !== '') {
    const rootless = join(runtimeDir, 'docker.sock');
    if (environment.exists(rootless)) return { url: `unix://${rootless}`, source: 'rootless', socketPath: rootless };
  }
  return { url: `unix://${DEFAULT_SOCKET}`, source: 'default', socketPath: DEFAULT_SOCKET };
}

function fromConfig(host: string, conn: DockerConnectionConfig, environment: EndpointEnvironment): DockerEndpoint {
  const parts = [conn.cacert, conn.cert, conn.key].map((v) => v.trim());
  const given = parts.filter((v) => v !== '').length;
  if (given !== 0 && given !== 3) {
    throw configError(
      'docker.connection: cacert, cert and key must be given together (PEM text or file paths) to use TLS; ' +
        `only ${given} of 3 ${given === 1 ? 'is' : 'are'} set. Set all three, or none for a plain connection.`,
    );
  }
  const tls =
    given === 3
      ? {
          ca: pem('docker.connection.cacert', conn.cacert, environment),
          cert: pem('docker.connection.cert', conn.cert, environment),
          key: pem('docker.connection.key', conn.key, environment),
          verify: true,
          origin: { ca: 'docker.connection.cacert', cert: 'docker.connection.cert', key: 'docker.connection.key' },
        }
      : undefined;
  return parseHost(host, 'config', 'docker.connection.host', tls);
}

function fromEnv(host: string, environment: EndpointEnvironment): DockerEndpoint {
  const verify = (environment.env.DOCKER_TLS_VERIFY ?? '') !== '';
  const certPath = environment.env.DOCKER_CERT_PATH?.trim() ?? '';
  let tls: DockerTls | undefined;
  if (verify || certPath !== '') {
    const dir = certPath !== '' ? certPath : join(environment.home, '.docker');
    tls = {
      ca: readPemFile('DOCKER_CERT_PATH', join(dir, 'ca.pem'), environment),
      cert: readPemFile('DOCKER_CERT_PATH', join(dir, 'cert.pem'), environment),
      key: readPemFile('DOCKER_CERT_PATH', join(dir, 'key.pem'), environment),
      verify,
      origin: { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') },
    };
  }
  return parseHost(host, 'DOCKER_HOST', 'DOCKER_HOST', tls);
}

/**
 * Throws CsshError(DOCKER_CONFIG_ERROR) unless the endpoint's cacert, cert and key each parse as what they are and
 * cert and key belong together: otherwise every TLS handshake would fail and look like an unreachable engine.
 */
export function checkEndpointTls(endpoint: DockerEndpoint): void {
  const tls = endpoint.tls;
  if (tls === undefined) return;
  const origin = tls.origin ?? { ca: 'cacert', cert: 'cert', key: 'key' };
  const checks: Array<[string, string, PemKind]> = [[origin.ca, tls.ca, 'certificate'], [origin.cert, tls.cert, 'certificate'], [origin.key, tls.key, 'private key']];
  for (const [name, text, kind] of checks) {
    const problem = pemProblem(text, kind);
    if (problem !== undefined) {
      throw configError(`${name} is not ${kind === 'certificate' ? 'a certificate' : 'a private key'}: ${problem}; ` +
        'give the real PEM text or the path of a PEM file');
    }
  }
  try {
    createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw configError(`${origin.cert} and ${origin.key} cannot be used together (${detail}); ` +
      'the key must be the private key of the client certificate', error);
  }
}

/** PEM text is used as is; anything else is a file path. */
function pem(option: string, value: string, environment: EndpointEnvironment): string {
  const text = value.trim();
  return looksLikePem(text) ? text : readPemFile(option, text, environment);
}

function readPemFile(option: string, path: string, environment: EndpointEnvironment): string {
  try {
    return environment.readFile(path);
  } catch (error) {
    throw configError(`${option}: cannot read the PEM file ${path}; give PEM text or a readable file path`, error);
  }
}

function parseHost(host: string, source: 'config' | 'DOCKER_HOST', option: string, tls: DockerTls | undefined): DockerEndpoint {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(host);
  if (match === null) {
    throw configError(
      `${option}: "${host}" has no scheme; write unix:///path/to/docker.sock, tcp://host:2375 or https://host:2376`,
    );
  }
  const scheme = (match[1] ?? '').toLowerCase();
  const rest = match[2] ?? '';
  if (scheme === 'unix') {
    const socketPath = rest === '' ? DEFAULT_SOCKET : rest;
    return { url: `unix://${socketPath}`, source, socketPath };
  }
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https') {
    return tcpEndpoint(scheme, rest, source, option, tls);
  }
  throw configError(
    `${option}: the scheme "${scheme}://" is not supported; use unix://, tcp://, http:// or https:// ` +
      '(for ssh://, forward the engine socket and point cssh at it)',
  );
}

function tcpEndpoint(
  scheme: string,
  rest: string,
  source: 'config' | 'DOCKER_HOST',
  option: string,
  tls: DockerTls | undefined,
): DockerEndpoint {
  let url: URL;
  try {
    url = new URL(`http://${rest}`);
  } catch (error) {
    throw configError(`${option}: "${scheme}://${rest}" is not a valid address; write tcp://host:port`, error);
  }
  const secure = scheme === 'https' || (scheme === 'tcp' && tls !== undefined);
  if (scheme === 'http' && tls !== undefined) {
    throw configError(`${option}: http:// is plain text but TLS certificates are set; use https:// or tcp://`);
  }
  const protocol = secure ? 'https' : 'http';
  const port = url.port !== '' ? Number(url.port) : secure ? 2376 : 2375;
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const shown = hostname.includes(':') ? `[${hostname}]` : hostname;
  return { url: `${scheme}://${shown}:${port}`, source, hostname, port, protocol, ...(tls === undefined ? {} : { tls }) };
}
