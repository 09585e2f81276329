// Classifies image inspect/pull failures (HTTP status, engine text, errors inside the progress stream) into clear CsshErrors.
import { CsshError, isCsshError } from '../../../core/errors.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { dockerUnavailable, unreachableReason } from '../engine/open-engine.js';
import { ImageCode } from './image-codes.js';
import type { ImageReference } from './image-name.js';

export type PullFailureKind = 'not-found' | 'unauthorized' | 'invalid' | 'unavailable' | 'transient';

const USER_MESSAGE = 'Failed to initialize SSH session.';

/** The engine's own words for a failed call, without docker-modem's "(HTTP code 500) server error - " wrapper. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown } | null)?.json;
  if (typeof json === 'object' && json !== null && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message.trim();
  }
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** Which kind of pull failure this is; only `transient` is worth retrying. */
export function classifyPullFailure(error: unknown): PullFailureKind {
  if (isCsshError(error)) return error.permanent ? 'invalid' : 'transient';
  if (unreachableReason(error) !== undefined) return 'unavailable';
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  const text = engineMessage(error).toLowerCase();
  const unauthorized = ['no basic auth credential', 'unauthorized', 'authentication required', 'incorrect username or password', 'denied'];
  if (status === 401 || status === 403 || unauthorized.some((s) => text.includes(s))) return 'unauthorized';
  const notFound = ['not found', 'manifest unknown', 'name unknown', 'repository does not exist', 'no such image'];
  if (status === 404 || notFound.some((s) => text.includes(s))) return 'not-found';
  if (status === 400 || text.includes('invalid reference format')) return 'invalid';
  return 'transient';
}

/** The final error for a pull that failed permanently or ran out of time. `credentialSource` says where credentials came from. */
export function pullFailedError(
  engine: DockerEngine,
  ref: ImageReference,
  error: unknown,
  credentialSource: string | undefined,
  exhausted: boolean,
): CsshError {
  if (isCsshError(error)) return error;
  const kind = classifyPullFailure(error);
  if (kind === 'unavailable') return dockerUnavailable(engine.endpoint, error);
  const detail = engineMessage(error);
  const fail = (explanation: string, permanent: boolean, reason: string): CsshError =>
    new CsshError(ImageCode.PULL_FAILED, explanation, {
      permanent,
      cause: detail,
      userMessage: USER_MESSAGE,
      labels: { image: ref.canonical, reason },
    });
  const name = ref.canonical;
  switch (kind) {
    case 'not-found':
      return fail(
        `cannot pull ${name}: the image or tag does not exist in ${ref.registry}; check docker.execution.container.image`,
        true,
        'not-found',
      );
    case 'unauthorized':
      return credentialSource === undefined
        ? fail(
            `cannot pull ${name}: ${ref.registry} requires credentials (or the repository does not exist); set ` +
              'docker.execution.auth (username and password) or run docker login as the user that runs cssh',
            true,
            'unauthorized',
          )
        : fail(
            `cannot pull ${name}: ${ref.registry} rejected the credentials from ${credentialSource}; correct them there`,
            true,
            'unauthorized',
          );
    case 'invalid':
      return fail(`cannot pull ${name}: the engine rejected the reference; check docker.execution.container.image`, true, 'invalid');
    default:
      return fail(
        exhausted
          ? `cannot pull ${name}: still failing when the deadline (docker.timeouts.containerStart) ran out; check that ${ref.registry} is reachable from the Docker engine`
          : `cannot pull ${name}`,
        false,
        'transient',
      );
  }
}

/** Never + absent (or an image id that is absent): the image has to be made available by hand. */
export function imageNotFoundError(ref: ImageReference, policy: string): CsshError {
  const how = ref.isId
    ? 'an image id cannot be pulled; load or build the image on the engine, or configure a name instead'
    : `pull it (docker pull ${ref.canonical}, or cssh image pull-check --pull) or set docker.execution.imagePullPolicy to IfNotPresent`;
  return new CsshError(ImageCode.NOT_FOUND, `the image ${ref.canonical} is not present on the Docker engine and imagePullPolicy is ${policy}; ${how}`, {
    permanent: true,
    userMessage: USER_MESSAGE,
    labels: { image: ref.canonical },
  });
}

/** An inspect that kept failing (not with 404) until the deadline, or the engine went away. */
export function listingFailedError(engine: DockerEngine, ref: ImageReference, error: unknown): CsshError {
  if (isCsshError(error)) return error;
  if (unreachableReason(error) !== undefined) return dockerUnavailable(engine.endpoint, error);
  return new CsshError(ImageCode.LISTING_FAILED, `cannot check whether ${ref.canonical} is present on the Docker engine`, {
    cause: engineMessage(error),
    userMessage: USER_MESSAGE,
    labels: { image: ref.canonical },
  });
}
