// Warm pool (docker.pool): started connection-mode containers kept ready, handed to logins whose container spec matches.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig, DockerExecutionConfig } from '../../../config/types.js';
import type { ConnectionContext } from '../../../core/contracts.js';
import { isCsshError } from '../../../core/errors.js';
import type { EventSink } from '../../../core/events.js';
import type { Logger } from '../../../core/logger.js';
import { deadline, releasableDeadline } from '../../../core/retry.js';
import { DockerCode } from '../codes.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { defaultEnsurer, type ImageEnsurer } from '../engine/engine-pool.js';
import { configuredImage } from '../image/image-policy.js';
import { emitEvent } from '../phases.js';
import { createAndStart, type ConnectionContainer } from './connection-container.js';
import { removeWithEvents, type OpsContext } from './container-ops.js';
import { writeFiles } from './file-upload.js';
import { connectionBody } from './container-spec.js';
import { NEUTRAL_INFO, poolBody, specKey } from './pool-spec.js';

/** Waits after consecutive failed fills: doubling from 1 s, then every 60 s while the failure lasts. */
export const DEFAULT_FILL_BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000];

export interface WarmPoolOptions {
  /** The server's configuration: the pool keeps containers for its spec (docker.pool: size, maxIdle). */
  config: AppConfig;
  /** The engine of config.docker.connection. */
  engine: DockerEngine;
  instanceId: string;
  logger: Logger;
  /** Metrics, and the janitor's retries of failed removals. */
  onEvent?: EventSink;
  /** Marks a pool slot id (the cssh.connection label of a pool container) live for the reconciler until released. */
  track: (slotId: string) => () => void;
  /** Image policy step (tests); defaults to the image module's. */
  ensureImage?: ImageEnsurer;
  /** Waits after failed fills (tests). */
  backoffMs?: number[];
  /** How often ready containers are checked against maxIdle, ms (default: a quarter of maxIdle, 1 to 30 s). */
  checkEveryMs?: number;
  /** Clock seam (tests), ms since the epoch. */
  now?: () => number;
}

/** Why a login did not get a ready container. */
export type PoolMiss = 'empty' | 'spec' | 'stale';

interface Slot {
  container: ConnectionContainer;
  slotId: string;
  /** Stops vouching for the slot id (the reconciler may then remove a container carrying it). */
  release: () => void;
  createdMs: number;
  /** The image id the container was created from. */
  imageId: string;
}

/** Whether the configuration can use a pool; the reason when it cannot (size 0 is simply off). */
export function poolUnusable(config: AppConfig): string | undefined {
  const execution = config.docker.execution;
  if (execution.mode !== 'connection') return 'the warm pool only serves execution mode "connection"';
  if (execution.containername !== '') return 'a fixed container name (docker.execution.containername) allows one container at a time';
  return undefined;
}

/**
 * Creates and starts the pool when docker.pool.size > 0 and the configuration allows it (connection mode, no fixed
 * container name); undefined otherwise (a warning names why). Filling starts in the background at once.
 */
export function startWarmPool(o: WarmPoolOptions): WarmPool | undefined {
  if (o.config.docker.pool.size <= 0) return undefined;
  const unusable = poolUnusable(o.config);
  if (unusable !== undefined) {
    o.logger.warning('DOCKER_POOL_UNUSED', `docker.pool.size is ${o.config.docker.pool.size} but ${unusable}; no container is kept ready.`);
    return undefined;
  }
  const pool = new WarmPool(o);
  pool.start();
  return pool;
}

export class WarmPool {
  /** The spec key of the server's configuration: only logins with this key get a ready container. */
  readonly key: string;
  private readonly idle: Slot[] = [];
  private readonly stopped = new AbortController();
  private readonly now: () => number;
  private readonly backoff: number[];
  private readonly ops: OpsContext;
  private filling: Promise<void> | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly o: WarmPoolOptions) {
    this.key = specKey(o.config, connectionBody(o.config, NEUTRAL_INFO, o.instanceId));
    this.now = o.now ?? Date.now;
    this.backoff = o.backoffMs ?? DEFAULT_FILL_BACKOFF_MS;
    this.ops = { engine: o.engine, logger: o.logger, onEvent: o.onEvent };
  }

  /** Containers ready now. */
  get ready(): number {
    return this.idle.length;
  }

  private get size(): number {
    return this.o.config.docker.pool.size;
  }

  /** Logs the pool's settings, starts filling and the maxIdle check. */
  start(): void {
    const { size, maxIdle } = this.o.config.docker.pool;
    this.o.logger.info(DockerCode.POOL_STARTED, `Warm pool on: ${size} container(s) kept ready${maxIdle > 0 ? `, each replaced after ${maxIdle / 1000} s unused` : ''}.`, {
      size, maxIdleMs: maxIdle, spec: this.key, image: String(this.o.config.docker.execution.container.Image ?? ''),
    });
    emitEvent(this.o.onEvent, { type: 'pool-size', idle: 0 });
    if (maxIdle > 0) {
      const every = this.o.checkEveryMs ?? Math.min(30_000, Math.max(1_000, Math.floor(maxIdle / 4)));
      this.timer = setInterval(() => this.recycleOld(), every);
      this.timer.unref();
    }
    this.kick();
  }

  /**
   * A ready container for this login, or undefined (a miss: the caller creates one as usual). Only a login whose
   * spec key equals the pool's gets one, and only after the engine confirmed it still runs on the image the
   * configured name points at now. The login's files are written into it as into a fresh one.
   */
  async take(ctx: ConnectionContext, signal: AbortSignal): Promise<ConnectionContainer | undefined> {
    if (this.stopped.signal.aborted) return this.miss(ctx, 'empty');
    const key = specKey(ctx.config, connectionBody(ctx.config, ctx.info, this.o.instanceId));
    if (key !== this.key) return this.miss(ctx, 'spec', { spec: key, poolSpec: this.key });
    let stale = false;
    for (let slot = this.idle.shift(); slot !== undefined; slot = this.idle.shift()) {
      this.sizeChanged();
      this.kick();
      const why = await this.staleness(slot, deadline(ctx.config.docker.timeouts.commandStart, signal));
      if (signal.aborted) {
        // The login was given up meanwhile: the container is as good as before.
        this.idle.unshift(slot);
        this.sizeChanged();
        throw signal.reason;
      }
      if (why !== undefined) {
        stale = true;
        this.discard(slot, why);
        if (why === 'its image changed') for (const other of this.idle.filter((s) => s.imageId === slot?.imageId)) this.discard(other, why);
        continue;
      }
      return this.handOut(ctx, slot, signal);
    }
    return this.miss(ctx, stale ? 'stale' : 'empty');
  }

  /** Why a ready container must not be handed out (gone, stopped, image changed), or undefined. */
  private async staleness(slot: Slot, signal: AbortSignal): Promise<string | undefined> {
    const { engine, id } = slot.container;
    try {
      const [state, image] = await Promise.all([
        engine.inspectContainer(id, signal),
        engine.inspectImage(configuredImage(this.o.config.docker.execution).canonical, signal),
      ]);
      if (!state.running) return 'it is no longer running';
      if (!image.present || image.id !== slot.imageId) return 'its image changed';
      return undefined;
    } catch (error) {
      return `inspecting it failed (${String(error)})`;
    }
  }

  private async handOut(ctx: ConnectionContext, slot: Slot, signal: AbortSignal): Promise<ConnectionContainer> {
    const { engine, id } = slot.container;
    await writeFiles(engine, id, ctx.info.files, ctx.logger, deadline(ctx.config.docker.timeouts.commandStart, signal));
    emitEvent(this.o.onEvent, { type: 'pool-hit' });
    const labels = { containerId: id, slot: slot.slotId, connectionId: ctx.info.connectionId, username: ctx.info.username };
    ctx.logger.debug(DockerCode.POOL_HIT, 'The login took a ready container from the warm pool.', labels);
    // Docker cannot relabel a container: the name is what `docker ps` can show of whose it is now.
    const name = containerName(ctx.info.username, ctx.info.connectionId);
    engine.renameContainer(id, name, deadline(ctx.config.docker.timeouts.containerStop)).catch((error: unknown) => {
      this.o.logger.debug(DockerCode.POOL_HIT, 'Renaming the handed-out container failed; it keeps its name.', { containerId: id, name, error: String(error) });
    });
    return { ...slot.container, onRemoved: slot.release };
  }

  private miss(ctx: ConnectionContext, reason: PoolMiss, labels: Record<string, string> = {}): undefined {
    emitEvent(this.o.onEvent, { type: 'pool-miss', reason });
    ctx.logger.debug(DockerCode.POOL_MISS, `No ready container for this login (${reason}); creating one.`, { reason, ...labels });
    return undefined;
  }

  /** Starts filling unless a fill (or its backoff wait) is under way or the pool is stopped. */
  private kick(): void {
    if (this.filling !== undefined || this.stopped.signal.aborted || this.idle.length >= this.size) return;
    this.filling = this.fillLoop().finally(() => {
      this.filling = undefined;
    });
  }

  /** Makes containers one at a time until the pool is full; after a failure waits (backoff) before the next try. */
  private async fillLoop(): Promise<void> {
    while (!this.stopped.signal.aborted && this.idle.length < this.size) {
      try {
        await this.fillOne();
        this.failures = 0;
      } catch (error) {
        if (this.stopped.signal.aborted) return;
        const waitMs = this.backoff[Math.min(this.failures, this.backoff.length - 1)] ?? 60_000;
        this.failures += 1;
        emitEvent(this.o.onEvent, { type: 'pool-fill-failed' });
        this.o.logger.warning(DockerCode.POOL_FILL_FAILED, `The warm pool could not make a ready container; trying again in ${waitMs / 1000} s (logins create their own meanwhile).`, {
          cause: isCsshError(error) ? error.code : 'ENGINE_ERROR', error: String(error), retryInMs: waitMs, failures: this.failures,
        });
        // Ends at once when the pool stops; never keeps the process alive.
        await sleep(waitMs, undefined, { signal: this.stopped.signal, ref: false }).catch(() => undefined);
      }
    }
  }

  private async fillOne(): Promise<void> {
    const slotId = `pool-${randomBytes(8).toString('hex')}`;
    // Tracked before the create: the reconciler never sees a pool container nobody vouches for.
    const release = this.o.track(slotId);
    let cleanup = (): void => undefined;
    try {
      const { config, engine } = this.o;
      const { signal: limit, release: releaseLimit } = releasableDeadline(config.docker.timeouts.containerStart, this.stopped.signal);
      cleanup = releaseLimit;
      await (this.o.ensureImage ?? defaultEnsurer)(engine, fillExecution(config.docker.execution), {
        signal: limit, logger: this.o.logger, onEvent: this.o.onEvent,
      });
      const image = await engine.inspectImage(configuredImage(config.docker.execution).canonical, limit);
      if (!image.present) throw new Error('the image disappeared right after the image check');
      const container = await createAndStart(this.ops, config.docker, poolBody(config, this.o.instanceId, slotId, this.key), limit);
      if (this.stopped.signal.aborted) {
        await removeWithEvents(this.ops, container.id, config.docker.timeouts.containerStop);
        release();
        return;
      }
      this.idle.push({ container, slotId, release, createdMs: this.now(), imageId: image.id });
      this.sizeChanged();
      this.o.logger.debug(DockerCode.POOL_FILL, 'A container is ready in the warm pool.', { containerId: container.id, slot: slotId, ready: this.idle.length });
    } catch (error) {
      release();
      throw error;
    } finally {
      cleanup();
    }
  }

  /** Replaces ready containers older than maxIdle. */
  private recycleOld(): void {
    const { maxIdle } = this.o.config.docker.pool;
    const cutoff = this.now() - maxIdle;
    for (const slot of this.idle.filter((s) => s.createdMs <= cutoff)) this.discard(slot, `it was unused for docker.pool.maxIdle (${maxIdle / 1000} s)`);
    this.kick();
  }

  /** Takes a slot out of the pool and removes its container in the background; a failed removal goes to the janitor. */
  private discard(slot: Slot, why: string): void {
    const at = this.idle.indexOf(slot);
    if (at >= 0) {
      this.idle.splice(at, 1);
      this.sizeChanged();
    }
    this.o.logger.info(DockerCode.POOL_RECYCLED, `Removing a ready container of the warm pool: ${why}.`, { containerId: slot.container.id, slot: slot.slotId });
    void removeWithEvents(this.ops, slot.container.id, this.o.config.docker.timeouts.containerStop).finally(slot.release);
    this.kick();
  }

  private sizeChanged(): void {
    emitEvent(this.o.onEvent, { type: 'pool-size', idle: this.idle.length });
  }

  /** Stops filling and removes every ready container (handed-out ones are their connections'). Never throws. */
  stop(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  private async drain(): Promise<void> {
    this.stopped.abort(new Error('the warm pool is stopping'));
    clearInterval(this.timer);
    await this.filling?.catch(() => undefined);
    const slots = this.idle.splice(0);
    this.sizeChanged();
    const removed = await Promise.all(slots.map(async (slot) => {
      try {
        return await removeWithEvents(this.ops, slot.container.id, this.o.config.docker.timeouts.containerStop);
      } finally {
        slot.release();
      }
    }));
    this.o.logger.info(DockerCode.POOL_DRAINED, `Warm pool stopped: removed ${removed.filter(Boolean).length} ready container(s).`, {
      removed: removed.filter(Boolean).length, failed: removed.filter((ok) => !ok).length,
    });
  }
}

/**
 * The image step of a fill: the configured policy, except that Always checks presence only (a login under Always
 * pulls itself, and a ready container whose image id no longer matches the pulled one is not handed out).
 */
function fillExecution(execution: DockerExecutionConfig): DockerExecutionConfig {
  return execution.imagePullPolicy === 'Always' ? { ...execution, imagePullPolicy: 'IfNotPresent' } : execution;
}

/** The name a handed-out container gets: cssh-<user>-<connection id>, in the characters Docker allows. */
export function containerName(username: string, connectionId: string): string {
  const user = username.replace(/[^a-zA-Z0-9_.-]/g, '_').slice(0, 32);
  return `cssh-${user === '' ? 'user' : user}-${connectionId}`;
}
