// serve's promise that every container it creates is removed: instance id, start-up sweep, retry queue, reconciler, shutdown sweep.
import type { DockerConnectionConfig, InstanceConfig } from '../../../config/types.js';
import type { Backend, ConnectionHandler } from '../../../core/contracts.js';
import type { CsshEvent, EventSink } from '../../../core/events.js';
import type { Logger } from '../../../core/logger.js';
import { deadline } from '../../../core/retry.js';
import { DockerCode } from '../codes.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { unprobedEngine } from '../engine/open-engine.js';
import { acquireInstanceId, type InstanceIdentity } from './instance-id.js';
import { LiveConnections, Reconciler } from './reconciler.js';
import { dockerJanitorEngine, RemovalQueue, type JanitorEngine } from './removal-queue.js';

export interface JanitorOptions {
  /** serve's state directory (keeps the instance id). */
  stateDir: string;
  /** --instance, which wins over `instance.id`. */
  instanceFlag?: string;
  instance: InstanceConfig;
  /** The engine serve opened at start-up (docker.connection of the server's configuration). */
  primary: { engine: DockerEngine; connection: DockerConnectionConfig };
  /** Bound of one list or remove call (docker.timeouts.containerStop), ms. */
  attemptMs: number;
  logger: Logger;
  onEvent?: EventSink;
  /** Retry queue waits (tests). */
  retryDelaysMs?: number[];
  /** Engine seam (tests): how a connection config becomes an engine. */
  engineFor?: (connection: DockerConnectionConfig) => Promise<JanitorEngine>;
  /** serve --workers (src/cluster): the live set the reconciler consults, and false in a worker, whose primary sweeps. */
  live?: LiveConnections;
  sweeps?: boolean;
  /** Hears of each engine a connection uses that this janitor did not know yet (a worker tells its primary). */
  onEngine?: (connection: DockerConnectionConfig) => void;
}

export interface ContainerJanitor {
  /** The cssh.instance label value of this server's containers. */
  readonly instanceId: string;
  /** Containers of an earlier run of this instance removed by the start-up sweep. */
  readonly orphansRemoved: number;
  /** The backend, with every connection tracked as live while it lasts and failed removals retried. */
  wrap(backend: Backend): Backend;
  /** One periodic pass now (tests, operators); resolves with the number removed. */
  reconcile(): Promise<number>;
  /** Puts the engine of `connection` under the reconciler (a worker of serve --workers used it). */
  watchEngine(connection: DockerConnectionConfig): void;
  /**
   * Marks a cssh.connection label value live until the returned function is called, like a connection's own id:
   * the warm pool's slot ids, so the reconciler spares its containers (and a worker's primary learns them).
   */
  track(id: string): () => void;
  /** An event sink that hands failed removals on the primary engine to the retry queue, then passes events to `next`. */
  primaryEvents(next?: EventSink): EventSink;
  /** Stops the timer, sweeps every container of this instance, drains the retry queue, gives the id back. Never throws. */
  stop(): Promise<void>;
}

/**
 * Acquires the instance id (see instance-id.ts), removes what an earlier run of this instance left on the primary
 * engine, and starts the reconciler (every instance.reconcileInterval; 0 = never). Call stop() after the SSH server
 * has shut down. Rejects only when the instance id cannot be had (a CsshError naming the file or flag).
 */
export async function startContainerJanitor(o: JanitorOptions): Promise<ContainerJanitor> {
  const override = o.instanceFlag !== undefined
    ? { id: o.instanceFlag, source: 'flag' as const }
    : o.instance.id !== '' ? { id: o.instance.id, source: 'config' as const } : undefined;
  const identity = await acquireInstanceId({ stateDir: o.stateDir, override });
  if (o.sweeps !== false) logIdentity(o.logger, identity);
  const janitor = new Janitor(o, identity);
  await janitor.startUp();
  return janitor;
}

function logIdentity(logger: Logger, identity: InstanceIdentity): void {
  const labels = { instanceId: identity.id, source: identity.source };
  if (identity.note === undefined) logger.info(DockerCode.INSTANCE_ID, `Instance id ${identity.id} (from ${identity.source}).`, labels);
  else logger.warning(DockerCode.INSTANCE_ID, `Instance id ${identity.id}: ${identity.note}.`, labels);
}

const connectionKey = (connection: DockerConnectionConfig): string => JSON.stringify(connection);

async function defaultEngineFor(connection: DockerConnectionConfig): Promise<JanitorEngine> {
  return dockerJanitorEngine(await unprobedEngine(connection));
}

class Janitor implements ContainerJanitor {
  readonly instanceId: string;
  orphansRemoved = 0;
  private readonly live: LiveConnections;
  private readonly queue: RemovalQueue;
  private readonly reconciler: Reconciler;
  /** Every engine a connection of this server used, by connection config; the primary one first. */
  private readonly engines = new Map<string, Promise<JanitorEngine>>();
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly o: JanitorOptions, private readonly identity: InstanceIdentity) {
    this.instanceId = identity.id;
    this.live = o.live ?? new LiveConnections();
    this.queue = new RemovalQueue({ logger: o.logger, onEvent: o.onEvent, attemptMs: o.attemptMs, delaysMs: o.retryDelaysMs });
    this.reconciler = new Reconciler({
      instanceId: identity.id, live: this.live, queue: this.queue, logger: o.logger, onEvent: o.onEvent,
      graceMs: Math.max(0, o.instance.reconcileGrace), attemptMs: o.attemptMs,
    });
    this.engines.set(connectionKey(o.primary.connection), Promise.resolve(dockerJanitorEngine(o.primary.engine)));
  }

  async startUp(): Promise<void> {
    if (this.o.sweeps === false) return;
    this.orphansRemoved = await this.reconciler.pass(await this.allEngines(), 'startup');
    const every = this.o.instance.reconcileInterval;
    if (every > 0) {
      this.timer = setInterval(() => void this.reconcile(), every);
      this.timer.unref();
    }
  }

  private engine(connection: DockerConnectionConfig): Promise<JanitorEngine> {
    const key = connectionKey(connection);
    let engine = this.engines.get(key);
    if (engine === undefined) {
      engine = (this.o.engineFor ?? defaultEngineFor)(connection);
      this.engines.set(key, engine);
      engine.catch(() => this.engines.delete(key));
    }
    return engine;
  }

  private async allEngines(): Promise<JanitorEngine[]> {
    const settled = await Promise.allSettled(this.engines.values());
    return settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  async reconcile(): Promise<number> {
    return this.reconciler.pass(await this.allEngines(), 'periodic');
  }

  /** Feeds the removal queue from the connection's events; passes every event on. */
  private observer(connection: DockerConnectionConfig, next: EventSink | undefined): EventSink {
    return (event: CsshEvent) => {
      if (event.type === 'container-remove-failed') {
        this.engine(connection).then((engine) => this.queue.add(engine, event.id), (error: unknown) => {
          this.o.logger.error(DockerCode.REMOVE_GAVE_UP, 'No engine to retry the removal on; the reconciler cannot see it either.', { containerId: event.id, error: String(error) });
        });
      } else if (event.type === 'container-removed') {
        this.queue.forget(event.id);
      }
      next?.(event);
    };
  }

  wrap(backend: Backend): Backend {
    return {
      connect: async (ctx, signal) => {
        const release = this.live.track(ctx.info.connectionId);
        const connection = ctx.config.docker.connection;
        // A connection on another engine (chosen by the config server) puts that engine under the reconciler too.
        if (!this.engines.has(connectionKey(connection))) {
          this.watchEngine(connection);
          this.o.onEngine?.(connection);
        }
        try {
          const handler = await backend.connect({ ...ctx, onEvent: this.observer(connection, ctx.onEvent) }, signal);
          return releasing(handler, release);
        } catch (error) {
          release();
          throw error;
        }
      },
    };
  }

  track(id: string): () => void {
    return this.live.track(id);
  }

  primaryEvents(next?: EventSink): EventSink {
    return this.observer(this.o.primary.connection, next);
  }

  watchEngine(connection: DockerConnectionConfig): void {
    void this.engine(connection).catch(() => undefined);
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    clearInterval(this.timer);
    try {
      if (this.o.sweeps !== false) await this.reconciler.pass(await this.allEngines(), 'shutdown');
      const left = await this.queue.drain(deadline(this.o.attemptMs));
      if (left.length > 0) {
        this.o.logger.error(DockerCode.REMOVE_GAVE_UP, `${left.length} container(s) could not be removed before exit; the next start of this instance removes them, or \`cssh sweep --instance ${this.instanceId}\`.`, {
          instanceId: this.instanceId, containers: left.join(' '),
        });
      }
    } finally {
      await this.identity.release();
    }
  }
}

/** The handler, whose connection stops counting as live once it has shut down or closed. */
function releasing(handler: ConnectionHandler, release: () => void): ConnectionHandler {
  return {
    openSession: (info) => handler.openSession(info),
    forwarding: handler.forwarding,
    shutdown: async (deadlineSignal) => {
      try {
        await handler.shutdown(deadlineSignal);
      } finally {
        release();
      }
    },
    close: async () => {
      try {
        await handler.close();
      } finally {
        release();
      }
    },
  };
}
