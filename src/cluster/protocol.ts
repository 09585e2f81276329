// The messages between the primary of serve --workers and its workers (node:cluster IPC, structured-clone serialisation).
import type { ServeSummary } from '../app.js';
import type { AppConfig, DockerConnectionConfig } from '../config/types.js';
import type { CsshEvent } from '../core/events.js';
import type { SlotLimits, SlotRefusal } from '../security/connection-slots.js';

/** What a worker needs to start: the configuration the primary resolved (file, zero-config defaults, flags). */
export interface WorkerStart {
  config: AppConfig;
  stateDir: string;
  /** The primary's instance id: every worker labels its containers with it. */
  instanceId: string;
  onlyUser?: string;
  /** 1..N; a replacement keeps the number of the worker it replaces. */
  index: number;
}

export type ToWorker =
  | { t: 'start'; start: WorkerStart }
  /** Drain as on a first SIGTERM. */
  | { t: 'stop' }
  /** Force the drain under way, as on a second SIGTERM. */
  | { t: 'force' }
  | { t: 'ready?'; id: number }
  /** The answer to slot-take `id`: granted, or the cap that refused it. */
  | { t: 'slot'; id: number; refused?: SlotRefusal };

export type FromWorker =
  /** The worker listens for messages now (one sent earlier would have been lost): send it the start message. */
  | { t: 'hello' }
  | { t: 'listening'; summary: ServeSummary }
  | { t: 'failed'; code: string; message: string }
  /** Events for the primary's metrics, in the order they happened. */
  | { t: 'events'; events: CsshEvent[] }
  /** A connection id became live (a connection of this worker may own containers) or stopped being live. */
  | { t: 'live'; id: string; on: boolean }
  | { t: 'engine'; connection: DockerConnectionConfig }
  | { t: 'ready'; id: number; ok: boolean }
  /** A connection asks for a slot under its caps (security.maxConnections*, counted server-wide by the primary). */
  | { t: 'slot-take'; id: number; username: string; limits: SlotLimits }
  /** A connection holding a slot ended. */
  | { t: 'slot-give'; username: string };

export function isFromWorker(value: unknown): value is FromWorker {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}

export function isToWorker(value: unknown): value is ToWorker {
  return isFromWorker(value);
}
