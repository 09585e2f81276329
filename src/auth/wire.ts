// ContainerSSH webhook JSON: request bodies (exact field names, empty maps omitted) and strict response decoding.
import type { ConnectionInfo, MetadataValue } from '../core/contracts.js';

export type MetadataMap = Record<string, MetadataValue>;

/** The fields every auth and config request carries. */
export interface CommonRequest {
  username: string;
  remoteAddress: string;
  connectionId: string;
  clientVersion: string;
}

/** The decoded body of an auth webhook answer. */
export interface AuthResponse {
  success: boolean;
  authenticatedUsername?: string;
  metadata?: MetadataMap;
  environment?: MetadataMap;
  files?: MetadataMap;
}

/** The decoded body of a config-server answer; `config` is the partial AppConfig, `{}` when absent or null. */
export interface ConfigResponse {
  config: unknown;
  metadata?: MetadataMap;
  environment?: MetadataMap;
  files?: MetadataMap;
}

/** Entries flagged sensitive are dropped unless `transmitSensitive`. */
export function filterSensitive(map: MetadataMap, transmitSensitive: boolean): MetadataMap {
  if (transmitSensitive) return map;
  return Object.fromEntries(Object.entries(map).filter(([, entry]) => !entry.sensitive));
}

/**
 * The body sent to authz and the config server: the connection's identity plus its metadata maps, each map
 * omitted when (after filtering) empty, and `authenticatedUsername` omitted when `authenticatedUsername` is empty.
 */
export function connectionBody(info: ConnectionInfo, authenticatedUsername: string, transmitSensitive: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { username: info.username };
  if (authenticatedUsername !== '') body.authenticatedUsername = authenticatedUsername;
  body.remoteAddress = info.remoteAddress;
  body.connectionId = info.connectionId;
  body.clientVersion = info.clientVersion;
  for (const key of ['metadata', 'environment', 'files'] as const) {
    const map = filterSensitive(info[key], transmitSensitive);
    if (Object.keys(map).length > 0) body[key] = map;
  }
  return body;
}

class DecodeError extends Error {}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new DecodeError(`unknown field "${key}" in ${where}`);
  }
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DecodeError(`${where}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

function decodeMap(value: unknown, where: string): MetadataMap | undefined {
  if (value === undefined || value === null) return undefined;
  const out: MetadataMap = {};
  for (const [name, raw] of Object.entries(asObject(value, where))) {
    const entry = asObject(raw, `${where}.${name}`);
    checkKeys(entry, ['value', 'sensitive'], `${where}.${name}`);
    if (entry.value !== undefined && typeof entry.value !== 'string') throw new DecodeError(`${where}.${name}.value: expected a string`);
    if (entry.sensitive !== undefined && typeof entry.sensitive !== 'boolean') {
      throw new DecodeError(`${where}.${name}.sensitive: expected true or false`);
    }
    out[name] = { value: entry.value ?? '', sensitive: entry.sensitive ?? false };
  }
  return out;
}

function parse(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`response is not JSON: ${(error as Error).message}`);
  }
  return asObject(value, 'response');
}

function addMaps(target: { metadata?: MetadataMap; environment?: MetadataMap; files?: MetadataMap }, raw: Record<string, unknown>): void {
  for (const key of ['metadata', 'environment', 'files'] as const) {
    const map = decodeMap(raw[key], key);
    if (map !== undefined) target[key] = map;
  }
}

/** Strictly decodes an auth answer. Throws (with a short reason) on bad JSON, wrong types or unknown fields. */
export function decodeAuthResponse(text: string): AuthResponse {
  const raw = parse(text);
  checkKeys(raw, ['success', 'authenticatedUsername', 'metadata', 'environment', 'files'], 'response');
  if (raw.success !== undefined && typeof raw.success !== 'boolean') throw new DecodeError('success: expected true or false');
  if (raw.authenticatedUsername !== undefined && typeof raw.authenticatedUsername !== 'string') {
    throw new DecodeError('authenticatedUsername: expected a string');
  }
  const out: AuthResponse = { success: raw.success === true };
  if (typeof raw.authenticatedUsername === 'string' && raw.authenticatedUsername !== '') {
    out.authenticatedUsername = raw.authenticatedUsername;
  }
  addMaps(out, raw);
  return out;
}

/** Strictly decodes a config-server answer at its top level; `config` itself is validated by the config module. */
export function decodeConfigResponse(text: string): ConfigResponse {
  const raw = parse(text);
  checkKeys(raw, ['config', 'metadata', 'environment', 'files'], 'response');
  const config = raw.config === undefined || raw.config === null ? {} : asObject(raw.config, 'config');
  const out: ConfigResponse = { config };
  addMaps(out, raw);
  return out;
}
