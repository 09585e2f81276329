// Cross-field rules for the docker section: ContainerSSH's execution checks in their order,
// plus cssh's connection checks (a host needs a scheme, TLS needs all of cacert/cert/key; PEM parsing: rules-pem.ts).
import type { DockerConfig } from './types.js';
import { configError, configWarning, describeValue, type ConfigIssue } from './issues.js';
import { DEFAULT_AGENT_IDLE_COMMAND } from './rules-common.js';

/** The schemes cssh's Docker client speaks (npipe and ssh hosts are not supported). */
const SCHEMES = ['unix', 'tcp', 'http', 'https'];

export function checkDocker(docker: DockerConfig, issues: ConfigIssue[]): void {
  checkConnection(docker, issues);
  checkExecution(docker, issues);
  checkPool(docker, issues);
}

/** docker.pool (cssh only): a size of 0 or more, and a warning when the pool can never hand a container out. */
function checkPool(docker: DockerConfig, issues: ConfigIssue[]): void {
  const { size } = docker.pool;
  if (size < 0) {
    issues.push(configError('CONFIG_OUT_OF_RANGE', 'docker.pool.size', 'must be 0 (off) or more', { expected: '>= 0', found: String(size) }));
    return;
  }
  if (size === 0) return;
  if (docker.execution.mode !== 'connection') {
    issues.push(configWarning('DOCKER_POOL_UNUSED', 'docker.pool.size', 'the warm pool only serves execution mode "connection"; no container is kept ready', {
      hint: 'set docker.execution.mode: connection, or docker.pool.size: 0',
    }));
  } else if (docker.execution.containername !== '') {
    issues.push(configWarning('DOCKER_POOL_UNUSED', 'docker.pool.size', 'a fixed container name allows one container at a time, so no container is kept ready', {
      hint: 'remove docker.execution.containername, or set docker.pool.size: 0',
    }));
  }
}

function checkConnection(docker: DockerConfig, issues: ConfigIssue[]): void {
  const { host } = docker.connection;
  const path = 'docker.connection';
  if (host !== '') {
    const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(host);
    if (match === null) {
      issues.push(configError('DOCKER_HOST_NO_SCHEME', `${path}.host`, 'the Docker host has no scheme', {
        expected: `a URL such as ${SCHEMES.map((scheme) => `${scheme}://`).join(', ')}`,
        found: describeValue(host),
        hint: /^[\w.-]+:\d+$/.test(host) ? `write tcp://${host}` : 'for example tcp://127.0.0.1:2375 or unix:///var/run/docker.sock',
      }));
    } else if (!SCHEMES.includes((match[1] ?? '').toLowerCase())) {
      issues.push(configError('DOCKER_HOST_NO_SCHEME', `${path}.host`, `unsupported Docker host scheme "${match[1]}"`, {
        expected: SCHEMES.join('|'),
        found: describeValue(host),
      }));
    }
  }
  const tls = { cacert: docker.connection.cacert, cert: docker.connection.cert, key: docker.connection.key };
  const set = Object.entries(tls).filter(([, value]) => value !== '').map(([name]) => name);
  if (set.length > 0 && set.length < 3) {
    const missing = Object.keys(tls).filter((name) => !set.includes(name));
    issues.push(configError('DOCKER_TLS_PARTIAL', `${path}.${missing[0] ?? 'cacert'}`, `TLS needs cacert, cert and key together; ${missing.join(' and ')} missing`, {
      expected: 'all three of cacert, cert and key, or none',
      found: `only ${set.join(' and ')}`,
      hint: 'set the missing ones (PEM text or file paths) or remove the others to connect without TLS',
    }));
  }
  if (set.length === 3 && /^http:\/\//i.test(host)) {
    issues.push(configError('DOCKER_TLS_PARTIAL', `${path}.host`, 'http:// is plain text but TLS certificates are set', {
      hint: `use ${host.replace(/^http:/i, 'https:')} or tcp://`,
    }));
  }
}

function restartPolicyName(host: Record<string, unknown> | null): string {
  const policy = host?.RestartPolicy;
  if (typeof policy !== 'object' || policy === null) return '';
  const name = (policy as Record<string, unknown>).Name;
  return typeof name === 'string' ? name : '';
}

function checkExecution(docker: DockerConfig, issues: ConfigIssue[]): void {
  const exec = docker.execution;
  const path = 'docker.execution';
  if (exec.mode === 'connection' && exec.idleCommand.length === 0) {
    issues.push(configError('DOCKER_EXECUTION_INVALID', `${path}.idleCommand`, 'idle command required for execution mode "connection"', {
      hint: 'remove idleCommand to use the default, which needs no guest agent',
    }));
  }
  if (exec.mode === 'connection' && exec.shellCommand.length === 0) {
    issues.push(configError('DOCKER_EXECUTION_INVALID', `${path}.shellCommand`, 'shell command required for execution mode "connection"', {
      hint: 'for example [/bin/sh]',
    }));
  }
  const restart = restartPolicyName(exec.host);
  if (exec.mode === 'session' && restart !== '' && restart !== 'no') {
    issues.push(configError('DOCKER_EXECUTION_INVALID', `${path}.host.RestartPolicy`, `unsupported restart policy for execution mode "session": ${restart} (session containers may not restart)`, {
      expected: '"" or no',
      found: describeValue(restart),
    }));
  }
  const image: unknown = exec.container.Image;
  if (image === undefined || image === null || image === '') { // a value of the wrong type is a CONFIG_TYPE error already
    issues.push(configError('DOCKER_EXECUTION_INVALID', `${path}.container.Image`, 'no image name provided', {
      hint: 'set container.image, for example image: alpine',
    }));
  }
  if (exec.disableAgent && exec.mode === 'connection' && sameList(exec.idleCommand, DEFAULT_AGENT_IDLE_COMMAND)) {
    issues.push(configWarning('DOCKER_GUEST_AGENT_DISABLED', `${path}.idleCommand`, 'the idle command runs the guest agent, but disableAgent is true', {
      hint: 'remove idleCommand to use cssh\'s shell-based default',
    }));
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
