// The Prometheus metrics cssh exports: ContainerSSH's names plus cssh's own container and policy metrics.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The country label of ContainerSSH's geo metrics. cssh has no GeoIP database, so every series carries "XX",
 * the value ContainerSSH itself uses when a lookup fails; dashboards that group by country keep working.
 */
export const UNKNOWN_COUNTRY = 'XX';

const containerBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const pullBuckets = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export type MetricSet = ReturnType<typeof defineMetrics>;

/** Registers every metric in `registry` (never the global one) and returns them by role. */
export function defineMetrics(registry: Registry) {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers });
  const histogram = (name: string, help: string, buckets: number[]) =>
    new Histogram<'outcome'>({ name, help, labelNames: ['outcome'], buckets, registers });

  return {
    backendRequests: counter('containerssh_backend_requests_total', 'Docker API call attempts.', ['backend']),
    backendErrors: counter('containerssh_backend_errors_total', 'Failed Docker API call attempts.', ['backend']),
    configRequests: counter('containerssh_config_server_requests_total', 'Config server requests.', ['retry']),
    configFailures: counter('containerssh_config_server_failures_total', 'Failed config server requests.', ['type', 'retry', 'reason']),
    authRequests: counter('containerssh_auth_server_requests_total', 'Auth webhook requests.', ['authtype', 'retry']),
    authServerFailures: counter('containerssh_auth_server_failures_total', 'Failed auth webhook requests.', [
      'type',
      'authtype',
      'retry',
      'reason',
    ]),
    authSuccess: counter('containerssh_auth_success_total', 'Successful authentications.', ['country', 'authtype']),
    authFailures: counter('containerssh_auth_failures_total', 'Failed authentications.', ['country', 'authtype']),
    connections: counter('containerssh_ssh_connections_total', 'Accepted SSH connections.', ['country']),
    currentConnections: gauge('containerssh_ssh_current_connections', 'Open SSH connections.', ['country']),
    handshakesOk: counter('containerssh_ssh_successful_handshakes_total', 'Successful SSH handshakes.', ['country']),
    handshakesFailed: counter('containerssh_ssh_failed_handshakes_total', 'Failed SSH handshakes (including backend refusals).', [
      'country',
    ]),
    unauthenticated: gauge('cssh_ssh_unauthenticated_connections', 'TCP connections accepted and not yet authenticated (capped by ssh.maxStartups).'),
    unauthenticatedRefused: counter(
      'cssh_ssh_unauthenticated_refused_total',
      'Unauthenticated connections refused (maxStartups, perSourceMaxStartups) or dropped (loginGraceTime), by message code.',
      ['code'],
    ),
    dockerRequests: counter('cssh_docker_requests_total', 'Docker API call attempts by operation and outcome.', ['op', 'outcome']),
    containerCreate: histogram('cssh_container_create_duration_seconds', 'Time to create a container.', containerBuckets),
    containerStart: histogram('cssh_container_start_duration_seconds', 'Time to start a container.', containerBuckets),
    containerRemove: histogram('cssh_container_remove_duration_seconds', 'Time to remove a container.', containerBuckets),
    pulls: counter('cssh_image_pulls_total', 'Image pulls.', ['outcome']),
    pullDuration: histogram('cssh_image_pull_duration_seconds', 'Time to pull an image.', pullBuckets),
    containersCreated: counter('cssh_containers_created_total', 'Containers created, by execution mode.', ['mode']),
    activeContainers: gauge('cssh_active_containers', 'Containers created by this process and not yet removed.'),
    activeSessions: gauge('cssh_active_sessions', 'Open SSH session channels.'),
    orphansRemoved: counter('cssh_orphans_removed_total', 'Containers of this instance that no live connection used, removed by a sweep or the reconciler.'),
    removeFailures: counter('cssh_container_remove_failures_total', 'Container removals that failed until their deadline and went to the retry queue.'),
    removeRetries: counter('cssh_container_remove_retries_total', 'Attempts of the container removal retry queue, by outcome.', ['outcome']),
    reconcilePasses: counter('cssh_reconcile_passes_total', 'Passes of the reconciler and the start-up/shutdown sweeps, by outcome.', ['outcome']),
    poolHits: counter('cssh_pool_hits_total', 'Logins that took a ready container from the warm pool (docker.pool).'),
    poolMisses: counter('cssh_pool_misses_total', 'Logins in connection mode that created their own container although the warm pool is on, by reason (empty, spec, stale).', ['reason']),
    poolIdle: gauge('cssh_pool_idle_containers', 'Started containers the warm pool holds ready.'),
    poolFillFailures: counter('cssh_pool_fill_failures_total', 'Failed attempts of the warm pool to make a ready container (retried with backoff).'),
    policyRefusals: counter('cssh_policy_refusals_total', 'Requests refused by the security layer, by message code.', ['code']),
  };
}

/** Creates the series dashboards expect to see from the start, at zero. */
export function initialiseSeries(m: MetricSet): void {
  m.backendRequests.inc({ backend: 'docker' }, 0);
  m.backendErrors.inc({ backend: 'docker' }, 0);
  m.connections.inc({ country: UNKNOWN_COUNTRY }, 0);
  m.currentConnections.set({ country: UNKNOWN_COUNTRY }, 0);
  m.handshakesOk.inc({ country: UNKNOWN_COUNTRY }, 0);
  m.handshakesFailed.inc({ country: UNKNOWN_COUNTRY }, 0);
  m.unauthenticated.set(0);
  for (const code of ['SSH_MAX_STARTUPS', 'SSH_PER_SOURCE_MAX_STARTUPS', 'SSH_LOGIN_GRACE_EXPIRED']) m.unauthenticatedRefused.inc({ code }, 0);
}
