// Opens a DockerEngine for the resolved endpoint, fails fast when the engine is unreachable, negotiates the API version.
import type { DockerConnectionConfig, DockerTimeoutsConfig } from '../../../config/types.js';
import { CsshError, describeCause } from '../../../core/errors.js';
import { deadline, retry } from '../../../core/retry.js';
import { checkEndpointTls, resolveDockerEndpoint, type DockerEndpoint, type EndpointEnvironment } from './docker-endpoint.js';
import type { DockerEngine, EngineVersion } from './docker-engine.js';
import { dockerodeEngine } from './dockerode-engine.js';

/** The newest Engine API version cssh's Docker calls are written against; newer engines are spoken to in this version. */
export const CLIENT_MAX_API_VERSION = '1.47';
/** The oldest Engine API version cssh accepts (Docker 1.12). */
export const CLIENT_MIN_API_VERSION = '1.24';
/** Upper bound for the reachability probe, whatever timeouts.http says. */
const PING_CAP_MS = 10_000;

/**
 * Resolves the endpoint (docker.connection.host, DOCKER_HOST & co., rootless socket, /var/run/docker.sock),
 * asks the engine for its version within a short bound, and returns an engine pinned to the negotiated version
 * (its `endpoint` is a URL for messages; it holds no open connection of its own, nothing to close).
 * Rejects with CsshError DOCKER_UNAVAILABLE (permanent when the socket is missing, refuses or is not permitted)
 * or DOCKER_CONFIG_ERROR (bad host, partial TLS set, or a cacert/cert/key that is no certificate or key). Never waits longer than min(timeouts.http, 10 s) or `signal`.
 */
export async function openDockerEngine(
  conn: DockerConnectionConfig,
  timeouts: DockerTimeoutsConfig,
  signal: AbortSignal,
  environment?: EndpointEnvironment,
): Promise<DockerEngine> {
  const endpoint = resolveDockerEndpoint(conn, environment);
  checkEndpointTls(endpoint);
  const probe = await dockerodeEngine(endpoint);
  const budgetMs = Math.min(timeouts.http > 0 ? timeouts.http : PING_CAP_MS, PING_CAP_MS);
  const info = await probeVersion(probe, endpoint, budgetMs, signal);
  const apiVersion = negotiateApiVersion(info.apiVersion, info.minApiVersion);
  return dockerodeEngine(endpoint, apiVersion);
}

/** An engine for the endpoint of `conn`, not pinned to an API version and not probed (list and remove work on any version). */
export async function unprobedEngine(conn: DockerConnectionConfig): Promise<DockerEngine> {
  return dockerodeEngine(resolveDockerEndpoint(conn));
}

/** A version answer that names the Engine API version. */
interface NegotiableVersion {
  apiVersion: string;
  minApiVersion: string | undefined;
}

async function probeVersion(probe: DockerEngine, endpoint: DockerEndpoint, budgetMs: number, signal: AbortSignal): Promise<NegotiableVersion> {
  const budget = deadline(budgetMs, signal);
  try {
    const version = await retry((attemptSignal) => probe.version(attemptSignal), {
      signal: budget,
      intervalMs: 500,
      isPermanent: (error) => unreachableReason(error) !== undefined || isClientError(httpStatus(error)),
    });
    return checkVersion(version, endpoint);
  } catch (error) {
    if (error instanceof CsshError) throw error;
    if (signal.aborted && !budget.aborted) throw error;
    throw dockerUnavailable(endpoint.url, error, budget.aborted && !signal.aborted ? budgetMs : undefined);
  }
}

function checkVersion(version: EngineVersion, endpoint: DockerEndpoint): NegotiableVersion {
  if (version.apiVersion === undefined) {
    throw new CsshError(
      'DOCKER_UNAVAILABLE',
      `${endpoint.url} answered GET /version without an Engine API version: it does not look like a Docker engine; ` +
        'check docker.connection.host or DOCKER_HOST',
      { permanent: true, userMessage: 'Failed to initialize SSH session.' },
    );
  }
  return { apiVersion: version.apiVersion, minApiVersion: version.minApiVersion };
}

/**
 * min(server, CLIENT_MAX_API_VERSION), raised to the server's minimum when the engine no longer accepts that.
 * Throws DOCKER_UNAVAILABLE for engines older than CLIENT_MIN_API_VERSION.
 */
export function negotiateApiVersion(server: string, serverMin?: string): string {
  if (compareApiVersions(server, CLIENT_MIN_API_VERSION) < 0) {
    throw new CsshError(
      'DOCKER_UNAVAILABLE',
      `the Docker engine speaks Engine API ${server}, older than the ${CLIENT_MIN_API_VERSION} cssh needs; upgrade the engine`,
      { permanent: true, userMessage: 'Failed to initialize SSH session.' },
    );
  }
  let chosen = compareApiVersions(server, CLIENT_MAX_API_VERSION) < 0 ? server : CLIENT_MAX_API_VERSION;
  if (serverMin !== undefined && compareApiVersions(chosen, serverMin) < 0) chosen = serverMin;
  return chosen;
}

/** Compares "1.41"-style versions numerically. */
export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor !== bMajor ? aMajor - bMajor : aMinor - bMinor;
}

const UNREACHABLE: Record<string, string> = {
  ENOENT: 'the socket does not exist',
  ECONNREFUSED: 'the connection was refused (is the engine running?)',
  EACCES: 'permission denied on the socket',
  EPERM: 'permission denied on the socket',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ENOTSOCK: 'the path is not a socket',
  ECONNRESET: 'the connection was reset (a TLS or protocol mismatch?)',
  EPROTO: 'the TLS handshake failed',
};

/** Why a connection-level error means the engine cannot be reached at all, or undefined for other errors. */
export function unreachableReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code in UNREACHABLE) return UNREACHABLE[code];
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.includes('SIGNATURE')) return `TLS verification failed (${code})`;
  if (code.startsWith('ERR_OSSL')) return `the TLS certificate or key cannot be used (${code}); check docker.connection cacert, cert and key`;
  return undefined;
}

function isClientError(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500;
}

function httpStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The one DOCKER_UNAVAILABLE error: names the endpoint, the reason, and what to do. */
export function dockerUnavailable(endpoint: string, error: unknown, timedOutAfterMs?: number): CsshError {
  const status = httpStatus(error);
  const reason =
    unreachableReason(error) ??
    (status !== undefined ? `it answered HTTP ${status} to GET /version, so it is not a Docker engine (wrong address or port?)` : undefined) ??
    (timedOutAfterMs !== undefined ? `no answer within ${timedOutAfterMs} ms` : describeCause(error));
  const code = (error as { code?: unknown } | null)?.code;
  const fix =
    code === 'EACCES' || code === 'EPERM'
      ? 'run cssh as a user allowed to use the socket (e.g. in the docker group) or fix the socket permissions'
      : 'start the Docker engine (or the Podman socket service), or point cssh at a running one with ' +
        'docker.connection.host or DOCKER_HOST';
  return new CsshError('DOCKER_UNAVAILABLE', `cannot reach the Docker engine at ${endpoint}: ${reason}; ${fix}`, {
    permanent: unreachableReason(error) !== undefined || status !== undefined,
    userMessage: 'Failed to initialize SSH session.',
    // Whatever answered may have sent a whole web page: the status says enough.
    cause: status !== undefined ? new Error(`HTTP ${status}`) : error,
    labels: { endpoint },
  });
}
