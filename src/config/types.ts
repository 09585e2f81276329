// The resolved configuration every other module reads: defaults applied, durations in milliseconds, Docker
// pass-through blocks in Docker Engine API spelling (Image, Env, HostConfig fields such as NetworkMode).
// PLACEHOLDER CONTRACT: the config module derives these from its schema; the shape stays as written here.

export type ExecutionMode = 'connection' | 'session';
export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';
export type PolicyMode = '' | 'enable' | 'filter' | 'disable';

export interface DockerConnectionConfig {
  /** Docker URL with scheme (unix://, tcp://, http://, npipe://). Empty = use the environment conventions. */
  host: string;
  /** PEM text or a file path. */
  cacert: string;
  cert: string;
  key: string;
}

export interface RegistryAuth {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface DockerExecutionConfig {
  /** Docker ContainerCreate body fields in API spelling (Image, Env, Cmd, Labels, ...). */
  container: Record<string, unknown> & { Image?: string };
  /** Docker HostConfig in API spelling, or null. */
  host: Record<string, unknown> | null;
  /** Docker NetworkingConfig in API spelling, or null. */
  network: Record<string, unknown> | null;
  platform: Record<string, unknown> | null;
  containername: string;
  auth: RegistryAuth | null;
  mode: ExecutionMode;
  idleCommand: string[];
  shellCommand: string[];
  agentPath: string;
  disableAgent: boolean;
  subsystems: Record<string, string>;
  imagePullPolicy: ImagePullPolicy;
  exposeAuthMetadataAsEnv: boolean;
}

/** All in milliseconds. */
export interface DockerTimeoutsConfig {
  containerStart: number;
  containerStop: number;
  commandStart: number;
  signal: number;
  window: number;
  http: number;
}

export interface DockerConfig {
  connection: DockerConnectionConfig;
  execution: DockerExecutionConfig;
  timeouts: DockerTimeoutsConfig;
}

export interface HttpClientConfig {
  url: string;
  /** ms */
  timeout: number;
  cacert: string;
  cert: string;
  key: string;
  allowRedirects: boolean;
  tlsVersion: string;
}

export interface WebhookAuthConfig {
  method: string; // '' | 'webhook' | 'kerberos' | 'oauth2' | cssh built-ins: 'authorizedkeys' | 'passwordfile'
  webhook: HttpClientConfig & { authTimeout: number };
}

export interface SshConfig {
  listen: string;
  serverVersion: string;
  banner: string;
  ciphers: string[];
  kex: string[];
  macs: string[];
  hostkeys: string[];
  /** ms; 0 = disabled */
  clientAliveInterval: number;
  clientAliveCountMax: number;
}

export interface SecurityItem {
  mode: PolicyMode;
  allow: string[];
  deny: string[];
}

export interface SecurityConfig {
  defaultMode: PolicyMode;
  forceCommand: string;
  maxSessions: number;
  env: SecurityItem;
  command: SecurityItem;
  shell: SecurityItem;
  subsystem: SecurityItem;
  tty: SecurityItem;
  signal: SecurityItem;
  forwarding: {
    forwardingMode: PolicyMode;
    reverseForwardingMode: PolicyMode;
    socketForwardingMode: PolicyMode;
    socketListenMode: PolicyMode;
    x11ForwardingMode: PolicyMode;
  };
}

export interface AppConfig {
  ssh: SshConfig;
  /** Shape owned by the config module (webhook password/publicKey/authz, cssh built-in methods). */
  auth: Record<string, unknown>;
  backend: string;
  docker: DockerConfig;
  security: SecurityConfig;
  log: { level: string; format: string; destination: string; file: string };
  metrics: { enable: boolean; listen: string; path: string };
  health: { enable: boolean; listen: string };
  configserver: HttpClientConfig & { transmitSensitiveMetadata: boolean };
}
