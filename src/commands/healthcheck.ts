// `cssh healthcheck`: for a container HEALTHCHECK; asks the local `cssh serve` whether it is alive, exits 0 or 1.
import { Flags } from '@oclif/core';
import { BaseCommand, CliFailure, usageError } from '../cli/base-command.js';
import { ExitCode, exitCodesHelp } from '../cli/exit-codes.js';
import { configFlag } from '../cli/shared-flags.js';
import type { HealthProbeResult } from '../observability/health-probe.js';

export default class Healthcheck extends BaseCommand {
  static override commandName = 'healthcheck' as const;
  static override summary = 'Check that the local cssh serve is alive, for a container HEALTHCHECK';
  static override description = [
    'Reads the same configuration as serve. With health.enable it asks the health endpoint (/health, or /ready with --ready; health.client.url when set), over HTTPS when health.cert is set: the server must present that certificate, or one signed by health.client.cacert, and health.client.cert and key are sent when health.clientcacert asks for client certificates. With health off it connects to ssh.listen and waits for the SSH identification line.',
    'It prints one line saying why, and never takes longer than --timeout. Like ContainerSSH\'s --healthcheck it never exits 2, which Docker reserves: a configuration it cannot read is "unhealthy" with the reason.',
    '--json prints {ok, command, exitCode, healthy, probe, target, status?, reason, ms}.',
    exitCodesHelp('healthcheck'),
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> healthcheck --config /etc/cssh/cssh.yaml',
    '<%= config.bin %> healthcheck --config /etc/cssh/cssh.yaml --ready --timeout 3s',
    'HEALTHCHECK --interval=30s --timeout=10s CMD ["cssh", "healthcheck", "--config", "/etc/cssh/cssh.yaml"]',
  ];

  static override flags = {
    config: configFlag('configuration file of the server to check (the one serve was started with); without it, the zero-config server on 127.0.0.1:2222'),
    timeout: Flags.string({ description: 'give up after this long (Go duration: 500ms, 5s)', default: '5s' }),
    ready: Flags.boolean({ description: 'ask /ready (the Docker engine answers too) instead of /health (the server runs)' }),
  };

  async run(): Promise<HealthProbeResult> {
    const { flags } = await this.parse(Healthcheck);
    const [{ parseGoDuration, loadConfig }, { probeHealth }, { DEFAULT_LISTEN }] = await Promise.all([
      import('../config/index.js'),
      import('../observability/health-probe.js'),
      import('../ssh/serve-defaults.js'),
    ]);
    const timeoutNs = parseGoDuration(flags.timeout);
    // At least 1 ms, at most a day: AbortSignal.timeout needs a 32-bit millisecond count.
    const timeoutMs = timeoutNs === undefined ? undefined : Math.round(timeoutNs / 1e6);
    if (timeoutMs === undefined || timeoutMs < 1 || timeoutMs > 86_400_000) throw usageError(`--timeout: expected a duration such as 5s or 500ms, got ${JSON.stringify(flags.timeout)}`);
    let config;
    try {
      config = (await loadConfig(flags.config)).config;
    } catch (error) {
      // Docker reserves exit 2 in HEALTHCHECKs; an unreadable or invalid file is "unhealthy" with its reason.
      throw new CliFailure((error as { code?: string }).code ?? 'CONFIG_UNREADABLE', (error as Error).message, { exitCode: ExitCode.INVALID });
    }
    if (flags.config === undefined) config = { ...config, ssh: { ...config.ssh, listen: DEFAULT_LISTEN } };
    const result = await probeHealth(config, { timeoutMs, ready: flags.ready });
    process.exitCode = result.healthy ? ExitCode.OK : ExitCode.INVALID;
    if (result.healthy) this.log(`healthy: ${result.reason}`);
    else this.logToStderr(`unhealthy: ${result.reason}`);
    return result;
  }
}
