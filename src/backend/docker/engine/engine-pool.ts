// Docker engines shared per distinct connection config, and the image step of a connect; the seams to the image module.
import type { DockerConnectionConfig, DockerExecutionConfig, DockerTimeoutsConfig } from '../../../config/types.js';
import type { EventSink } from '../../../core/events.js';
import type { Logger } from '../../../core/logger.js';
import type { DockerEngine } from './docker-engine.js';
import { openDockerEngine } from './open-engine.js';
import { ensureImage } from '../image/image-policy.js';

/** Opens an engine for a connection config: pings the engine and negotiates the API version; fails fast. */
export type ClientOpener = (conn: DockerConnectionConfig, timeouts: DockerTimeoutsConfig, signal: AbortSignal) => Promise<DockerEngine>;

/** Applies the image pull policy (pulling if needed); rejects with a CsshError that says what to do. */
export type ImageEnsurer = (
  engine: DockerEngine,
  execution: DockerExecutionConfig,
  opts: { signal: AbortSignal; logger: Logger; onEvent?: EventSink },
) => Promise<void>;

/** The image module's opener: endpoint resolution, bounded ping, API version negotiation. */
export const defaultOpener: ClientOpener = (conn, timeouts, signal) => openDockerEngine(conn, timeouts, signal);

/** The image module's policy step: presence check, pull with credentials, fail-fast permanent errors. */
export const defaultEnsurer: ImageEnsurer = (engine, execution, opts) => ensureImage(engine, execution, opts);

/** Caches one engine per distinct connection config; a failed open is not cached. */
export class ClientPool {
  private readonly engines = new Map<string, Promise<DockerEngine>>();

  constructor(private readonly opener: ClientOpener) {}

  /**
   * The shared open runs on its own deadline (containerStart), so one caller giving up does not fail the others;
   * each caller still stops waiting when its own `signal` aborts.
   */
  async get(conn: DockerConnectionConfig, timeouts: DockerTimeoutsConfig, signal: AbortSignal): Promise<DockerEngine> {
    const key = JSON.stringify(conn);
    let pending = this.engines.get(key);
    if (pending === undefined) {
      pending = this.opener(conn, timeouts, AbortSignal.timeout(timeouts.containerStart));
      this.engines.set(key, pending);
      pending.catch(() => this.engines.delete(key));
    }
    if (signal.aborted) throw signal.reason;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([pending, aborted]);
    } finally {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    }
  }
}
