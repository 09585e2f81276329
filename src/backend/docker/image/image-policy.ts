// The image pull policy at connection time (IfNotPresent / Always / Never), with retries, credentials, events and clear errors.
import type { DockerExecutionConfig, ImagePullPolicy } from '../../../config/types.js';
import { CsshError } from '../../../core/errors.js';
import type { EventSink, LifecycleEvent } from '../../../core/events.js';
import type { Logger } from '../../../core/logger.js';
import { retry } from '../../../core/retry.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { ImageCode } from './image-codes.js';
import { classifyPullFailure, engineMessage, imageNotFoundError, listingFailedError, pullFailedError } from './image-errors.js';
import { parseImageReference, type ImageReference } from './image-name.js';
import { inspectImage, pullImage, type ImagePresence, type PullProgressLine } from './image-pull.js';
import { resolveCredentials, type ResolvedCredentials } from './registry-auth.js';

export { inspectImage, pullImage, type ImagePresence, type PullProgressLine } from './image-pull.js';
export { parseImageReference, familiarName, type ImageReference } from './image-name.js';

/** ContainerSSH waits 10 s between attempts of an image call. */
export const IMAGE_RETRY_INTERVAL_MS = 10_000;

export interface EnsureImageOptions {
  /** The whole image step's deadline (ContainerSSH: docker.timeouts.containerStart). */
  signal: AbortSignal;
  logger: Logger;
  onEvent?: EventSink;
  /** Wait between attempts; default 10 s. */
  intervalMs?: number;
  /** Directory of the Docker CLI config.json for credentials; default $DOCKER_CONFIG or ~/.docker. */
  dockerConfigDir?: string;
}

/** What the policy does for an image in a given state. */
export type PullAction = 'none' | 'pull' | 'fail';

/** Always pulls; IfNotPresent pulls only when absent; Never pulls nothing and fails when absent. */
export function decidePull(policy: ImagePullPolicy, present: boolean | undefined): PullAction {
  if (policy === 'Always') return 'pull';
  if (present === true) return 'none';
  return policy === 'Never' ? 'fail' : 'pull';
}

/** The configured image, parsed; CsshError(DOCKER_CONFIG_ERROR) when missing or invalid. */
export function configuredImage(execution: DockerExecutionConfig): ImageReference {
  const image = typeof execution.container.Image === 'string' ? execution.container.Image : '';
  if (image.trim() === '') {
    throw new CsshError(ImageCode.CONFIG_ERROR, 'no image name specified: set docker.execution.container.image', {
      permanent: true,
      userMessage: 'Failed to initialize SSH session.',
    });
  }
  return parseImageReference(image);
}

/**
 * Applies docker.execution.imagePullPolicy to the configured image: inspects it (IfNotPresent, Never), pulls it when
 * the policy says so (with docker.execution.auth or ~/.docker/config.json credentials), retrying transient failures
 * every 10 s until `signal` aborts. Rejects with CsshError: DOCKER_IMAGE_NOT_FOUND (Never + absent),
 * DOCKER_IMAGE_PULL_FAILED (permanent for unknown image/tag and bad or missing credentials), DOCKER_UNAVAILABLE,
 * DOCKER_IMAGE_LISTING_FAILED or DOCKER_CONFIG_ERROR. Emits image-check/pull phases, pull-progress and docker-request.
 */
export async function ensureImage(engine: DockerEngine, execution: DockerExecutionConfig, opts: EnsureImageOptions): Promise<void> {
  const ref = configuredImage(execution);
  const policy = execution.imagePullPolicy;
  let present: boolean | undefined;
  if (policy !== 'Always' || ref.isId) {
    present = (await checkPresence(engine, ref, opts)).present;
  }
  const action = ref.isId && present === true ? 'none' : decidePull(policy, present);
  opts.logger.debug(ImageCode.PULL_NEEDED_CHECKING, `imagePullPolicy ${policy}: ${describeAction(action, present)}`, {
    image: ref.canonical,
  });
  if (action === 'none') return;
  if (action === 'fail' || ref.isId) throw imageNotFoundError(ref, policy);
  await pullWithRetry(engine, ref, execution, opts);
}

function describeAction(action: PullAction, present: boolean | undefined): string {
  const state = present === undefined ? 'not checked' : present ? 'present' : 'absent';
  return `image ${state}, ${action === 'none' ? 'no pull' : action === 'pull' ? 'pulling' : 'cannot start'}`;
}

/** Inspects with retries (404 = absent); the engine being unreachable fails at once. Emits the image-check phase. */
export async function checkPresence(engine: DockerEngine, ref: ImageReference, opts: EnsureImageOptions): Promise<ImagePresence> {
  return timedPhase(opts, 'image-check', ref.canonical, () => inspectWithRetry(engine, ref, opts));
}

async function inspectWithRetry(engine: DockerEngine, ref: ImageReference, opts: EnsureImageOptions): Promise<ImagePresence> {
  opts.logger.debug(ImageCode.LISTING, `checking whether ${ref.canonical} is present`, { image: ref.canonical });
  try {
    return await retry(
      (signal) => counted(opts, 'image-inspect', () => inspectImage(engine, ref.canonical, signal)),
      {
        signal: opts.signal,
        intervalMs: opts.intervalMs ?? IMAGE_RETRY_INTERVAL_MS,
        isPermanent: (error) => classifyPullFailure(error) === 'unavailable',
        onRetry: (error) =>
          opts.logger.notice(ImageCode.LISTING_FAILED, `failed to inspect ${ref.canonical}, retrying`, { error: engineMessage(error) }),
      },
    );
  } catch (error) {
    throw listingFailedError(engine, ref, error);
  }
}

/** Pulls with credentials, retrying transient failures until the deadline; permanent ones fail at once. Emits the pull phase. */
export async function pullWithRetry(
  engine: DockerEngine,
  ref: ImageReference,
  execution: Pick<DockerExecutionConfig, 'auth'>,
  opts: EnsureImageOptions,
): Promise<void> {
  return timedPhase(opts, 'pull', ref.canonical, () => pullAttempts(engine, ref, execution, opts));
}

async function pullAttempts(
  engine: DockerEngine,
  ref: ImageReference,
  execution: Pick<DockerExecutionConfig, 'auth'>,
  opts: EnsureImageOptions,
): Promise<void> {
  const resolved: ResolvedCredentials | undefined = await resolveCredentials(ref.registry, execution.auth, {
    logger: opts.logger,
    ...(opts.dockerConfigDir === undefined ? {} : { dockerConfigDir: opts.dockerConfigDir }),
  });
  opts.logger.info(ImageCode.PULL, `pulling ${ref.canonical}`, {
    image: ref.canonical,
    credentials: resolved?.source ?? 'none',
  });
  const onProgress = (line: PullProgressLine): void => emit(opts.onEvent, progressEvent(line));
  try {
    await retry(
      (signal) => counted(opts, 'image-pull', () => pullImage(engine, ref, resolved?.credentials, { signal, onProgress })),
      {
        signal: opts.signal,
        intervalMs: opts.intervalMs ?? IMAGE_RETRY_INTERVAL_MS,
        isPermanent: (error) => classifyPullFailure(error) !== 'transient',
        onRetry: (error) =>
          opts.logger.notice(ImageCode.PULL_FAILED, `failed to pull ${ref.canonical}, retrying`, { error: engineMessage(error) }),
      },
    );
  } catch (error) {
    throw pullFailedError(engine, ref, error, resolved?.source, opts.signal.aborted);
  }
}

function progressEvent(line: PullProgressLine): LifecycleEvent {
  const detail = line.progressDetail ?? {};
  return {
    type: 'pull-progress',
    layer: line.id ?? '',
    status: line.status ?? '',
    ...(typeof detail.current === 'number' ? { current: detail.current } : {}),
    ...(typeof detail.total === 'number' ? { total: detail.total } : {}),
  };
}

async function counted<T>(opts: EnsureImageOptions, op: string, fn: () => Promise<T>): Promise<T> {
  try {
    const result = await fn();
    emit(opts.onEvent, { type: 'docker-request', op, ok: true });
    return result;
  } catch (error) {
    emit(opts.onEvent, { type: 'docker-request', op, ok: false });
    throw error;
  }
}

async function timedPhase<T>(
  opts: EnsureImageOptions,
  phase: 'image-check' | 'pull',
  detail: string,
  fn: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  emit(opts.onEvent, { type: 'phase-start', phase, detail });
  try {
    const result = await fn();
    emit(opts.onEvent, { type: 'phase-end', phase, ms: Date.now() - started, ok: true, detail });
    return result;
  } catch (error) {
    emit(opts.onEvent, { type: 'phase-end', phase, ms: Date.now() - started, ok: false, detail });
    throw error;
  }
}

function emit(onEvent: EventSink | undefined, event: LifecycleEvent): void {
  try {
    onEvent?.(event);
  } catch {
    // event consumers must not throw; a faulty one must not break the pull
  }
}
