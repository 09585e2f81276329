// The one definition of the configuration file: structure, defaults and descriptions. It yields the resolved
// TypeScript types (Static), the JSON Schema for editors and, through schema-data.ts, the runtime validator's tables.
import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { GO_DURATION_PATTERN } from './duration.js';
import { DEFAULT_IDLE_COMMAND, DEFAULT_IMAGE } from './schema-constants.js';
import { DEFAULT_TLS_CIPHERS, DEFAULT_TLS_CURVES } from '../core/tls-options.js';


/** A duration option: Go syntax in the file (or nanoseconds), milliseconds once resolved. */
function Duration(defaultText: string, description: string, zeroMeansDefault = false): TUnsafe<number> {
  return Type.Unsafe<number>({
    anyOf: [{ type: 'string', pattern: GO_DURATION_PATTERN }, { type: 'number' }],
    default: defaultText,
    description: `${description} Go duration syntax (60s, 1m30s, 500ms); a bare number is nanoseconds.`,
    'x-cssh': 'duration',
    ...(zeroMeansDefault ? { 'x-zero-default': true } : {}),
  });
}

function Str(defaultValue: string, description: string, extra: Record<string, unknown> = {}) {
  return Type.String({ default: defaultValue, description, ...extra });
}

function Enum<const T extends readonly string[]>(values: T, defaultValue: T[number], description: string, extra: Record<string, unknown> = {}) {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    { default: defaultValue, description, ...extra },
  ) as unknown as TUnsafe<T[number]>;
}

function StrList(defaultValue: string[], description: string, extra: Record<string, unknown> = {}) {
  return Type.Array(Type.String(), { default: defaultValue, description, ...extra });
}

/** A list of strings that may also be written as one colon-separated string (ContainerSSH's curves and cipher). */
function ColonList(defaultValue: string[], description: string): TUnsafe<string[]> {
  return Type.Unsafe<string[]>({
    anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }],
    default: defaultValue,
    description: `${description} A list, or one string with the names separated by colons.`,
    'x-cssh': 'colonlist',
  });
}

function Obj<T extends Record<string, TSchema>>(properties: T, description: string, extra: Record<string, unknown> = {}) {
  return Type.Object(properties, { additionalProperties: false, description, ...extra });
}

/** A Docker Engine API pass-through block: keys matched case-insensitively, unknown fields kept with a warning. */
function DockerBlock<T>(kind: string, description: string, defaultValue: unknown) {
  return Type.Unsafe<T>({
    type: defaultValue === null ? ['object', 'null'] : 'object',
    additionalProperties: true,
    default: defaultValue,
    description,
    'x-cssh': 'docker',
    'x-docker': kind,
  });
}

const POLICY_MODES = ['', 'enable', 'filter', 'disable'] as const;
const Policy = (defaultValue: (typeof POLICY_MODES)[number], description: string) =>
  Enum(POLICY_MODES, defaultValue, description, { 'x-invalid': 'invalid mode' });

export const DockerConnectionSchema = Obj({
  host: Str('', 'Docker URL with a scheme (unix://, tcp://, http://, https://); empty uses DOCKER_HOST, the rootless socket or /var/run/docker.sock.'),
  cacert: Str('', 'CA certificate (PEM text or a file path) that verifies the engine.'),
  cert: Str('', 'Client certificate (PEM text or a file path).'),
  key: Str('', 'Client private key (PEM text or a file path).'),
}, 'How cssh reaches the Docker engine.');

export const RegistryAuthSchema = Type.Unsafe<{
  username?: string; password?: string; auth?: string; email?: string;
  serveraddress?: string; identitytoken?: string; registrytoken?: string;
} | null>({
  type: ['object', 'null'],
  properties: Object.fromEntries(
    ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'].map((key) => [key, { type: 'string' }]),
  ),
  additionalProperties: false,
  default: null,
  description: 'Registry credentials used for image pulls.',
  'x-cssh': 'fixed',
});

export const DockerExecutionSchema = Obj({
  container: DockerBlock<Record<string, unknown> & { Image?: string }>('container', 'Docker ContainerCreate fields (Image, Env, Cmd, Labels, ...).', { Image: DEFAULT_IMAGE }),
  host: DockerBlock<Record<string, unknown> | null>('host', 'Docker HostConfig fields (NetworkMode, Binds, RestartPolicy, Resources, ...).', null),
  network: DockerBlock<Record<string, unknown> | null>('network', 'Docker NetworkingConfig (EndpointsConfig).', null),
  platform: DockerBlock<Record<string, unknown> | null>('platform', 'OCI platform (architecture, os, os.version, variant).', null),
  containername: Str('', 'Container name; a fixed name makes a second concurrent container fail.', { 'x-any-case': true }),
  auth: RegistryAuthSchema,
  mode: Enum(['connection', 'session'] as const, 'connection', 'connection: one container per SSH connection; session: one per session channel.', { 'x-invalid': 'invalid execution mode' }),
  idleCommand: StrList(DEFAULT_IDLE_COMMAND, 'Main process of a connection-mode container.'),
  shellCommand: StrList(['/bin/bash'], 'Program run for shell requests.'),
  agentPath: Str('/usr/bin/containerssh-agent', 'Path of the ContainerSSH guest agent inside the container.'),
  disableAgent: Type.Boolean({ default: false, description: 'Turn off every use of the guest agent.' }),
  subsystems: Type.Record(Type.String(), Type.String(), { default: { sftp: '/usr/lib/openssh/sftp-server' }, description: 'Subsystem name to binary path; a given map replaces the default.' }),
  imagePullPolicy: Enum(['Always', 'IfNotPresent', 'Never'] as const, 'IfNotPresent', 'When to pull the image.', { 'x-invalid': 'invalid image pull policy' }),
  exposeAuthMetadataAsEnv: Type.Boolean({ default: false, description: 'Connection mode: expose authentication metadata as environment variables.' }),
}, 'How containers are created and programs run.');

export const DockerTimeoutsSchema = Obj({
  containerStart: Duration('60s', 'Deadline for pull, create and start.', true),
  containerStop: Duration('60s', 'Deadline for removing a container.', true),
  commandStart: Duration('60s', 'Deadline for starting one program.', true),
  signal: Duration('60s', 'Deadline for delivering one signal.', true),
  window: Duration('60s', 'Deadline for one window resize.', true),
  http: Duration('15s', 'HTTP timeout of the Docker client (TLS and http:// hosts).', true),
}, 'Docker call deadlines.');

export const DockerForwardingSchema = Obj({
  image: Str('node:24-alpine', 'Image of the forwarding helper container that ssh -L and -W connect through; it needs Node.js (12 or newer) and nothing else, and is pulled under docker.execution.imagePullPolicy.'),
  nodePath: Str('node', 'The node program in the helper image: a path, or a name looked up on the image\'s PATH.'),
}, 'Forwarding helper containers (cssh only): joined to the user\'s container network namespace, one per container that forwards.');

export const DockerPoolSchema = Obj({
  size: Type.Integer({ default: 0, description: 'Started containers kept ready per serving process (each worker of serve --workers keeps its own); a login whose container spec matches takes one instead of creating its own; 0 = off.' }),
  maxIdle: Duration('10m', 'A ready container unused this long is replaced by a fresh one; 0 = kept until used.'),
}, 'Warm pool (cssh only, connection mode): containers created and started ahead of logins.');

export const DockerSchema = Obj({
  connection: DockerConnectionSchema,
  execution: DockerExecutionSchema,
  timeouts: DockerTimeoutsSchema,
  forwarding: DockerForwardingSchema,
  pool: DockerPoolSchema,
}, 'The Docker backend.');

const httpClientProperties = () => ({
  url: Str('', 'Server URL (http:// or https://).'),
  timeout: Duration('2s', 'Timeout of one HTTP request (at least 100ms).', true),
  cacert: Str('', 'CA certificate (PEM text or a file path).'),
  cert: Str('', 'Client certificate (PEM text or a file path).'),
  key: Str('', 'Client private key (PEM text or a file path).'),
  allowRedirects: Type.Boolean({ default: false, description: 'Follow HTTP redirects.' }),
  tlsVersion: Str('1.3', 'Minimum TLS version (1.2 or 1.3).'),
  curves: ColonList(DEFAULT_TLS_CURVES, 'ECDH curves offered: x25519, secp256r1 (prime256v1), secp384r1, secp521r1.'),
  cipher: ColonList(DEFAULT_TLS_CIPHERS, 'TLS cipher suites (IANA, OpenSSL or GnuTLS names).'),
});

/** ContainerSSH's HTTP server TLS options (metrics and health): TLS when cert and key are set. */
const httpServerTlsProperties = () => ({
  cert: Str('', 'Server certificate (PEM text or a file path); with key, the endpoint serves HTTPS only.'),
  key: Str('', 'Server private key (PEM text or a file path).'),
  clientcacert: Str('', 'CA certificate (PEM text or a file path) that client certificates must be signed by; set, every client must present one.'),
  tlsVersion: Str('1.3', 'Minimum TLS version (1.2 or 1.3).'),
  curves: ColonList(DEFAULT_TLS_CURVES, 'ECDH curves offered: x25519, secp256r1 (prime256v1), secp384r1, secp521r1.'),
  cipher: ColonList(DEFAULT_TLS_CIPHERS, 'TLS cipher suites (IANA, OpenSSL or GnuTLS names).'),
});

export const HttpClientSchema = Obj(httpClientProperties(), 'HTTP client options.');

export const WebhookClientSchema = Obj({
  ...httpClientProperties(),
  authTimeout: Duration('60s', 'Total time for one authentication including retries (at least 100ms).', true),
}, 'Authentication webhook client.');

/** ContainerSSH's Kerberos client options (password and GSSAPI), accepted for compatibility; cssh does not use them. */
export const KerberosSchema = Obj({
  keytab: Str('/etc/krb5.keytab', 'The service keytab file.'),
  acceptor: Str('any', 'The keytab entry (service/name) that verifies tickets; host or any are special values.'),
  enforceUsername: Type.Boolean({ default: true, description: 'Require the authenticated principal to match the SSH login name.' }),
  credentialCachePath: Str('/tmp/krb5cc', 'Where the user\'s Kerberos credentials are written inside the container.'),
  configPath: Str('/etc/containerssh/krb5.conf', 'The krb5.conf used for password logins.'),
  clockSkew: Duration('5m', 'Maximum clock skew allowed for Kerberos messages.', true),
}, 'Kerberos settings (ContainerSSH 0.5+); cssh does not implement Kerberos and ignores them.');

export const AuthSchema = Obj({
  password: Obj({
    method: Enum(['', 'webhook', 'passwords', 'kerberos'] as const, '', 'Password authentication: webhook, passwords (cssh built-in), kerberos (not implemented), or empty to disable.', { 'x-invalid': 'invalid password authentication method' }),
    webhook: WebhookClientSchema,
    passwords: Obj({ file: Str('', 'A file of `username:hash` lines (bcrypt or scrypt).') }, 'cssh built-in password file.'),
    kerberos: KerberosSchema,
  }, 'Password authentication.'),
  publicKey: Obj({
    method: Enum(['', 'webhook', 'authorizedkeys'] as const, '', 'Public key authentication: webhook, authorizedkeys (cssh built-in), or empty to disable.', { 'x-invalid': 'invalid public key authentication method' }),
    webhook: WebhookClientSchema,
    authorizedKeys: Obj({ path: Str('', 'authorized_keys path template; {username} is replaced by the login name.') }, 'cssh built-in authorized_keys lookup.'),
  }, 'Public key authentication.'),
  authz: Obj({
    method: Enum(['', 'webhook'] as const, '', 'Authorization webhook, or empty to disable.', { 'x-invalid': 'invalid authorization method' }),
    webhook: WebhookClientSchema,
  }, 'Authorization after authentication.'),
  keyboardInteractive: Obj({
    method: Enum(['', 'oauth2'] as const, '', 'Keyboard-interactive: oauth2 (not implemented by cssh) or empty.', { 'x-invalid': 'invalid keyboard-interactive method' }),
  }, 'Keyboard-interactive authentication.', { 'x-ignored': { oauth2: 'OAuth2 settings' } }),
  gssapi: Obj({
    method: Enum(['', 'kerberos'] as const, '', 'GSSAPI authentication: kerberos (not implemented by cssh) or empty to disable.', { 'x-invalid': 'invalid GSSAPI authentication method' }),
    kerberos: KerberosSchema,
  }, 'GSSAPI (Kerberos ticket) authentication, ContainerSSH 0.5+.'),
}, 'Authentication.');

export const SshSchema = Obj({
  listen: Str('0.0.0.0:2222', 'Address and port the SSH server listens on.'),
  serverVersion: Str('SSH-2.0-ContainerSSH', 'SSH version string sent to clients.'),
  banner: Str('', 'Text sent before authentication.'),
  ciphers: StrList(['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-gcm@openssh.com', 'aes256-ctr', 'aes192-ctr', 'aes128-ctr'], 'Allowed ciphers.'),
  kex: StrList(['curve25519-sha256@libssh.org', 'ecdh-sha2-nistp521', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp256'], 'Allowed key exchange algorithms.'),
  macs: StrList(['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256'], 'Allowed MAC algorithms.'),
  hostkeys: StrList([], 'Host keys: PEM text or file paths (RSA, DSS, Ed25519).'),
  clientAliveInterval: Duration('0s', 'Keepalive interval; 0 disables, otherwise at least 1s.'),
  clientAliveCountMax: Type.Integer({ default: 3, description: 'Unanswered keepalives before disconnecting (at least 1).', 'x-zero-default': true }),
  loginGraceTime: Duration('120s', 'How long a connection may stay unauthenticated, from the TCP connect (OpenSSH LoginGraceTime); 0 = unlimited.'),
  maxStartups: Str('64:30:256', 'Unauthenticated connections (OpenSSH MaxStartups): start:rate:full, refusing rate % of new connections from start on, rising to all at full; or one number.'),
  perSourceMaxStartups: Type.Integer({ default: 32, description: 'Unauthenticated connections from one source netblock (OpenSSH PerSourceMaxStartups); -1 = unlimited.' }),
  perSourceNetBlockSize: Str('32:64', 'Prefix lengths ipv4:ipv6 that group source addresses for perSourceMaxStartups (OpenSSH PerSourceNetBlockSize).'),
  shutdownTimeout: Duration('30s', 'How long serve waits for programs to end on SIGTERM before forcing.', true),
}, 'The SSH server.');

const SecurityItem = (description: string, lists: boolean) => Obj({
  mode: Policy('', 'enable, filter, disable, or empty to use defaultMode.'),
  allow: StrList([], lists ? 'Allowed names (filter mode).' : 'Unused.'),
  deny: StrList([], lists ? 'Denied names (enable mode).' : 'Unused.'),
}, description);

/** The shape shared by the security items (env, command, shell, subsystem, tty, signal). */
export const SecurityItemSchema = SecurityItem('A security policy item.', true);

export const SecuritySchema = Obj({
  defaultMode: Policy('', 'Fallback policy for every item; empty means enable.'),
  forceCommand: Str('', 'Run this command instead of every exec, shell and subsystem.'),
  maxSessions: Type.Integer({ default: 10, description: 'Concurrent sessions per connection (10, as OpenSSH\'s MaxSessions); -1 = unlimited.' }),
  maxEnvRequests: Type.Integer({ default: 128, description: 'Environment variables (env requests) one session may set (128, as OpenSSH\'s sshd); -1 = unlimited.' }),
  maxEnvBytes: Type.Integer({ default: 65536, description: 'Total bytes of the names and values one session may set through env requests; -1 = unlimited.' }),
  maxPendingSignals: Type.Integer({ default: 8, description: 'Signal requests of one session waiting or being delivered at once; more are refused; -1 = unlimited.' }),
  env: SecurityItem('Environment variable requests.', true),
  command: SecurityItem('Command execution.', true),
  shell: SecurityItem('Shell requests.', false),
  subsystem: SecurityItem('Subsystem requests.', true),
  tty: SecurityItem('TTY allocation.', false),
  signal: SecurityItem('Signal requests.', true),
  maxConnections: Type.Integer({ default: -1, description: 'Concurrent connections in total; -1 = unlimited.' }),
  maxConnectionsPerUser: Type.Integer({ default: -1, description: 'Concurrent connections per login name; -1 = unlimited.' }),
  idleTimeout: Duration('0s', 'End a session after this long without input or output; 0 = off.'),
  maxSessionDuration: Duration('0s', 'End a session after this much wall-clock time; 0 = off.'),
  timeoutWarning: Obj({
    message: Str('cssh: session ending: {reason}', 'Line written to the terminal before a timeout ends the session; {reason} is replaced.'),
    leadTime: Duration('30s', 'How long before the timeout the warning is written.', true),
  }, 'Warning before a timeout ends a session.'),
  terminateGracePeriod: Duration('10s', 'Time between TERM and KILL when a timeout ends a program.', true),
  forwarding: Obj({
    forwardingMode: Policy('disable', 'TCP forwarding (direct-tcpip: ssh -L, -D, -W): enable, filter (only forwardingAllow), disable.'),
    forwardingAllow: StrList([], 'With forwardingMode filter: the destinations allowed, as host:port patterns ("localhost:8080", "127.0.0.1:*", "*:8000-8100", "[::1]:22"); hosts are matched as the client wrote them.'),
    maxChannels: Type.Integer({ default: 32, description: 'Forwarded connections (direct-tcpip channels) one SSH connection may have open or being set up at once; more are refused (ResourceShortage); -1 = unlimited.' }),
    reverseForwardingMode: Policy('disable', 'Reverse TCP forwarding (tcpip-forward: ssh -R): enable, filter (only reverseForwardingAllow), disable.'),
    reverseForwardingAllow: StrList([], 'With reverseForwardingMode filter: the bind addresses allowed inside the container, as host:port patterns ("127.0.0.1:8000-8100", "localhost:*"); port 0 (any free port) matches only "*" ports; hosts are matched as the client wrote them.'),
    maxListeners: Type.Integer({ default: 8, description: 'Remote forwardings (ssh -R listeners) one SSH connection may have at once; more are refused; -1 = unlimited.' }),
    socketForwardingMode: Policy('disable', 'Unix socket forwarding (direct-streamlocal: ssh -L port:/path/in/container.sock): enable or disable.'),
    socketListenMode: Policy('disable', 'Unix socket listening (streamlocal-forward: ssh -R /path/in/container.sock:host:port): enable or disable.'),
    agentForwardingMode: Policy('disable', 'SSH agent forwarding (ssh -A): enable gives programs an SSH_AUTH_SOCK socket whose connections reach the client\'s agent; disable refuses it.'),
    x11ForwardingMode: Policy('disable', 'X11 forwarding.'),
  }, 'Forwarding policies (all disabled by default).'),
}, 'Restrictions on what SSH users may do.');

export const LogSchema = Obj({
  level: Type.Unsafe<string>(Enum(['debug', 'info', 'notice', 'warning', 'error', 'crit', 'alert', 'emerg'] as const, 'info', 'Minimum log level.', { 'x-invalid': 'invalid log level' })),
  format: Enum(['ljson', 'text'] as const, 'ljson', 'Log line format.', { 'x-invalid': 'invalid log format' }),
  destination: Enum(['stdout', 'file', 'syslog'] as const, 'stdout', 'Where log lines go.', { 'x-invalid': 'invalid log destination' }),
  file: Str('', 'Log file path when destination is file.'),
}, 'Logging.', { 'x-ignored': { syslog: 'syslog settings' } });

export const MetricsSchema = Obj({
  enable: Type.Boolean({ default: false, description: 'Serve Prometheus metrics.' }),
  listen: Str('0.0.0.0:9100', 'Metrics listen address.'),
  path: Str('/metrics', 'Metrics URL path.'),
  ...httpServerTlsProperties(),
}, 'Prometheus metrics.');

export const HealthSchema = Obj({
  enable: Type.Boolean({ default: false, description: 'Serve / and /health (liveness) and /ready (readiness).' }),
  listen: Str('0.0.0.0:7000', 'Health listen address.'),
  ...httpServerTlsProperties(),
  client: Obj({
    ...httpClientProperties(),
    url: Str('', 'URL `cssh healthcheck` asks; empty: /health on health.listen (loopback for 0.0.0.0), https when cert is set.'),
  }, 'How `cssh healthcheck` reaches the endpoint (ContainerSSH\'s health client): cacert to verify it, cert and key when clientcacert is set.'),
}, 'Health endpoint.');

export const ConfigServerSchema = Obj({
  ...httpClientProperties(),
  transmitSensitiveMetadata: Type.Boolean({ default: false, description: 'Send metadata marked sensitive to the config server.' }),
}, 'Per-connection configuration webhook; empty url disables it.');

export const InstanceSchema = Obj({
  id: Str('', 'Label value (cssh.instance) of this server\'s containers; empty: a random id kept in the state directory. Give each replica its own, or leave empty.'),
  reconcileInterval: Duration('60s', 'How often containers of this instance that no live connection uses are looked for and removed; 0 turns the periodic pass off (start-up and shutdown still sweep).'),
  reconcileGrace: Duration('60s', 'Containers younger than this are never removed by the periodic pass (one may be being created).'),
  workers: Type.Integer({ minimum: 0, maximum: 1024, default: 1, description: 'Worker processes of serve, each a full SSH server sharing the listen socket; 1 = a single process (the default), 0 = one per CPU core (--workers wins).' }),
}, 'This server\'s identity on the Docker engine, and the clean-up of its containers (cssh only).');

export const IGNORED_SECTIONS: Record<string, string> = {
  kubernetes: 'the kubernetes backend',
  sshproxy: 'the sshproxy backend',
  audit: 'audit logging',
  geoip: 'GeoIP lookups',
  kuberun: 'the removed kuberun backend',
};

export const AppConfigSchema = Obj({
  ssh: SshSchema,
  auth: AuthSchema,
  backend: Str('docker', 'Backend: docker (kubernetes and sshproxy are not implemented by cssh).', { 'x-cssh': 'backend' }),
  docker: DockerSchema,
  security: SecuritySchema,
  log: LogSchema,
  metrics: MetricsSchema,
  health: HealthSchema,
  configserver: ConfigServerSchema,
  instance: InstanceSchema,
}, 'cssh configuration (ContainerSSH-compatible).', { 'x-ignored': IGNORED_SECTIONS });
