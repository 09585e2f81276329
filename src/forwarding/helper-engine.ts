// The forwarding module's only door to the Docker engine: image policy, helper create/start/remove, relay execs.
import type { Duplex } from 'node:stream';
import type { DockerExecutionConfig, DockerTimeoutsConfig } from '../config/types.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { ContainerCreateSpec, DockerEngine } from '../backend/docker/engine/docker-engine.js';
import { statusOf } from '../backend/docker/engine/docker-engine.js';
import { emitEvent } from '../backend/docker/phases.js';
import { ensureImage } from '../backend/docker/image/image-policy.js';
import { createWithEvents, removeWithEvents, startWithEvents, type OpsContext } from '../backend/docker/lifecycle/container-ops.js';

/** What a helper container is made of. */
export interface HelperSpec {
  image: string;
  /** The helper's main process (keeps it running; exec'd relays do the work). */
  command: string[];
  /** The container whose network (and process) namespaces the helper joins. */
  targetId: string;
  labels: Record<string, string>;
}

/**
 * The Docker calls forwarding makes, each bounded by `signal`. Failures reject with a CsshError (or the engine's
 * error for execs); remove() never throws and reports a failed removal to the janitor (container-remove-failed).
 */
export interface HelperEngine {
  /** Applies docker.execution.imagePullPolicy to `image` (pulling it when the policy says so). */
  ensureImage(image: string, signal: AbortSignal): Promise<void>;
  /** The labels of a container (the target's, copied onto its helper). */
  labelsOf(id: string, signal: AbortSignal): Promise<Record<string, string>>;
  /** Creates and starts a helper; resolves with its id. A start that fails removes what it created. */
  startHelper(spec: HelperSpec, signal: AbortSignal): Promise<string>;
  /** Runs `cmd` as `user` ("uid:gid") in the container with stdin attached, no TTY; resolves with the multiplexed exec stream. */
  exec(containerId: string, cmd: string[], user: string, signal: AbortSignal): Promise<Duplex>;
  /** Force-removes a container on the containerStop deadline; 404 counts as removed. */
  remove(containerId: string): Promise<void>;
  /** Resolves once the container has stopped or is gone; rejects when `signal` aborts or the engine fails. */
  untilStopped(containerId: string, signal: AbortSignal): Promise<void>;
}

export interface DockerHelperEngineOptions {
  engine: DockerEngine;
  execution: DockerExecutionConfig;
  timeouts: DockerTimeoutsConfig;
  logger: Logger;
  onEvent?: EventSink;
}

/** The user TCP relays run as: nobody, with no capabilities. */
export const RELAY_USER = '65534:65534';

/**
 * The HostConfig of a helper: joined to the target, gone as soon as it stops. Its only capability is SYS_PTRACE,
 * and only processes run as root have it: Unix-socket relays of a root container need it to reach the container's
 * files through /proc/1/root (relays of a non-root container run as that user and need nothing); TCP relays run as
 * RELAY_USER with no capabilities at all.
 */
export function helperHostConfig(targetId: string): Record<string, unknown> {
  return {
    NetworkMode: `container:${targetId}`,
    // Sharing the target's PID namespace makes the kernel end the helper when the target's main process ends,
    // and AutoRemove then deletes it: the target's removal never waits for, nor depends on, the helper.
    PidMode: `container:${targetId}`,
    AutoRemove: true,
    CapDrop: ['ALL'],
    CapAdd: ['SYS_PTRACE'],
    SecurityOpt: ['no-new-privileges'],
    ReadonlyRootfs: true,
  };
}

export function dockerHelperEngine(o: DockerHelperEngineOptions): HelperEngine {
  const ops: OpsContext = { engine: o.engine, logger: o.logger, onEvent: o.onEvent };
  // The metrics count a container out once, however many paths report its removal.
  const reportRemoved = (id: string): void => emitEvent(o.onEvent, { type: 'container-removed', id, orphan: false });
  return {
    ensureImage: (image, signal) =>
      ensureImage(o.engine, { ...o.execution, container: { ...o.execution.container, Image: image } }, { signal, logger: o.logger, onEvent: o.onEvent }),
    labelsOf: async (id, signal) => ({ ...(await o.engine.inspectContainer(id, signal)).labels }),
    startHelper: async (spec, signal) => {
      const body: ContainerCreateSpec = {
        Image: spec.image,
        Entrypoint: spec.command,
        Labels: spec.labels,
        // Root only so that exec'd Unix-socket relays can be root (the capability set follows the container's user).
        User: '0:0',
        HostConfig: helperHostConfig(spec.targetId),
      };
      const limits = { attemptMs: o.timeouts.containerStart, stopMs: o.timeouts.containerStop };
      const id = await createWithEvents(ops, body, o.execution.mode, signal, limits);
      try {
        await startWithEvents(ops, id, signal);
      } catch (error) {
        await removeWithEvents(ops, id, o.timeouts.containerStop);
        throw error;
      }
      return id;
    },
    exec: async (containerId, cmd, user, signal) => {
      const execId = await o.engine.createExec(containerId, { cmd, env: [], tty: false, consoleSize: false, user }, signal);
      return o.engine.startExec(execId, false, signal);
    },
    untilStopped: (containerId, signal) => o.engine.waitContainer(containerId, signal),
    remove: async (containerId) => {
      try {
        await o.engine.removeContainer(containerId, AbortSignal.timeout(o.timeouts.containerStop));
        reportRemoved(containerId);
      } catch (error) {
        // 404: gone; 409: its AutoRemove is already under way (the target's main process ended first).
        const status = statusOf(error);
        if (status === 404 || status === 409) reportRemoved(containerId);
        else await removeWithEvents(ops, containerId, o.timeouts.containerStop);
      }
    },
  };
}
