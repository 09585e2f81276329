// One forwarding helper: a container joined to one target's namespaces, started on first use, removed once.
import type { Duplex } from 'node:stream';
import type { HelperEngine } from './helper-engine.js';

/** Label that tells a forwarding helper apart from the containers users work in (its other labels are the target's). */
export const LABEL_ROLE = 'cssh.role';
export const ROLE_FORWARDING = 'forwarding';
/** The id of the container a helper serves. */
export const LABEL_TARGET = 'cssh.forwarding.target';

/** The helper's main process: the node it needs anyway, idling until the container ends. */
export const IDLE_SCRIPT = 'setInterval(() => {}, 1 << 30)';

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export class ForwardingHelper {
  private starting: Promise<string> | undefined;
  private removed = false;

  constructor(
    private readonly engine: HelperEngine,
    readonly targetId: string,
    private readonly spec: { image: string; node: string },
  ) {}

  /** Starts the helper once (concurrent callers share the start; a failed start is tried again next time). */
  private start(signal: AbortSignal): Promise<string> {
    if (this.starting === undefined) {
      const starting = this.create(signal);
      this.starting = starting;
      starting.catch(() => {
        if (this.starting === starting) this.starting = undefined;
      });
    }
    return this.starting;
  }

  private async create(signal: AbortSignal): Promise<string> {
    const labels = await this.engine.labelsOf(this.targetId, signal);
    const id = await this.engine.startHelper({
      image: this.spec.image,
      command: [this.spec.node, '-e', IDLE_SCRIPT],
      targetId: this.targetId,
      labels: { ...labels, [LABEL_ROLE]: ROLE_FORWARDING, [LABEL_TARGET]: this.targetId },
    }, signal);
    if (this.removed) {
      await this.engine.remove(id);
      throw new Error('the forwarding helper was removed while it started');
    }
    return id;
  }

  /**
   * Runs `cmd` in the helper and returns its exec stream. A helper that is gone (its target restarted its main
   * process, or someone removed it) is replaced once.
   */
  async exec(cmd: string[], signal: AbortSignal): Promise<Duplex> {
    if (this.removed) throw new Error('the forwarding helper was removed');
    const id = await this.start(signal);
    try {
      return await this.engine.exec(id, cmd, signal);
    } catch (error) {
      const status = statusOf(error);
      if ((status !== 404 && status !== 409) || this.removed) throw error;
      if (this.starting !== undefined && (await this.starting.catch(() => undefined)) === id) this.starting = undefined;
      return this.engine.exec(await this.start(signal), cmd, signal);
    }
  }

  /** Removes the helper if it was started; later exec() calls fail. Never throws. */
  async remove(): Promise<void> {
    this.removed = true;
    const id = await this.starting?.catch(() => undefined);
    if (id !== undefined) await this.engine.remove(id);
  }
}
