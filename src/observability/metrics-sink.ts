// Turns cssh's typed events into metric updates; never throws.
import type { CsshEvent, EventSink, LifecycleEvent } from '../core/events.js';
import { UNKNOWN_COUNTRY, type MetricSet } from './metrics-definitions.js';

const country = UNKNOWN_COUNTRY;
const retryLabel = (retry: boolean): string => (retry ? '1' : '0');
const outcome = (ok: boolean): string => (ok ? 'ok' : 'error');

/**
 * An EventSink that updates `m`. Unknown events are ignored; a failing update is dropped, never thrown. A container
 * is counted in cssh_active_containers from its creation to its first removal report: a container reported removed
 * twice (a removal that raced Docker's AutoRemove, a retry after a removal that did succeed) is counted out once.
 */
export function metricsSink(m: MetricSet): EventSink {
  const active = new Set<string>();
  return (event) => {
    try {
      record(m, event, active);
    } catch {
      // metrics must never break the producer
    }
  };
}

function record(m: MetricSet, event: CsshEvent, active: Set<string>): void {
  switch (event.type) {
    case 'ssh-connection-open':
      m.connections.inc({ country });
      m.currentConnections.inc({ country });
      return;
    case 'ssh-connection-close':
      m.currentConnections.dec({ country });
      return;
    case 'ssh-handshake':
      (event.ok ? m.handshakesOk : m.handshakesFailed).inc({ country });
      return;
    case 'ssh-unauthenticated':
      if (event.open) m.unauthenticated.inc();
      else m.unauthenticated.dec();
      return;
    case 'ssh-unauthenticated-refused':
      m.unauthenticatedRefused.inc({ code: event.code });
      return;
    case 'auth-request':
      m.authRequests.inc({ authtype: event.authtype, retry: retryLabel(event.retry) });
      return;
    case 'auth-request-failure':
      m.authServerFailures.inc({
        type: event.hard ? 'hard' : 'soft',
        authtype: event.authtype,
        retry: retryLabel(event.retry),
        reason: event.reason,
      });
      return;
    case 'auth-result':
      (event.ok ? m.authSuccess : m.authFailures).inc({ country, authtype: event.authtype });
      return;
    case 'config-request':
      m.configRequests.inc({ retry: retryLabel(event.retry) });
      return;
    case 'config-request-failure':
      m.configFailures.inc({ type: event.hard ? 'hard' : 'soft', retry: retryLabel(event.retry), reason: event.reason });
      return;
    case 'session-open':
      m.activeSessions.inc();
      return;
    case 'session-close':
      m.activeSessions.dec();
      return;
    case 'policy-refusal':
      m.policyRefusals.inc({ code: event.code });
      return;
    default:
      recordLifecycle(m, event, active);
  }
}

function recordLifecycle(m: MetricSet, event: LifecycleEvent, active: Set<string>): void {
  switch (event.type) {
    case 'docker-request':
      m.backendRequests.inc({ backend: 'docker' });
      if (!event.ok) m.backendErrors.inc({ backend: 'docker' });
      m.dockerRequests.inc({ op: event.op, outcome: outcome(event.ok) });
      return;
    case 'container-created':
      m.containersCreated.inc({ mode: event.mode });
      active.add(event.id);
      m.activeContainers.set(active.size);
      return;
    case 'container-removed':
      if (event.orphan) m.orphansRemoved.inc();
      active.delete(event.id);
      m.activeContainers.set(active.size);
      return;
    case 'container-remove-failed':
      m.removeFailures.inc();
      return;
    case 'container-remove-retry':
      m.removeRetries.inc({ outcome: outcome(event.ok) });
      return;
    case 'reconcile-pass':
      m.reconcilePasses.inc({ outcome: outcome(event.ok) });
      return;
    case 'phase-end':
      recordPhase(m, event);
      return;
    case 'pool-hit':
      m.poolHits.inc();
      return;
    case 'pool-miss':
      m.poolMisses.inc({ reason: event.reason });
      return;
    case 'pool-size':
      m.poolIdle.set(event.idle);
      return;
    case 'pool-fill-failed':
      m.poolFillFailures.inc();
      return;
    default:
      return;
  }
}

function recordPhase(m: MetricSet, event: Extract<LifecycleEvent, { type: 'phase-end' }>): void {
  const labels = { outcome: outcome(event.ok) };
  const seconds = event.ms / 1000;
  switch (event.phase) {
    case 'create':
      m.containerCreate.observe(labels, seconds);
      return;
    case 'start':
      m.containerStart.observe(labels, seconds);
      return;
    case 'remove':
      m.containerRemove.observe(labels, seconds);
      return;
    case 'pull':
      m.pulls.inc(labels);
      m.pullDuration.observe(labels, seconds);
      return;
    default:
      return;
  }
}
