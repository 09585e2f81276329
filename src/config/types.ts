// The resolved configuration every other module reads, derived from the schema (schema.ts, the single source):
// defaults applied, durations in milliseconds, Docker pass-through blocks in Docker Engine API spelling (Image, Env,
// HostConfig fields such as NetworkMode; ContainerSSH's `resources:` block is flattened into HostConfig as the API
// expects). Field meanings and defaults are the `description`/`default` of each schema property.
import type { Static } from '@sinclair/typebox';
import type {
  AppConfigSchema, AuthSchema, DockerConnectionSchema, DockerExecutionSchema, DockerSchema, DockerTimeoutsSchema,
  HttpClientSchema, InstanceSchema, RegistryAuthSchema, SecurityItemSchema, SecuritySchema, SshSchema, WebhookClientSchema,
} from './schema.js';

export type AppConfig = Static<typeof AppConfigSchema>;

/** Docker URL with scheme (unix://, tcp://, http://, https://), or "" = the environment conventions; TLS values are PEM text or file paths. */
export type DockerConnectionConfig = Static<typeof DockerConnectionSchema>;
export type RegistryAuth = NonNullable<Static<typeof RegistryAuthSchema>>;
/**
 * container: ContainerCreate fields; host: HostConfig or null; network: NetworkingConfig or null; platform: OCI
 * platform or null. idleCommand default is shell-based (no agent needed); shellCommand default ["/bin/bash"]
 * (the backend falls back to /bin/sh when that default is used and the image has no bash). A migrated 0.3 config
 * has shellCommand [] in session mode, meaning the image's own CMD.
 */
export type DockerExecutionConfig = Static<typeof DockerExecutionSchema>;
/** All in milliseconds. */
export type DockerTimeoutsConfig = Static<typeof DockerTimeoutsSchema>;
export type DockerConfig = Static<typeof DockerSchema>;
/** timeout in ms. */
export type HttpClientConfig = Static<typeof HttpClientSchema>;
/** A webhook client (ContainerSSH's HTTP client options plus authTimeout, ms). */
export type WebhookClientConfig = Static<typeof WebhookClientSchema>;
/**
 * Methods: '' = disabled; password: webhook | passwords (cssh built-in, `username:hash` lines) | kerberos (not
 * implemented, warning); publicKey: webhook | authorizedkeys (path template with `{username}`); keyboardInteractive:
 * oauth2 and gssapi: kerberos (not implemented, warning; their options are kept but unused).
 */
export type AuthConfig = Static<typeof AuthSchema>;
/** Durations in ms: clientAliveInterval (0 = off), loginGraceTime (0 = unlimited), shutdownTimeout (default 30 s). */
export type SshConfig = Static<typeof SshSchema>;
export type SecurityItem = Static<typeof SecurityItemSchema>;
/**
 * maxSessions/maxConnections/maxConnectionsPerUser: -1 = unlimited. idleTimeout, maxSessionDuration (0 = off),
 * timeoutWarning.leadTime and terminateGracePeriod in ms.
 */
export type SecurityConfig = Static<typeof SecuritySchema>;

/** id ('' = persisted random id); reconcileInterval (0 = no periodic pass) and reconcileGrace in ms; workers (0 = one per core). */
export type InstanceConfig = Static<typeof InstanceSchema>;

export type ExecutionMode = DockerExecutionConfig['mode'];
export type ImagePullPolicy = DockerExecutionConfig['imagePullPolicy'];
export type PolicyMode = SecurityItem['mode'];
