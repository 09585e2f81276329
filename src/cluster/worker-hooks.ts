// What a worker of serve --workers changes in the composition root: log labels, where events go, the janitor's seams.
import type { LiveConnections } from '../backend/docker/lifecycle/reconciler.js';
import type { DockerConnectionConfig } from '../config/types.js';
import type { EventSink } from '../core/events.js';
import type { LogLabels } from '../core/logger.js';
import type { ConnectionSlots } from '../security/connection-slots.js';

export interface WorkerHooks {
  /** Labels on every log line of this worker (worker number and pid). */
  logLabels: LogLabels;
  /** Where this worker's events go instead of a metrics registry of its own (the primary counts them). */
  onEvent: EventSink;
  /** Connection ids reported live to the primary, no sweeps of its own, every engine used reported. */
  janitor: { live: LiveConnections; sweeps: false; onEngine: (connection: DockerConnectionConfig) => void };
  /** Connection slots (security.maxConnections*) counted by the primary for the whole server. */
  slots: ConnectionSlots;
}
