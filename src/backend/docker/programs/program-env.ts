// The environment a program gets on top of the container's: the operator's variables win over the client's.
import type { DockerExecutionConfig } from '../../../config/types.js';
import type { ConnectionInfo, StartRequest } from '../../../core/contracts.js';
import { connectionEnv } from '../lifecycle/container-spec.js';

/** Set by cssh for every program: the exec command, the subsystem name, or empty for a shell. */
export const ORIGINAL_COMMAND = 'SSH_ORIGINAL_COMMAND';

/** The name of a K=V entry. */
export function envName(entry: string): string {
  const at = entry.indexOf('=');
  return at < 0 ? entry : entry.slice(0, at);
}

/** K=V entries the operator set: docker.execution.container's Env, then the connection env (auth, config server). */
export function operatorEnv(info: ConnectionInfo, execution: DockerExecutionConfig): string[] {
  const env = (execution.container as { Env?: unknown }).Env;
  return [...(Array.isArray(env) ? env.map(String) : []), ...connectionEnv(info, execution)];
}

/**
 * The K=V entries to add after `operator`'s for one program: the channel's variables (SSH env requests, TERM) whose
 * names the operator did not set, in the order they were set, then SSH_ORIGINAL_COMMAND, last so it wins. Its value
 * is the one the security layer set on the channel, else the request's own (exec command, subsystem name, "").
 * Docker lets a later entry win, and an exec's entries win over the container's, hence the filtering.
 */
export function programEnv(operator: string[], channel: ReadonlyMap<string, string>, req: StartRequest): string[] {
  const taken = new Set(operator.map(envName));
  const out: string[] = [];
  for (const [name, value] of channel) {
    if (name !== ORIGINAL_COMMAND && !taken.has(name)) out.push(`${name}=${value}`);
  }
  const requested = req.kind === 'exec' ? req.command : req.kind === 'subsystem' ? req.name : '';
  out.push(`${ORIGINAL_COMMAND}=${channel.get(ORIGINAL_COMMAND) ?? requested}`);
  return out;
}
