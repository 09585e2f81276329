// Builds the ContainerCreate body ContainerSSH sends: config pass-through, cssh and ContainerSSH labels, env, mode flags.
import type { AppConfig, DockerExecutionConfig } from '../../../config/types.js';
import type { ConnectionInfo } from '../../../core/contracts.js';
import type { ContainerCreateSpec, TtySize } from '../engine/docker-engine.js';

/** Label keys every cssh container carries. */
export const LABEL_CONNECTION = 'cssh.connection';
export const LABEL_INSTANCE = 'cssh.instance';
export const LABEL_USER = 'cssh.user';
/** A token unique to one create request, so a container whose create timed out can still be found and removed. */
export const LABEL_CREATE = 'cssh.create';
/** Warm pool containers (warm-pool.ts): the hash of the spec they were created for. */
export const LABEL_POOL = 'cssh.pool';
/** The labels that name one connection (set by containerLabels); a pooled container is created without them. */
export const CONNECTION_LABELS = ['containerssh_connection_id', 'containerssh_ip', 'containerssh_username', LABEL_CONNECTION, LABEL_USER] as const;

/** "1.2.3.4:22" → "1.2.3.4"; "[::1]:22" → "::1". */
export function clientIp(remoteAddress: string): string {
  const bracket = /^\[(.*)\]:\d+$/.exec(remoteAddress);
  if (bracket?.[1] !== undefined) return bracket[1];
  const idx = remoteAddress.lastIndexOf(':');
  return idx > 0 && remoteAddress.indexOf(':') === idx ? remoteAddress.slice(0, idx) : remoteAddress;
}

/** The config's Labels block as strings. */
function configLabels(fromConfig: unknown): Record<string, string> {
  const labels: Record<string, string> = {};
  if (fromConfig !== null && typeof fromConfig === 'object') {
    for (const [k, v] of Object.entries(fromConfig as Record<string, unknown>)) labels[k] = String(v);
  }
  return labels;
}

/** `labels` without the ones that name a connection (CONNECTION_LABELS). */
export function withoutConnectionLabels(labels: Record<string, string>): Record<string, string> {
  const rest = { ...labels };
  for (const key of CONNECTION_LABELS) delete rest[key];
  return rest;
}

/** Config labels, then ContainerSSH's and cssh's own labels (which win on clashes). */
export function containerLabels(info: ConnectionInfo, instanceId: string, fromConfig: unknown): Record<string, string> {
  const labels = configLabels(fromConfig);
  labels.containerssh_connection_id = info.connectionId;
  labels.containerssh_ip = clientIp(info.remoteAddress);
  labels.containerssh_username = info.username;
  labels[LABEL_CONNECTION] = info.connectionId;
  labels[LABEL_INSTANCE] = instanceId;
  labels[LABEL_USER] = info.username;
  return labels;
}

/** Connection-level env (§3.2): metadata when exposeAuthMetadataAsEnv, then `environment` (which wins). */
export function connectionEnv(info: ConnectionInfo, execution: DockerExecutionConfig): string[] {
  const env = new Map<string, string>();
  if (execution.exposeAuthMetadataAsEnv) for (const [k, v] of Object.entries(info.metadata)) env.set(k, v.value);
  for (const [k, v] of Object.entries(info.environment)) env.set(k, v.value);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

export interface CreateInput {
  info: ConnectionInfo;
  execution: DockerExecutionConfig;
  instanceId: string;
  /** Connection mode: the idle command; session mode: the program. */
  cmd: string[];
  /** Env added after the config's own Env (connection env, then channel env in session mode). */
  env: string[];
  session?: { tty: boolean; size?: TtySize; consoleSize: boolean };
  /** Replaces the connection's own labels (containerLabels) after the config labels: a warm pool container's. */
  ownLabels?: Record<string, string>;
}

function hasKey(obj: Record<string, unknown> | null, key: string): boolean {
  return obj !== null && Object.keys(obj).some((k) => k.toLowerCase() === key.toLowerCase());
}

function platformString(p: Record<string, unknown> | null): string | undefined {
  if (p === null) return undefined;
  const parts = [p.os, p.architecture, p.variant].filter((x): x is string => typeof x === 'string' && x !== '');
  return parts.length > 0 ? parts.join('/') : undefined;
}

/** The create body (name and platform travel as query parameters, as dockerode sends them). */
export function buildCreateOptions(input: CreateInput): ContainerCreateSpec {
  const { execution } = input;
  const base = structuredClone(execution.container) as Record<string, unknown>;
  const configEnv = Array.isArray(base.Env) ? (base.Env as unknown[]).map(String) : [];
  const body: Record<string, unknown> = {
    ...base,
    Labels: input.ownLabels === undefined
      ? containerLabels(input.info, input.instanceId, base.Labels)
      : { ...withoutConnectionLabels(configLabels(base.Labels)), ...input.ownLabels },
    Cmd: input.cmd.length > 0 ? input.cmd : undefined,
    Env: [...configEnv, ...input.env],
  };
  const host: Record<string, unknown> = execution.host === null ? {} : structuredClone(execution.host);
  if (input.session !== undefined) {
    const s = input.session;
    Object.assign(body, { Tty: s.tty, AttachStdin: true, AttachStdout: true, AttachStderr: true, OpenStdin: true, StdinOnce: true });
    // The program is PID 1: an init forwards signals to it and reports 128+n when one kills it.
    if (!hasKey(execution.host, 'Init')) host.Init = true;
    if (s.tty && s.consoleSize && s.size !== undefined) host.ConsoleSize = [s.size.rows, s.size.cols];
  }
  if (Object.keys(host).length > 0) body.HostConfig = host;
  if (execution.network !== null) body.NetworkingConfig = structuredClone(execution.network);
  if (execution.containername !== '') body.name = execution.containername;
  const platform = platformString(execution.platform);
  if (platform !== undefined) body.platform = platform;
  return body;
}

/**
 * The create body of a connection-mode container for `info`: the idle command as its main process and the
 * connection's environment. `ownLabels` replace the labels that name the connection (a warm pool's container).
 */
export function connectionBody(config: AppConfig, info: ConnectionInfo, instanceId: string, ownLabels?: Record<string, string>): ContainerCreateSpec {
  const execution = config.docker.execution;
  return buildCreateOptions({ info, execution, instanceId, cmd: execution.idleCommand, env: connectionEnv(info, execution), ownLabels });
}
