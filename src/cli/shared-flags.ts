// The flags several commands share (--config, --image, --mode) and the one function that applies them to a config.
import { Flags } from '@oclif/core';
import type { AppConfig, ExecutionMode } from '../config/types.js';

export const CONFIG_FLAG_DESCRIPTION = 'configuration file (YAML or JSON; "-" reads stdin; ContainerSSH and legacy dockerrun files work); defaults apply without one';

/** --config (-c); `description` when the command reads only part of the file. */
export function configFlag(description = CONFIG_FLAG_DESCRIPTION) {
  return Flags.string({ char: 'c', description });
}

export function imageFlag(description = 'container image, instead of docker.execution.container.image') {
  return Flags.string({ description });
}

export function modeFlag(description = 'one container per connection or per session, instead of docker.execution.mode') {
  return Flags.string({ description, options: ['connection', 'session'] });
}

/** Command-line values that win over the configuration file; undefined leaves the file's value. */
export interface ConfigOverrides {
  image?: string | undefined;
  mode?: string | undefined;
  /** ssh.listen (serve's --listen). */
  listen?: string | undefined;
}

/** `config` with the command-line overrides applied; the input is not changed. */
export function applyOverrides(config: AppConfig, overrides: ConfigOverrides): AppConfig {
  const execution = { ...config.docker.execution };
  if (overrides.image !== undefined) execution.container = { ...execution.container, Image: overrides.image };
  if (overrides.mode === 'connection' || overrides.mode === 'session') execution.mode = overrides.mode satisfies ExecutionMode;
  return {
    ...config,
    ssh: overrides.listen === undefined ? config.ssh : { ...config.ssh, listen: overrides.listen },
    docker: { ...config.docker, execution },
  };
}
