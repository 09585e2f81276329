// One forwarding helper: a container joined to one target's namespaces, started on first use, removed once.
import type { Duplex } from 'node:stream';
import { DOCKER_HEADER, FrameParser } from './frames.js';
import { RELAY_USER, type HelperEngine } from './helper-engine.js';

/** Label that tells a forwarding helper apart from the containers users work in (its other labels are the target's). */
export const LABEL_ROLE = 'cssh.role';
export const ROLE_FORWARDING = 'forwarding';
/** The id of the container a helper serves. */
export const LABEL_TARGET = 'cssh.forwarding.target';

/** The helper's main process: the node it needs anyway, idling until the container ends. */
export const IDLE_SCRIPT = 'setInterval(() => {}, 1 << 30)';

/** Prints "uid:gid" of the target's main process (pid 1 of the shared process namespace; /proc/1/status is world-readable). */
export const OWNER_SCRIPT = String.raw`const s = require('fs').readFileSync('/proc/1/status', 'utf8');
const id = (k) => (s.split('\n').find((l) => l.startsWith(k + ':')) || '').split(/\s+/)[1];
process.stdout.write(id('Uid') + ':' + id('Gid'));`;

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export class ForwardingHelper {
  private starting: Promise<string> | undefined;
  private owner: Promise<string> | undefined;
  private removed = false;
  /** Stops watching the helper containers once this helper is removed. */
  private readonly watching = new AbortController();
  /** The exec streams running in each helper container: they end with it. */
  private readonly streams = new Map<string, Set<Duplex>>();

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
    this.watch(id);
    return id;
  }

  /**
   * Ends every relay of helper `id` once that container stops (its target ended, or someone removed either): the
   * engine does not always close an exec's stream when its container goes, and a relay left open would keep the
   * client's forwarded connection, and so its ssh, open forever. The next exec starts a new helper.
   */
  private watch(id: string): void {
    this.engine.untilStopped(id, this.watching.signal).then(
      () => this.ended(id),
      () => undefined, // removed by cssh (the watch was stopped) or the engine failed: the connection's own clean-up applies
    );
  }

  private ended(id: string): void {
    if (this.removed) return;
    void this.starting?.then((current) => {
      if (current === id) this.starting = undefined;
    }, () => undefined);
    const streams = this.streams.get(id);
    this.streams.delete(id);
    for (const stream of streams ?? []) stream.destroy(new Error('the forwarding helper container stopped'));
    void this.engine.remove(id);
  }

  /** Remembers `stream` as running in helper `id` until it closes. */
  private adopt(id: string, stream: Duplex): Duplex {
    let set = this.streams.get(id);
    if (set === undefined) {
      set = new Set();
      this.streams.set(id, set);
    }
    set.add(stream);
    stream.once('close', () => set.delete(stream));
    return stream;
  }

  /**
   * Runs `cmd` in the helper (as RELAY_USER unless `user` is given) and returns its exec stream. A helper that is
   * gone (its target restarted its main process, or someone removed it) is replaced once.
   */
  async exec(cmd: string[], signal: AbortSignal, user = RELAY_USER): Promise<Duplex> {
    if (this.removed) throw new Error('the forwarding helper was removed');
    const id = await this.start(signal);
    try {
      return this.adopt(id, await this.engine.exec(id, cmd, user, signal));
    } catch (error) {
      const status = statusOf(error);
      if ((status !== 404 && status !== 409) || this.removed) throw error;
      if (this.starting !== undefined && (await this.starting.catch(() => undefined)) === id) this.starting = undefined;
      await this.engine.remove(id); // gone already: this only accounts for it
      const next = await this.start(signal);
      return this.adopt(next, await this.engine.exec(next, cmd, user, signal));
    }
  }

  /**
   * "uid:gid" of the target's main process, found once: Unix-socket relays run as that user, so sockets they create
   * belong to it and they reach only what it may reach (a root target's relays have SYS_PTRACE for /proc/1/root).
   */
  targetUser(signal: AbortSignal): Promise<string> {
    if (this.owner === undefined) {
      const pending = this.exec([this.spec.node, '-e', OWNER_SCRIPT], signal).then(readAll).then((text) => {
        if (!/^\d+:\d+$/.test(text)) throw new Error(`cannot tell the container's user (${text || 'no answer'})`);
        return text;
      });
      this.owner = pending;
      pending.catch(() => {
        if (this.owner === pending) this.owner = undefined;
      });
    }
    return this.owner;
  }

  /** Removes the helper if it was started; later exec() calls fail. Never throws. */
  async remove(): Promise<void> {
    this.removed = true;
    this.watching.abort();
    const id = await this.starting?.catch(() => undefined);
    if (id !== undefined) await this.engine.remove(id);
    // A relay still closing gracefully has nothing left to deliver to once its helper is gone, and the engine does not
    // always close its stream: end it here, or its socket would keep the process alive.
    for (const streams of this.streams.values()) for (const stream of streams) stream.destroy();
    this.streams.clear();
  }
}

/** Everything a short exec wrote to stdout (Docker's multiplexed frames decoded; stderr appended). */
function readAll(exec: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    const docker = new FrameParser(DOCKER_HEADER);
    let out = '';
    let err = '';
    exec.on('data', (chunk: Buffer) => {
      for (const frame of docker.push(chunk)) {
        if (frame.type === 2) err += frame.payload.toString('utf8');
        else out += frame.payload.toString('utf8');
      }
    });
    exec.on('error', reject);
    exec.on('close', () => resolve((out || err).trim()));
    exec.on('end', () => resolve((out || err).trim()));
    exec.end();
  });
}
