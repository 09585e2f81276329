// `cssh exec-test`: proves a configuration works by running a command (or a smoke test) through the real lifecycle.
import { Command, Flags } from '@oclif/core';
import type { ExecTestResult } from '../cli/exec-test-run.js';
import { ExitCode } from '../cli/exit-codes.js';

export default class ExecTest extends Command {
  static override summary = 'Run a command in a container exactly as a user session would, and time every phase';
  static override description = [
    'Without SSH: applies the pull policy, creates and starts the container, runs CMD with live output, reports its exit status and removes the container (also on Ctrl-C or SIGTERM). A timing breakdown per phase goes to stderr.',
    'Without CMD a smoke test runs: output, environment, exit status and a stdin round trip.',
    'Exit codes: the program\'s own exit status; without CMD 0 when every check passed, 1 otherwise; 1 invalid configuration, 2 unreadable configuration, 3 cssh failed at run time (engine unreachable, image missing, start failed), 130 interrupted. --json prints the ExecTestResult object described in the README.',
  ].join('\n\n');

  static override usage = 'exec-test [--config FILE] [--mode connection|session] [--tty] [--env K=V]... [--image IMAGE] [--json] [-- CMD...]';

  static override examples = [
    '<%= config.bin %> exec-test --config cssh.yaml',
    '<%= config.bin %> exec-test --config cssh.yaml -- uname -a',
    '<%= config.bin %> exec-test --mode session --tty -- /bin/sh',
    '<%= config.bin %> exec-test --image alpine:3 --env FOO=bar --json -- \'echo "$FOO"\'',
  ];

  static override strict = false;
  static override enableJsonFlag = true;

  static override flags = {
    config: Flags.string({ char: 'c', description: 'configuration file (YAML or JSON; "-" reads stdin); defaults apply without one' }),
    mode: Flags.string({ description: 'override docker.execution.mode', options: ['connection', 'session'] }),
    image: Flags.string({ description: 'override docker.execution.container.image' }),
    tty: Flags.boolean({ char: 't', description: 'request a terminal (size and TERM from this terminal)' }),
    env: Flags.string({ char: 'e', description: 'set an environment variable for the program (K=V, repeatable)', multiple: true }),
  };

  async run(): Promise<ExecTestResult | { ok: false; exitCode: number; error: { code: string; message: string } }> {
    const { flags, argv } = await this.parse(ExecTest);
    const env: Record<string, string> = {};
    for (const pair of flags.env ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0) this.error(`--env expects NAME=VALUE, got ${JSON.stringify(pair)}`, { exit: ExitCode.USAGE });
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
