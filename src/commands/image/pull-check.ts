// `cssh image pull-check`: is the configured image ready on the Docker engine, and what will the pull policy do?
import { Flags } from '@oclif/core';
import type { PullCheckResult } from '../../backend/docker/image/image-check.js';
import { BaseCommand } from '../../cli/base-command.js';
import { ExitCode, exitCodesHelp } from '../../cli/exit-codes.js';
import { configFlag, imageFlag } from '../../cli/shared-flags.js';
import type { PullProgressView } from '../../cli/pull-progress.js';
import { canAnimate } from '../../cli/terminal.js';

export default class ImagePullCheck extends BaseCommand {
  static override commandName = 'image pull-check' as const;
  static override summary = 'Check that the configured image is ready on the Docker engine, or pull it with --pull';
  static override description = [
    'Says which Docker endpoint and Engine API version cssh talks to, which image the configuration uses (canonical ' +
      'name), whether it is present on the engine, and what docker.execution.imagePullPolicy will do when a user ' +
      'connects. When the policy would pull, it asks the registry (with the configured credentials) whether a pull ' +
      'would work, without pulling. --pull pulls it now, with live per-layer progress.',
    '--json prints {ok, command, exitCode, status, message, endpoint, apiVersion, image, canonical, present, local, policy, atConnection, remoteDigest, pulled, error}.',
    exitCodesHelp('image pull-check'),
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> image pull-check --config cssh.yaml',
    '<%= config.bin %> image pull-check --config cssh.yaml --pull',
    '<%= config.bin %> image pull-check --config cssh.yaml --image 127.0.0.1:5000/team/shell:1 --json',
  ];

  static override flags = {
    config: configFlag(),
    image: imageFlag('check this image instead of docker.execution.container.image'),
    pull: Flags.boolean({ description: 'pull the image now, with live per-layer progress, using the configured credentials' }),
  };

  async run(): Promise<PullCheckResult> {
    const { flags } = await this.parse(ImagePullCheck);
    const controller = new AbortController();
    const onInterrupt = (): void => controller.abort(new Error('interrupted'));
    process.once('SIGINT', onInterrupt);
    const progress = flags.pull && !this.jsonEnabled() ? await this.progressView() : undefined;
    let result: PullCheckResult;
    try {
      result = await this.check(flags, controller.signal, progress);
    } finally {
      progress?.stop();
      process.removeListener('SIGINT', onInterrupt);
    }
    process.exitCode = controller.signal.aborted ? ExitCode.INTERRUPTED : result.exitCode;
    if (!this.jsonEnabled()) await this.report(result);
    return result;
  }

  private async check(
    flags: { config?: string; image?: string; pull: boolean },
    signal: AbortSignal,
    progress: PullProgressView | undefined,
  ): Promise<PullCheckResult> {
    const [{ loadConfig }, { checkImageReadiness, failedCheck }, { createNullLogger }] = await Promise.all([
      import('../../config/index.js'),
      import('../../backend/docker/image/image-check.js'),
      import('../../core/logger.js'),
    ]);
    let config;
    try {
      config = (await loadConfig(flags.config)).config;
    } catch (error) {
      return failedCheck(error, 'IfNotPresent', flags.image ?? null);
    }
    return checkImageReadiness(config, {
      pull: flags.pull,
      signal,
      logger: createNullLogger(),
      ...(flags.image === undefined ? {} : { image: flags.image }),
      ...(progress === undefined ? {} : { onEvent: progress.onEvent }),
    });
  }

  private async progressView(): Promise<PullProgressView> {
    const { createPlainPullProgress, createTtyPullProgress } = await import('../../cli/pull-progress.js');
    if (canAnimate(process.stderr)) {
      return createTtyPullProgress(process.stderr, 'connecting to the Docker engine');
    }
    return createPlainPullProgress((line) => this.log(line));
  }

  private async report(result: PullCheckResult): Promise<void> {
    const { renderPullCheck } = await import('../../cli/pull-check-render.js');
    const lines = renderPullCheck(result);
    const status = lines.pop() ?? '';
    for (const line of lines) this.log(line);
    if (result.status === 'unavailable') this.logToStderr(status);
    else this.log(status);
  }
}
