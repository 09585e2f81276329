// Typed events the core and the SSH server emit; commands render them (spinners, JSON) and metrics count them.
// Producers never print; consumers must not throw.

export type LifecyclePhase =
  | 'connect'
  | 'image-check'
  | 'pull'
  | 'create'
  | 'start'
  | 'exec'
  | 'program'
  | 'remove';

/** Emitted by the Docker backend through ConnectionContext.onEvent. */
export type LifecycleEvent =
  | { type: 'phase-start'; phase: LifecyclePhase; detail?: string }
  | { type: 'phase-end'; phase: LifecyclePhase; ms: number; ok: boolean; detail?: string }
  | { type: 'pull-progress'; layer: string; status: string; current?: number; total?: number }
  /** One attempt of one Docker API call (ContainerSSH's backend_requests/backend_errors counters). */
  | { type: 'docker-request'; op: string; ok: boolean }
  | { type: 'container-created'; id: string; mode: 'connection' | 'session' }
  | { type: 'container-removed'; id: string; orphan: boolean }
  /** A removal failed until its deadline; the container goes to the retry queue. */
  | { type: 'container-remove-failed'; id: string }
  /** One attempt of the removal retry queue. */
  | { type: 'container-remove-retry'; ok: boolean }
  /** One pass of the reconciler (or the start-up/shutdown sweep) over this instance's containers. */
  | { type: 'reconcile-pass'; ok: boolean }
  /** Warm pool: a login took a ready container, or created its own (reason: empty, spec, stale, off). */
  | { type: 'pool-hit' }
  | { type: 'pool-miss'; reason: string }
  /** Warm pool: containers ready now (a gauge), and a failed attempt to make one. */
  | { type: 'pool-size'; idle: number }
  | { type: 'pool-fill-failed' };

/** Emitted by the SSH server (and auth/config-server clients) for metrics. */
export type ServerEvent =
  | { type: 'ssh-connection-open' }
  | { type: 'ssh-connection-close' }
  | { type: 'ssh-handshake'; ok: boolean }
  /** A TCP connection became (open) or stopped being (authenticated or closed) an unauthenticated one. */
  | { type: 'ssh-unauthenticated'; open: boolean }
  /** An unauthenticated connection was refused or dropped by a pre-auth limit (SSH_MAX_STARTUPS, ...). */
  | { type: 'ssh-unauthenticated-refused'; code: string }
  | { type: 'auth-request'; authtype: 'password' | 'pubkey' | 'authorization'; retry: boolean }
  | { type: 'auth-request-failure'; authtype: 'password' | 'pubkey' | 'authorization'; retry: boolean; hard: boolean; reason: string }
  | { type: 'auth-result'; authtype: 'password' | 'pubkey' | 'authorization'; ok: boolean }
  | { type: 'config-request'; retry: boolean }
  | { type: 'config-request-failure'; retry: boolean; hard: boolean; reason: string }
  | { type: 'session-open' }
  | { type: 'session-close' }
  | { type: 'policy-refusal'; code: string };

export type CsshEvent = LifecycleEvent | ServerEvent;

export type EventSink = (event: CsshEvent) => void;
