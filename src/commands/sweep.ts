// `cssh sweep`: list cssh's containers on the engine by instance; remove those of an instance the operator names as dead.
import { Flags } from '@oclif/core';
import type { SweepResult } from '../backend/docker/lifecycle/sweep.js';
import { BaseCommand, CliFailure } from '../cli/base-command.js';
import { ExitCode, exitCodesHelp } from '../cli/exit-codes.js';
import { configFlag } from '../cli/shared-flags.js';
import { describeCause, isCsshError } from '../core/errors.js';

export default class Sweep extends BaseCommand {
  static override commandName = 'sweep' as const;
  static override summary = 'List cssh\'s containers on the Docker engine by instance, and remove those of a dead instance';
  static override description = [
    'Without --instance it only lists: every cssh.instance label on the engine, with its containers. With --instance (repeatable) it removes every container of those instances; --dry-run lists them instead.',
    'A running server removes its own leftovers by itself (start-up sweep, reconciler, shutdown sweep); use this for a replica that is gone for good. cssh cannot tell from the engine whether a replica on another machine is alive, so it removes only the instances you name; it refuses the id a live server on this machine holds in --state-dir.',
    '--json prints {ok, command, exitCode, endpoint, dryRun, instances, removed, failed}.',
    exitCodesHelp('sweep'),
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> sweep --config cssh.yaml',
    '<%= config.bin %> sweep --config cssh.yaml --instance 3fbff62608e71e71 --dry-run',
    '<%= config.bin %> sweep --config cssh.yaml --instance 3fbff62608e71e71',
  ];

  static override flags = {
    config: configFlag('configuration file (its docker.connection says which engine)'),
    instance: Flags.string({ description: 'remove the containers of this instance id (repeatable)', multiple: true }),
    'dry-run': Flags.boolean({ description: 'with --instance: list what would be removed, remove nothing' }),
    'state-dir': Flags.string({ description: 'state directory of a server on this machine whose instance must never be swept [default: as serve]' }),
  };

  async run(): Promise<SweepResult> {
    const { flags } = await this.parse(Sweep);
    const [{ loadConfig }, { openDockerEngine }, { sweep }, { localHolder }, { defaultStateDir }] = await Promise.all([
      import('../config/index.js'),
      import('../backend/docker/engine/open-engine.js'),
      import('../backend/docker/lifecycle/sweep.js'),
      import('../backend/docker/lifecycle/instance-id.js'),
      import('../ssh/serve-defaults.js'),
    ]);
    const remove = flags.instance ?? [];
    const stateDir = flags['state-dir'] ?? defaultStateDir();
    const holder = await localHolder(stateDir);
    if (holder !== undefined && remove.includes(holder.id)) {
      throw new CliFailure('CONFIG_INVALID', `instance ${holder.id} belongs to the server running here (pid ${holder.pid}, state dir ${stateDir})`, {
        fix: 'stop that server (it sweeps its own containers) or name another instance', exitCode: ExitCode.INVALID,
      });
    }
    const { config } = await loadConfig(flags.config);
    let result: SweepResult;
    try {
      const engine = await openDockerEngine(config.docker.connection, config.docker.timeouts, AbortSignal.timeout(15_000));
      result = await sweep({
        engine, remove, dryRun: flags['dry-run'], localHolder: holder,
        callMs: config.docker.timeouts.containerStop,
      });
    } catch (error) {
      // An engine call failed without a code of its own: the engine is unavailable (exit 2), as before.
      throw isCsshError(error) ? error : new CliFailure('DOCKER_UNAVAILABLE', describeCause(error));
    }
    process.exitCode = result.failed.length > 0 ? ExitCode.RUNTIME : ExitCode.OK;
    if (!this.jsonEnabled()) this.log(render(result, remove));
    return result;
  }
}

function render(r: SweepResult, remove: string[]): string {
  const lines: string[] = [];
  if (r.instances.length === 0) {
    lines.push(remove.length === 0 ? `no cssh containers on ${r.endpoint}` : `no containers of instance ${remove.join(', ')} on ${r.endpoint}`);
    return lines.join('\n');
  }
  lines.push(`cssh containers on ${r.endpoint}:`);
  for (const i of r.instances) {
    const here = i.runningHere === undefined ? '' : ` (the server running here, pid ${i.runningHere.pid}: never swept)`;
    lines.push(`  instance ${i.instance}: ${i.containers.length} container(s)${here}`);
    for (const c of i.containers) lines.push(`    ${c.id.slice(0, 12)}  ${c.state.padEnd(8)} ${c.created}  user ${c.user}  connection ${c.connection}`);
  }
  if (remove.length === 0) lines.push('remove the containers of a dead instance with: cssh sweep --instance <id> (add --dry-run to see them first)');
  else if (r.dryRun) lines.push(`dry run: nothing removed; without --dry-run ${r.instances.reduce((n, i) => n + (i.runningHere ? 0 : i.containers.length), 0)} container(s) would be removed`);
  else {
    lines.push(`removed ${r.removed.length} container(s)`);
    for (const f of r.failed) lines.push(`  could not remove ${f.id.slice(0, 12)}: ${f.error}`);
  }
  return lines.join('\n');
}
