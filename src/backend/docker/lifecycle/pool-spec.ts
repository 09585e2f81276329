// The warm pool's spec: the create body a connection's container gets, less the labels naming the connection, hashed.
import { createHash } from 'node:crypto';
import type { AppConfig } from '../../../config/types.js';
import type { ConnectionInfo } from '../../../core/contracts.js';
import type { ContainerCreateSpec } from '../engine/docker-engine.js';
import { connectionBody, LABEL_CREATE, LABEL_CONNECTION, LABEL_INSTANCE, LABEL_POOL, withoutConnectionLabels } from './container-spec.js';

/** A connection that names nobody: what the pool builds its spec from (no auth metadata, no environment). */
export const NEUTRAL_INFO: ConnectionInfo = {
  connectionId: '', remoteAddress: '', clientVersion: '', username: '', metadata: {}, environment: {}, files: {},
};

/** JSON with object keys sorted at every level, so equal specs give equal text whatever order the config had. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The spec key of a connection-mode container: a hash of everything that shapes its create and start (the whole
 * create body: image, env, cmd, user, mounts, resources, network, platform, config labels, ...; the engine it is
 * created on; the guest agent settings the start-up probes depend on), leaving out only the labels that name a
 * connection and the pool's own labels. Two connections with equal keys get identical containers.
 */
export function specKey(config: AppConfig, body: ContainerCreateSpec): string {
  const labels = withoutConnectionLabels(body.Labels ?? {});
  delete labels[LABEL_POOL];
  delete labels[LABEL_CREATE];
  const execution = config.docker.execution;
  const text = stableJson({
    engine: config.docker.connection,
    body: { ...body, Labels: labels },
    agent: { path: execution.agentPath, disabled: execution.disableAgent },
  });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The create body of a pool container for `key`: the neutral connection's body with the pool's labels instead. */
export function poolBody(config: AppConfig, instanceId: string, slotId: string, key: string): ContainerCreateSpec {
  return connectionBody(config, NEUTRAL_INFO, instanceId, { [LABEL_CONNECTION]: slotId, [LABEL_INSTANCE]: instanceId, [LABEL_POOL]: key });
}
