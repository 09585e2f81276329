// Canonical image references the way Docker normalises them: docker.io/library/ prefixes, :latest, registry hosts kept.
import { CsshError } from '../../../core/errors.js';

export const DEFAULT_REGISTRY = 'docker.io';

/** A parsed image reference. `canonical` is what cssh pulls and prints; `pullName`/`pullTag` go to ImageCreate. */
export interface ImageReference {
  /** The text from the configuration, unchanged. */
  original: string;
  /** Registry host (with port when given): "docker.io", "127.0.0.1:5000", "ghcr.io". */
  registry: string;
  /** Repository path inside the registry: "library/busybox", "cssh-test/busybox". */
  path: string;
  /** The tag; "latest" when neither a tag nor a digest was given. Undefined for digest-only references. */
  tag?: string;
  /** "sha256:..." when pinned by digest. */
  digest?: string;
  /** "docker.io/library/busybox:latest", "127.0.0.1:5000/x:1", "docker.io/library/alpine@sha256:...". */
  canonical: string;
  /** registry/path, without tag or digest: the `fromImage` of a pull. */
  repository: string;
  /** True when the reference is an image id ("sha256:<64 hex>" or 64 hex), which can be inspected but not pulled. */
  isId: boolean;
}

const ID = /^(sha256:)?[a-f0-9]{64}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

function invalid(original: string, why: string): CsshError {
  return new CsshError(
    'DOCKER_CONFIG_ERROR',
    `docker.execution.container.image: "${original}" is not a valid image reference (${why}); ` +
      'write it like busybox, busybox:1.36, registry.example.com:5000/team/app:tag or name@sha256:<digest>',
    { permanent: true, userMessage: 'Failed to initialize SSH session.' },
  );
}

/** True when the first path component names a registry host rather than a Docker Hub namespace (Docker's rule). */
function isRegistryHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component !== component.toLowerCase();
}

/** Parses and canonicalises an image reference; throws CsshError(DOCKER_CONFIG_ERROR) for an invalid one. */
export function parseImageReference(image: string): ImageReference {
  const original = image;
  const text = image.trim();
  if (text === '') throw invalid(original, 'it is empty');
  if (ID.test(text)) {
    const id = text.startsWith('sha256:') ? text : `sha256:${text}`;
    return { original, registry: '', path: '', canonical: id, repository: '', isId: true };
  }
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(original, `"${digest}" is not a digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(original, `"${tag}" is not a valid tag`);
  }
  const { registry, path } = splitRegistry(rest, original);
  if (tag === undefined && digest === undefined) tag = 'latest';
  const repository = `${registry}/${path}`;
  const canonical = repository + (tag === undefined ? '' : `:${tag}`) + (digest === undefined ? '' : `@${digest}`);
  return {
    original,
    registry,
    path,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
    canonical,
    repository,
    isId: false,
  };
}

function splitRegistry(name: string, original: string): { registry: string; path: string } {
  const slash = name.indexOf('/');
  let registry = DEFAULT_REGISTRY;
  let path = name;
  if (slash >= 0 && isRegistryHost(name.slice(0, slash))) {
    registry = name.slice(0, slash);
    path = name.slice(slash + 1);
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DEFAULT_REGISTRY;
  if (registry === DEFAULT_REGISTRY && !path.includes('/')) path = `library/${path}`;
  if (!/^[a-zA-Z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(registry)) throw invalid(original, `"${registry}" is not a registry host`);
  for (const component of path.split('/')) {
    if (component !== component.toLowerCase()) throw invalid(original, 'repository names must be lowercase');
    if (!PATH_COMPONENT.test(component)) throw invalid(original, `"${component}" is not a valid name component`);
  }
  return { registry, path };
}

/** The short form Docker prints ("busybox:latest", "cssh-test/busybox:latest", "127.0.0.1:5000/x:1"). */
export function familiarName(ref: ImageReference): string {
  if (ref.isId || ref.registry !== DEFAULT_REGISTRY) return ref.canonical;
  return ref.canonical.slice(`${DEFAULT_REGISTRY}/`.length).replace(/^library\//, '');
}
