// Chooses the argv for a shell, exec or subsystem request (as ContainerSSH does, with cssh's default-shell fallback).
import type { DockerExecutionConfig } from '../../../config/types.js';
import type { StartRequest } from '../../../core/contracts.js';
import { CsshError } from '../../../core/errors.js';
import { DockerCode } from '../codes.js';
import { execArgv } from './command-line.js';

/**
 * The default shellCommand ["/bin/bash"] on an image without bash falls back to /bin/sh. The choice is made inside
 * the container at start, by the image's own /bin/sh, so it costs no extra Docker call and works in both modes.
 */
export const DEFAULT_SHELL_ARGV = ['/bin/sh', '-c', 'if [ -x /bin/bash ]; then exec /bin/bash; fi; exec /bin/sh'];

function isDefaultShell(shell: string[]): boolean {
  return shell.length === 1 && shell[0] === '/bin/bash';
}

/** The argv to run; throws DOCKER_SUBSYSTEM_NOT_SUPPORTED for an unknown subsystem. */
export function programArgv(req: StartRequest, execution: DockerExecutionConfig): string[] {
  switch (req.kind) {
    case 'shell':
      if (isDefaultShell(execution.shellCommand)) return DEFAULT_SHELL_ARGV;
      // An empty shellCommand (migrated 0.3 configs, session mode) means the image's own CMD, as in 0.3.
      return [...execution.shellCommand];
    case 'exec':
      return execArgv(req.command);
    case 'subsystem': {
      const binary = execution.subsystems[req.name];
      if (binary === undefined || binary === '') {
        throw new CsshError(DockerCode.SUBSYSTEM_NOT_SUPPORTED, `the specified subsystem is not supported (${req.name})`, {
          userMessage: 'subsystem not supported', permanent: true,
        });
      }
      return [binary];
    }
  }
}

/** Valid signal names (without SIG): letters and digits only, so they are safe as helper arguments. */
export function checkSignalName(name: string): string {
  if (!/^[A-Z][A-Z0-9+-]*$/.test(name)) {
    throw new CsshError(DockerCode.EXEC_SIGNAL_FAILED, `Refusing to send the malformed signal name ${JSON.stringify(name)}.`, {
      userMessage: 'Cannot send signal to process.', permanent: true,
    });
  }
  return name;
}
