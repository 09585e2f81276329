// Registry credentials for a pull: docker.execution.auth first, else the user's Docker config.json entry for the registry.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RegistryAuth } from '../../../config/types.js';
import type { Logger } from '../../../core/logger.js';
import type { RegistryCredentials } from '../engine/docker-engine.js';
import { DEFAULT_REGISTRY } from './image-name.js';

/** What Docker's X-Registry-Auth header carries (Engine API AuthConfig). */
export type PullCredentials = RegistryCredentials;

/** Credentials plus where they came from, for messages ("docker.execution.auth", "/root/.docker/config.json"). */
export interface ResolvedCredentials {
  credentials: PullCredentials;
  source: string;
}

export interface CredentialLookupOptions {
  logger: Logger;
  /** Directory of config.json; default $DOCKER_CONFIG or ~/.docker. */
  dockerConfigDir?: string;
}

/** The config.json key Docker uses for Docker Hub. */
const HUB_KEY = 'https://index.docker.io/v1/';

/** The registry host of a config.json key: scheme and path dropped, Docker Hub aliases folded to docker.io. */
export function registryHostOfKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? '';
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DEFAULT_REGISTRY : host;
}

/** Splits base64("user:password"); undefined when it is not that shape. */
export function decodeBasicAuth(auth: string): { username: string; password: string } | undefined {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The server address the engine expects for a registry (Docker Hub uses its legacy index URL). */
export function serverAddressFor(registry: string): string {
  return registry === DEFAULT_REGISTRY ? HUB_KEY : registry;
}

/** Turns docker.execution.auth into engine credentials; `auth` (base64 user:pass) fills a missing username/password. */
export function credentialsFromConfig(auth: RegistryAuth, registry: string): PullCredentials {
  const decoded = auth.auth !== undefined && auth.auth !== '' ? decodeBasicAuth(auth.auth) : undefined;
  const out: PullCredentials = { serveraddress: nonEmpty(auth.serveraddress) ?? serverAddressFor(registry) };
  const username = nonEmpty(auth.username) ?? decoded?.username;
  const password = nonEmpty(auth.password) ?? decoded?.password;
  if (username !== undefined) out.username = username;
  if (password !== undefined) out.password = password;
  if (nonEmpty(auth.email) !== undefined) out.email = auth.email;
  if (nonEmpty(auth.identitytoken) !== undefined) out.identitytoken = auth.identitytoken;
  if (nonEmpty(auth.registrytoken) !== undefined) out.registrytoken = auth.registrytoken;
  return out;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** True when docker.execution.auth carries anything usable. */
function hasAnyCredential(auth: RegistryAuth | null): auth is RegistryAuth {
  if (auth === null) return false;
  return [auth.username, auth.password, auth.auth, auth.identitytoken, auth.registrytoken].some((v) => nonEmpty(v) !== undefined);
}

/**
 * Credentials for pulling from `registry`: docker.execution.auth when it has any, else the matching `auths` entry of
 * config.json (auth or username/password or identitytoken). Credential helpers are not run (debug log).
 * Resolves undefined for an anonymous pull. Never throws: an unreadable config.json is logged at debug.
 */
export async function resolveCredentials(
  registry: string,
  configAuth: RegistryAuth | null,
  options: CredentialLookupOptions,
): Promise<ResolvedCredentials | undefined> {
  if (hasAnyCredential(configAuth)) {
    return { credentials: credentialsFromConfig(configAuth, registry), source: 'docker.execution.auth' };
  }
  const dir = options.dockerConfigDir ?? process.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  const file = join(dir, 'config.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'ENOENT') options.logger.debug('DOCKER_IMAGE_PULL', `ignoring unreadable Docker config ${file}`, { error: String(error) });
    return undefined;
  }
  const found = fromDockerConfig(parsed, registry, options.logger);
  return found === undefined ? undefined : { credentials: found, source: file };
}

/** Looks `registry` up in a parsed config.json. */
export function fromDockerConfig(parsed: unknown, registry: string, logger: Logger): PullCredentials | undefined {
  const root = isRecord(parsed) ? parsed : {};
  const auths = isRecord(root.auths) ? root.auths : {};
  for (const [key, value] of Object.entries(auths)) {
    if (registryHostOfKey(key) !== registry || !isRecord(value)) continue;
    const entry = credentialsFromConfig(stringFields(value), registry);
    if (entry.username !== undefined || entry.identitytoken !== undefined || entry.registrytoken !== undefined) {
      return { ...entry, serveraddress: serverAddressFor(registry) };
    }
  }
  const helpers = isRecord(root.credHelpers) ? root.credHelpers : {};
  const helper = Object.entries(helpers).find(([key]) => registryHostOfKey(key) === registry)?.[1] ?? root.credsStore;
  if (typeof helper === 'string' && helper !== '') {
    logger.debug('DOCKER_IMAGE_PULL', `not running the Docker credential helper "${helper}" for ${registry}; pulling without its credentials`, {
      registry,
    });
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringFields(value: Record<string, unknown>): RegistryAuth {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
