// `cssh serve`: run the SSH server that starts a container per connection (or session); stops cleanly on SIGTERM/SIGINT.
import { Flags } from '@oclif/core';
import type { ServeSummary } from '../app.js';
import { STOPPED_DURING_STARTUP } from '../core/start-up.js';
import type { AppConfig } from '../config/types.js';
import type { ValidateReport } from '../config/validate-files.js';
import { BaseCommand } from '../cli/base-command.js';
import { ExitCode, exitCodeForError, exitCodesHelp } from '../cli/exit-codes.js';
import { applyOverrides } from '../cli/shared-flags.js';
import { trapStopSignals } from '../cli/stop-signals.js';

interface ServeFlags {
  config?: string;
  image?: string;
  mode?: string;
  listen?: string;
  'state-dir'?: string;
  instance?: string;
  workers?: number;
}

export default class Serve extends BaseCommand {
  static override commandName = 'serve' as const;
  static override summary = 'Run the SSH server: each login gets a fresh Docker container, removed when it leaves.';
  static override description = [
    'Without --config it listens on 127.0.0.1:2222, uses a host key generated once in the state directory, and lets the invoking user in with the keys in ~/.ssh/authorized_keys. --image, --mode and --listen override the configuration.',
    'SIGTERM or SIGINT ends programs (up to ssh.shutdownTimeout), removes every container and exits 0; a second signal forces.',
    exitCodesHelp('serve'),
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> serve --image busybox',
    '<%= config.bin %> serve --config cssh.yaml --listen 0.0.0.0:2222',
    '<%= config.bin %> serve --image debian:12 --mode session --state-dir /var/lib/cssh',
  ];

  static override flags = {
    config: Flags.string({ char: 'c', description: 'configuration file (YAML or JSON; ContainerSSH and legacy dockerrun files work)' }),
    image: Flags.string({ description: 'container image (docker.execution.container.image)' }),
    mode: Flags.string({ description: 'one container per connection or per session (docker.execution.mode)', options: ['connection', 'session'] }),
    listen: Flags.string({ description: 'address to listen on, host:port (ssh.listen)' }),
    'state-dir': Flags.string({ description: 'where the generated host key and the instance id are kept [default: $XDG_STATE_HOME/cssh or ~/.local/state/cssh]' }),
    instance: Flags.string({ description: 'id labelling this server\'s containers (cssh.instance) [default: instance.id, else a random id kept in the state dir]' }),
    check: Flags.boolean({ description: 'load and check everything serve would (config, host keys, TLS files, log destination, login methods, ports), bind nothing, exit 0/1/2 as config validate does' }),
    workers: Flags.integer({ description: 'processes, each a full SSH server on the shared port; 0 = one per CPU core (instance.workers) [default: 1]' }),
  };

  /**
   * With --json the start-up summary is one JSON line on stdout as soon as the server listens, and the value returned
   * here (printed by oclif at exit) only records the stop, so the summary is never printed twice.
   */
  async run(): Promise<{ stopped: true; instanceId: string } | { error: { code: string; message: string } } | ValidateReport> {
    const { flags } = await this.parse(Serve);
    if (flags.check) return (await import('../cli/serve-check-run.js')).runServeCheck(flags, (config) => applyOverrides(config, flags), this.jsonEnabled(), (text) => this.log(text));
    const signals = trapStopSignals(() => this.logToStderr('cssh serve: SIGHUP ignored (log files are reopened); stop with SIGTERM or SIGINT'));
    const { startServe } = await import('../app.js');
    const defaults = await import('../ssh/serve-defaults.js');
    const loaded = await this.loadConfig(flags);
    if ('error' in loaded) return loaded;
    const stateDir = flags['state-dir'] ?? defaults.defaultStateDir();
    let running;
    try {
      const options = { config: loaded.config, stateDir, instanceId: flags.instance, onlyUser: loaded.onlyUser, stopRequested: signals.stopRequested };
      const workers = (await import('../cluster/worker-count.js')).workerCount(flags.workers, loaded.config.instance.workers);
      running = workers > 1 ? await (await import('../cluster/primary.js')).startCluster({ ...options, workers }) : await startServe(options);
    } catch (error) {
      return this.fail(error);
    }
    if (this.jsonEnabled()) process.stdout.write(JSON.stringify(running.summary) + '\n');
    else this.printSummary(running.summary, loaded.onlyUser);
    await signals.untilStopped(running.stop, loaded.config.ssh.shutdownTimeout);
    process.exitCode = ExitCode.OK;
    return { stopped: true, instanceId: running.summary.instanceId };
  }

  private async loadConfig(flags: ServeFlags): Promise<{ config: AppConfig; onlyUser?: string } | { error: { code: string; message: string } }> {
    const { loadConfig, formatIssueLine } = await import('../config/index.js');
    const { applyZeroConfigDefaults, invokingUser } = await import('../ssh/serve-defaults.js');
    let config: AppConfig;
    let onlyUser: string | undefined;
    try {
      const loaded = await loadConfig(flags.config, { serve: true });
      for (const warning of loaded.warnings) this.logToStderr(`warning: ${formatIssueLine(warning)}`);
      config = loaded.config;
    } catch (error) {
      return this.fail(error);
    }
    if (flags.config === undefined) {
      const user = invokingUser();
      config = applyZeroConfigDefaults(config, user);
      onlyUser = user.name;
    }
    return { config: applyOverrides(config, flags), onlyUser };
  }

  /**
   * Reports a start-up failure on stderr and sets serve's start-up exit code (0 when a stop signal ended start-up).
   * Start-up has already closed every listener; the exit is still forced after a second in case a dependency keeps
   * a handle open, so a supervisor (systemd, a restart policy, Kubernetes) always sees the failure.
   */
  private fail(error: unknown): { error: { code: string; message: string } } {
    const code = (error as { code?: unknown }).code;
    const codeText = typeof code === 'string' ? code : 'SERVE_START_FAILED';
    const message = error instanceof Error ? error.message : String(error);
    process.exitCode = codeText === STOPPED_DURING_STARTUP ? ExitCode.OK : exitCodeForError(codeText);
    this.logToStderr(`cssh serve: ${message}`);
    setTimeout(() => process.exit(), 1_000).unref();
    return { error: { code: codeText, message } };
  }

  private printSummary(summary: ServeSummary, onlyUser: string | undefined): void {
    const lines = [
      `cssh serve listening on ${summary.listen}`,
      ...summary.hostKeys.map((key) => `  host key     ${key.fingerprint} (${key.type}, ${key.source}${summary.hostKeyGenerated ? ', generated now' : ''})`),
      `  docker       ${summary.dockerEndpoint} (API ${summary.dockerApiVersion})`,
      `  auth         ${summary.authMethods.join(', ') || 'none configured: nobody can log in'}${onlyUser ? ` (user ${onlyUser} only)` : ''}`,
      `  image        ${summary.image} (pull policy ${summary.pullPolicy}, one container per ${summary.mode})`,
      ...(summary.workers === undefined ? [] : [`  workers      ${summary.workers} processes sharing the port`]),
      `  instance     ${summary.instanceId}${summary.orphansRemoved > 0 ? ` (removed ${summary.orphansRemoved} container(s) left by an earlier run)` : ''}`,
    ];
    // stderr: stdout carries only log lines (ljson shippers read it as JSON lines).
    this.logToStderr(lines.join('\n'));
  }
}
