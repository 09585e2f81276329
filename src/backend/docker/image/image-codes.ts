// Message codes of the Docker endpoint and image module, each with the one sentence that explains it.

export const ImageCode = {
  UNAVAILABLE: 'DOCKER_UNAVAILABLE',
  API_VERSION: 'DOCKER_API_VERSION',
  LISTING: 'DOCKER_IMAGE_LISTING',
  LISTING_FAILED: 'DOCKER_IMAGE_LISTING_FAILED',
  PULL_NEEDED_CHECKING: 'DOCKER_IMAGE_PULL_NEEDED_CHECKING',
  PULL: 'DOCKER_IMAGE_PULL',
  PULL_FAILED: 'DOCKER_IMAGE_PULL_FAILED',
  NOT_FOUND: 'DOCKER_IMAGE_NOT_FOUND',
  CONFIG_ERROR: 'DOCKER_CONFIG_ERROR',
} as const;

export type ImageCodeValue = (typeof ImageCode)[keyof typeof ImageCode];

/** One sentence per code, for the codes reference and `--json` consumers. */
export const IMAGE_CODE_DESCRIPTIONS: Record<ImageCodeValue, string> = {
  DOCKER_UNAVAILABLE:
    'The Docker engine cannot be reached (socket missing, connection refused, permission denied or no answer); start it or fix docker.connection.host / DOCKER_HOST.',
  DOCKER_API_VERSION: 'The Engine API version negotiated with the Docker engine (debug).',
  DOCKER_IMAGE_LISTING: 'Checking whether the configured image is present on the engine.',
  DOCKER_IMAGE_LISTING_FAILED: 'Inspecting the image failed for a reason other than its absence; retried until the deadline.',
  DOCKER_IMAGE_PULL_NEEDED_CHECKING: 'What the image pull policy decided (pull or not) and why (debug).',
  DOCKER_IMAGE_PULL: 'Pulling the configured image from its registry.',
  DOCKER_IMAGE_PULL_FAILED:
    'The pull failed: at once when the image or tag does not exist or the credentials are missing or wrong, otherwise at the deadline.',
  DOCKER_IMAGE_NOT_FOUND: 'The image is not on the engine and imagePullPolicy is Never; pull it or change the policy.',
  DOCKER_CONFIG_ERROR: 'The Docker section of the configuration cannot be used as written (bad host, partial TLS set, bad image name).',
};
