// What `cssh image pull-check` reports: engine, API version, image, local presence, and what the pull policy will do.
import type { AppConfig, ImagePullPolicy } from '../../../config/types.js';
import { CsshError, describeCause, isCsshError } from '../../../core/errors.js';
import type { EventSink } from '../../../core/events.js';
import type { Logger } from '../../../core/logger.js';
import { deadline } from '../../../core/retry.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { openDockerEngine } from '../engine/open-engine.js';
import { ImageCode } from './image-codes.js';
import { classifyPullFailure, engineMessage, imageNotFoundError, pullFailedError } from './image-errors.js';
import type { ImageReference } from './image-name.js';
import { checkPresence, configuredImage, decidePull, pullWithRetry, type PullAction } from './image-policy.js';
import { checkRemoteImage, type ImagePresence } from './image-pull.js';
import { resolveCredentials } from './registry-auth.js';

export type PullCheckStatus = 'ready' | 'needs-pull' | 'unavailable';

/**
 * The stable `--json` shape of `cssh image pull-check` (fields are never removed; null when not known).
 * exitCode: 0 ready, 1 needs a pull, 2 unavailable.
 */
export interface PullCheckResult {
  status: PullCheckStatus;
  exitCode: 0 | 1 | 2;
  /** Docker endpoint URL, e.g. "unix:///var/run/docker.sock". */
  endpoint: string | null;
  /** Negotiated Engine API version, e.g. "1.41". */
  apiVersion: string | null;
  /** The image as configured (or given with --image). */
  image: string | null;
  /** Canonical reference, e.g. "docker.io/library/busybox:latest". */
  canonical: string | null;
  policy: ImagePullPolicy;
  /** Present on the engine (after --pull, if given); null when it could not be checked. */
  present: boolean | null;
  local: { id: string; size: number; created: string } | null;
  /** The registry's manifest digest, when the registry was asked (absent image, or Always) without pulling. */
  remoteDigest: string | null;
  /** What the policy does at connection time: none, pull, or fail (Never + absent). */
  atConnection: PullAction | null;
  /** True when this run pulled the image (--pull). */
  pulled: boolean;
  /** One or two sentences: the state and what to do. */
  message: string;
  error: { code: string; message: string } | null;
}

export interface PullCheckOptions {
  /** Overrides docker.execution.container.image. */
  image?: string;
  /** Pull now, with progress events. */
  pull: boolean;
  signal: AbortSignal;
  logger: Logger;
  onEvent?: EventSink;
  dockerConfigDir?: string;
}

type Known = Omit<PullCheckResult, 'status' | 'exitCode' | 'message' | 'error'>;

/** Runs the check; never rejects for Docker, registry or image problems (they become status "unavailable"). */
export async function checkImageReadiness(config: AppConfig, options: PullCheckOptions): Promise<PullCheckResult> {
  const configured = config.docker.execution;
  const execution =
    options.image === undefined ? configured : { ...configured, container: { ...configured.container, Image: options.image } };
  const base: Known = {
    endpoint: null,
    apiVersion: null,
    image: typeof execution.container.Image === 'string' ? execution.container.Image : null,
    canonical: null,
    policy: execution.imagePullPolicy,
    present: null,
    local: null,
    remoteDigest: null,
    atConnection: null,
    pulled: false,
  };
  let ref: ImageReference;
  let client: DockerEngine;
  try {
    ref = configuredImage(execution);
    base.canonical = ref.canonical;
    client = await openDockerEngine(config.docker.connection, config.docker.timeouts, options.signal);
    base.endpoint = client.endpoint;
    base.apiVersion = client.apiVersion;
  } catch (error) {
    return unavailable(base, error);
  }
  const ctx = { client, ref, config, options, execution };
  try {
    return options.pull ? await pullNow(base, ctx) : await inspectOnly(base, ctx);
  } catch (error) {
    return unavailable(base, error);
  }
}

interface CheckContext {
  client: DockerEngine;
  ref: ImageReference;
  config: AppConfig;
  options: PullCheckOptions;
  execution: AppConfig['docker']['execution'];
}

async function presence(base: Known, ctx: CheckContext): Promise<ImagePresence> {
  const found = await checkPresence(ctx.client, ctx.ref, {
    signal: deadline(ctx.config.docker.timeouts.http, ctx.options.signal),
    logger: ctx.options.logger,
    intervalMs: 1000,
  });
  base.present = found.present;
  base.local = found.present ? { id: found.id, size: found.size, created: found.created } : null;
  return found;
}

async function inspectOnly(base: Known, ctx: CheckContext): Promise<PullCheckResult> {
  const found = await presence(base, ctx);
  const action = decidePull(ctx.execution.imagePullPolicy, found.present);
  base.atConnection = action;
  if (action === 'none') return result(base, 'ready', `${ctx.ref.canonical} is present; connections start without a pull.`);
  if (action === 'fail' || ctx.ref.isId) return unavailable(base, imageNotFoundError(ctx.ref, ctx.execution.imagePullPolicy));
  const resolved = await resolveCredentials(ctx.ref.registry, ctx.execution.auth, credentialOptions(ctx));
  try {
    base.remoteDigest = await checkRemoteImage(
      ctx.client,
      ctx.ref,
      resolved?.credentials,
      deadline(ctx.config.docker.timeouts.http, ctx.options.signal),
    );
  } catch (error) {
    return unavailable(base, remoteCheckError(ctx, error, resolved?.source));
  }
  const why = found.present
    ? `imagePullPolicy Always pulls ${ctx.ref.canonical} at every connection`
    : `${ctx.ref.canonical} is not present; the first connection will pull it (imagePullPolicy ${ctx.execution.imagePullPolicy})`;
  return result(base, 'needs-pull', `${why}. The registry has it; run with --pull to pull it now.`);
}

async function pullNow(base: Known, ctx: CheckContext): Promise<PullCheckResult> {
  if (ctx.ref.isId) {
    await presence(base, ctx);
    if (base.present !== true) return unavailable(base, imageNotFoundError(ctx.ref, ctx.execution.imagePullPolicy));
    base.atConnection = 'none';
    return result(base, 'ready', `${ctx.ref.canonical} is an image id and present; there is nothing to pull.`);
  }
  await pullWithRetry(ctx.client, ctx.ref, ctx.execution, {
    signal: deadline(ctx.config.docker.timeouts.containerStart, ctx.options.signal),
    ...(ctx.options.onEvent === undefined ? {} : { onEvent: ctx.options.onEvent }),
    ...credentialOptions(ctx),
  });
  base.pulled = true;
  const found = await presence(base, ctx);
  base.atConnection = decidePull(ctx.execution.imagePullPolicy, found.present);
  return result(base, 'ready', `pulled ${ctx.ref.canonical}; connections can start.`);
}

function remoteCheckError(ctx: CheckContext, error: unknown, credentialSource: string | undefined): unknown {
  if (classifyPullFailure(error) !== 'transient') return pullFailedError(ctx.client, ctx.ref, error, credentialSource, false);
  return new CsshError(
    ImageCode.PULL_FAILED,
    `cannot ask ${ctx.ref.registry} about ${ctx.ref.canonical} through the Docker engine; check that the registry is ` +
      "reachable from the engine (address, TLS, the engine's proxy settings)",
    { cause: engineMessage(error), labels: { image: ctx.ref.canonical, reason: 'transient' } },
  );
}

function credentialOptions(ctx: CheckContext): { logger: Logger; dockerConfigDir?: string } {
  return { logger: ctx.options.logger, ...(ctx.options.dockerConfigDir === undefined ? {} : { dockerConfigDir: ctx.options.dockerConfigDir }) };
}

function result(base: Known, status: 'ready' | 'needs-pull', message: string): PullCheckResult {
  return { status, exitCode: status === 'ready' ? 0 : 1, ...base, message, error: null };
}

function unavailable(base: Known, error: unknown): PullCheckResult {
  const code = isCsshError(error) ? error.code : 'DOCKER_UNAVAILABLE';
  const message = describeCause(error);
  return { status: 'unavailable', exitCode: 2, ...base, message, error: { code, message } };
}

/** The result for a check that could not start (e.g. the configuration did not load). */
export function failedCheck(error: unknown, policy: ImagePullPolicy, image: string | null): PullCheckResult {
  return unavailable(
    { endpoint: null, apiVersion: null, image, canonical: null, policy, present: null, local: null, remoteDigest: null, atConnection: null, pulled: false },
    error,
  );
}
