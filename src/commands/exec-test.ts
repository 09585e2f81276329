// `cssh exec-test`: proves a configuration works by running a command (or a smoke test) through the real lifecycle.
import { Flags } from '@oclif/core';
import { BaseCommand, usageError } from '../cli/base-command.js';
import type { ExecTestResult } from '../cli/exec-test-run.js';
import { ExitCode, exitCodesHelp } from '../cli/exit-codes.js';
import { configFlag, imageFlag, modeFlag } from '../cli/shared-flags.js';

export default class ExecTest extends BaseCommand {
  static override commandName = 'exec-test' as const;
  static override summary = 'Run a command in a container exactly as a user session would, and time every phase';
  static override description = [
    'Without SSH: applies the pull policy, creates and starts the container, runs CMD with live output, reports its exit status and removes the container (also on Ctrl-C or SIGTERM). A timing breakdown per phase goes to stderr.',
    'Without CMD a smoke test runs: output, environment, exit status and a stdin round trip.',
    `${exitCodesHelp('exec-test')} Like docker run, exec-test keeps 125, 126 and 127 for its own failures and otherwise exits with the program's status.`,
    '--json prints {ok, command: "exec-test", exitCode, mode, image, program, programExitCode, interrupted, phases, totalMs, checks?, stdout?, stderr?, error?}.',
  ].join('\n\n');

  static override usage = 'exec-test [--config FILE] [--mode connection|session] [--tty] [--env K=V]... [--image IMAGE] [--json] [-- CMD...]';

  static override examples = [
    '<%= config.bin %> exec-test --config cssh.yaml',
    '<%= config.bin %> exec-test --config cssh.yaml -- uname -a',
    '<%= config.bin %> exec-test --mode session --tty -- /bin/sh',
    '<%= config.bin %> exec-test --image alpine:3 --env FOO=bar --json -- \'echo "$FOO"\'',
  ];

  static override strict = false;

  static override flags = {
    config: configFlag(),
    mode: modeFlag(),
    image: imageFlag(),
    tty: Flags.boolean({ char: 't', description: 'request a terminal (size and TERM from this terminal)' }),
    env: Flags.string({ char: 'e', description: 'set an environment variable for the program (K=V, repeatable)', multiple: true }),
  };

  /** Every failure of exec-test's own, usage errors included, is 125: any other status is the program's. */
  protected override exitCodeFor(): number {
    return ExitCode.EXEC_FAILED;
  }

  async run(): Promise<ExecTestResult | { ok: false; exitCode: number; error: { code: string; message: string } }> {
    const { flags, argv } = await this.parse(ExecTest);
    const env: Record<string, string> = {};
    for (const pair of flags.env ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw usageError(`--env expects NAME=VALUE, got ${JSON.stringify(pair)}`, 'write each variable as --env NAME=VALUE');
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const { executeExecTest } = await import('../cli/exec-test-command.js');
    const outcome = await executeExecTest({
      configFile: flags.config, mode: flags.mode as 'connection' | 'session' | undefined, image: flags.image, tty: flags.tty,
      env, argv: argv.map(String), json: this.jsonEnabled(),
      log: (line) => this.logToStderr(line),
    });
    process.exitCode = outcome.exitCode;
    return outcome;
  }
}
