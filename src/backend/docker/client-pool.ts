// Docker clients shared per distinct connection config, and the image step of a connect; the seams to the image module.
import type Dockerode from 'dockerode';
import type { DockerConnectionConfig, DockerExecutionConfig, DockerTimeoutsConfig } from '../../config/types.js';
import { CsshError } from '../../core/errors.js';
import type { EventSink } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import { openDockerClient } from './docker-client.js';
import { statusOf } from './docker-api.js';

/** A ready client (same shape as the image module's DockerClientHandle). */
export interface ClientHandle {
  docker: Dockerode;
  endpoint: string;
  apiVersion: string;
}

/** Opens a client for a connection config: pings the engine and negotiates the API version; fails fast. */
export type ClientOpener = (conn: DockerConnectionConfig, timeouts: DockerTimeoutsConfig, signal: AbortSignal) => Promise<ClientHandle>;

/** Applies the image pull policy (pulling if needed); rejects with a CsshError that says what to do. */
export type ImageEnsurer = (
  docker: Dockerode,
  execution: DockerExecutionConfig,
  opts: { signal: AbortSignal; logger: Logger; onEvent?: EventSink },
) => Promise<void>;

/** The image module's opener: endpoint resolution, bounded ping, API version negotiation. */
export const defaultOpener: ClientOpener = (conn, timeouts, signal) => openDockerClient(conn, timeouts, signal);

/** Minimal local image check: the image must be present (pulls belong to the image module). */
export const localEnsurer: ImageEnsurer = async (docker, execution, opts) => {
  const image = execution.container.Image ?? '';
  try {
    await docker.getImage(image).inspect({ abortSignal: opts.signal } as object);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    throw new CsshError('DOCKER_IMAGE_NOT_FOUND', `The image ${image} is not present on the Docker engine; pull it first.`, {
      permanent: true, userMessage: 'Failed to initialize SSH session.',
    });
  }
};

/** Caches one client per distinct connection config; a failed open is not cached. */
export class ClientPool {
  private readonly clients = new Map<string, Promise<ClientHandle>>();

  constructor(private readonly opener: ClientOpener) {}

  async get(conn: DockerConnectionConfig, timeouts: DockerTimeoutsConfig, signal: AbortSignal): Promise<ClientHandle> {
    const key = JSON.stringify(conn);
    let pending = this.clients.get(key);
    if (pending === undefined) {
      pending = this.opener(conn, timeouts, signal);
      this.clients.set(key, pending);
      pending.catch(() => this.clients.delete(key));
    }
    return pending;
  }
}
