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
  /** Default (cssh, no agent needed): ["/bin/sh","-c","trap 'exit 0' TERM INT; while true; do sleep 1000 & wait $!; done"] */
  idleCommand: string[];
  /** Default ["/bin/bash"]; the backend falls back to /bin/sh when that default is used and the image has no bash. */
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

/** A webhook client (ContainerSSH's HTTP client options plus authTimeout, ms). */
export interface WebhookClientConfig extends HttpClientConfig {
  authTimeout: number;
}

export interface AuthConfig {
  /** '' = disabled; 'kerberos' is accepted in files but not implemented by cssh (warning). */
  password: {
    method: '' | 'webhook' | 'passwords' | 'kerberos';
    webhook: WebhookClientConfig;
    /** cssh built-in: a file of `username:hash` lines (bcrypt `$2a$/$2b$/$2y$` or `scrypt$...`). */
    passwords: { file: string };
  };
  publicKey: {
    method: '' | 'webhook' | 'authorizedkeys';
    webhook: WebhookClientConfig;
    /** cssh built-in: an authorized_keys path template; `{username}` is replaced by the login name. */
    authorizedKeys: { path: string };
  };
  authz: { method: '' | 'webhook'; webhook: WebhookClientConfig };
  /** 'oauth2' is accepted in files but not implemented by cssh (warning). */
  keyboardInteractive: { method: '' | 'oauth2' };
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
  /** cssh: ms an unauthenticated connection may stay open; 0 = unlimited (default). */
  loginGraceTime: number;
  /** cssh: ms `serve` waits for programs to end on SIGTERM before forcing; default 30 s. */
  shutdownTimeout: number;
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
  /** cssh: concurrent connections in total / per login username; -1 = unlimited (default). */
  maxConnections: number;
  maxConnectionsPerUser: number;
  /** cssh: ms without input or output before a session is ended; 0 = off (default). */
  idleTimeout: number;
  /** cssh: ms of wall-clock time before a session is ended; 0 = off (default). */
  maxSessionDuration: number;
  /** cssh: the line written to the user's terminal before a timeout ends the session, and how long before (ms). */
  timeoutWarning: { message: string; leadTime: number };
  /** cssh: ms between TERM and KILL when a timeout ends a program; default 10 s. */
  terminateGracePeriod: number;
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
  auth: AuthConfig;
  backend: string;
  docker: DockerConfig;
  security: SecurityConfig;
  /** level: debug..emerg (default info); format: ljson (default) | text; destination: stdout | file | syslog. */
  log: { level: string; format: 'ljson' | 'text'; destination: 'stdout' | 'file' | 'syslog'; file: string };
  /** Prometheus endpoint; default off, 0.0.0.0:9100, /metrics. */
  metrics: { enable: boolean; listen: string; path: string };
  /** Health endpoint (/health liveness, /ready readiness); default off, 0.0.0.0:7000. */
  health: { enable: boolean; listen: string };
  configserver: HttpClientConfig & { transmitSensitiveMetadata: boolean };
}
