// FakeEngine: cssh's DockerEngine in memory, with scriptable faults and held calls, for unit tests of lifecycle paths.
import { randomBytes } from 'node:crypto';
import { Duplex, Readable } from 'node:stream';
import {
  engineError, execCreateBody, type ContainerCreateSpec, type ContainerDetails, type DockerEngine, type EngineVersion,
  type ExecSpec, type ImagePresence, type LabelledContainer, type PathStat, type ProcessState, type RegistryCredentials,
  type TtySize,
} from '../../src/backend/docker/engine/docker-engine.js';

/** The engine calls a test can script (every method of DockerEngine). */
export type EngineOp = Exclude<keyof DockerEngine, 'endpoint' | 'apiVersion'>;

export interface FakeContainer {
  id: string;
  /** The create body exactly as cssh sent it. */
  spec: ContainerCreateSpec;
  labels: Record<string, string>;
  /** Set by renameContainer. */
  name?: string;
  createdMs: number;
  state: 'created' | 'running' | 'exited';
  exitCode: number;
  /** The attach stream, while one is open. */
  stream?: ProgramStream;
}

export interface FakeExec {
  id: string;
  containerId: string;
  spec: ExecSpec;
  /** The ExecCreate body the spec becomes on the wire (ConsoleSize included when the API takes it). */
  body: ReturnType<typeof execCreateBody>;
  running: boolean;
  exitCode: number;
  stream?: ProgramStream;
}

/** A call held by hold(): resolves `entered` when cssh makes it; the call completes once released. */
export interface HeldCall {
  entered: Promise<void>;
  release(): void;
}

/** One recorded call: the method and when it was made (ms since the epoch). */
export interface CallRecord {
  op: EngineOp;
  args: unknown[];
  at: number;
}

/**
 * What programs (execs, and session-mode containers, the ones created with OpenStdin) do once started: `exit` ends at
 * once with `exitCode` after writing `output`; `run` runs until killed or removed (then 137).
 */
export interface ProgramBehaviour {
  mode: 'exit' | 'run';
  exitCode: number;
  /** Written to stdout before exiting (mode `exit`). */
  output: string;
}

/** A hijacked program stream: whatever cssh writes is dropped; output is pushed by the fake. */
class ProgramStream extends Duplex {
  constructor(private readonly tty: boolean) {
    super();
  }

  override _read(): void {}

  override _write(_chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    callback();
  }

  /** Writes stdout (a multiplexed frame unless the program has a TTY) and ends the output cleanly. */
  finish(output: string): void {
    if (this.destroyed || this.readableEnded) return;
    if (output !== '') {
      const data = Buffer.from(output);
      if (this.tty) {
        this.push(data);
      } else {
        const header = Buffer.alloc(8);
        header[0] = 1;
        header.writeUInt32BE(data.length, 4);
        this.push(Buffer.concat([header, data]));
      }
    }
    this.push(null);
  }
}

/** An in-memory Docker engine. Containers, execs and images live in maps; every call is recorded in `calls`. */
export class FakeEngine implements DockerEngine {
  readonly endpoint = 'fake://engine';
  readonly containers = new Map<string, FakeContainer>();
  readonly execs = new Map<string, FakeExec>();
  readonly images = new Map<string, ImagePresence>();
  /** Paths that exist in every container (pathExists, statPath). */
  readonly paths = new Set<string>();
  readonly calls: CallRecord[] = [];
  program: ProgramBehaviour = { mode: 'exit', exitCode: 0, output: '' };
  private readonly faults: Array<{ op: EngineOp; remaining: number; error: () => Error }> = [];
  private readonly held = new Map<EngineOp, Array<{ entered: () => void; released: Promise<void> }>>();

  constructor(readonly apiVersion = '1.47') {}

  /** The next `times` calls of `op` fail with `error` (default: HTTP 500) without touching the fake's state. */
  fail(op: EngineOp, times: number, error: () => Error = () => engineError(500, `fake ${op} failure`)): void {
    this.faults.push({ op, remaining: times, error });
  }

  /** The next call of `op` waits until released (its effect happens after release); the call's own signal still ends it. */
  hold(op: EngineOp): HeldCall {
    let entered!: () => void;
    let release!: () => void;
    const enteredP = new Promise<void>((resolve) => { entered = resolve; });
    const released = new Promise<void>((resolve) => { release = resolve; });
    const list = this.held.get(op) ?? [];
    list.push({ entered, released });
    this.held.set(op, list);
    return { entered: enteredP, release };
  }

  /** Calls of `op` made so far. */
  callsOf(op: EngineOp): CallRecord[] {
    return this.calls.filter((c) => c.op === op);
  }

  /** Records the call, waits while it is held, then throws a scripted fault if one is due. */
  private async enter(op: EngineOp, signal: AbortSignal | undefined, args: unknown[]): Promise<void> {
    this.calls.push({ op, args, at: Date.now() });
    const hold = this.held.get(op)?.shift();
    if (hold !== undefined) {
      hold.entered();
      await waitOrAbort(hold.released, signal);
    }
    if (signal?.aborted === true) throw signal.reason;
    const fault = this.faults.find((f) => f.op === op && f.remaining > 0);
    if (fault !== undefined) {
      fault.remaining -= 1;
      throw fault.error();
    }
  }

  private container(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (c === undefined) throw engineError(404, `No such container: ${id}`);
    return c;
  }

  /** Ends a container's program as a kill or removal would (137). */
  private stopProgram(c: FakeContainer, code: number): void {
    if (c.state === 'running') {
      c.state = 'exited';
      c.exitCode = code;
    }
    this.wakeWaiters();
    c.stream?.finish('');
    for (const e of this.execs.values()) {
      if (e.containerId !== c.id || !e.running) continue;
      e.running = false;
      e.exitCode = code;
      e.stream?.finish('');
    }
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.enter('ping', signal, []);
  }

  async version(signal: AbortSignal): Promise<EngineVersion> {
    await this.enter('version', signal, []);
    return { apiVersion: this.apiVersion, minApiVersion: '1.24', raw: { ApiVersion: this.apiVersion } };
  }

  async createContainer(spec: ContainerCreateSpec, signal: AbortSignal): Promise<string> {
    await this.enter('createContainer', signal, [spec]);
    const id = randomBytes(32).toString('hex');
    this.containers.set(id, {
      id, spec: structuredClone(spec), labels: { ...spec.Labels }, createdMs: Date.now(), state: 'created', exitCode: 0,
    });
    return id;
  }

  async startContainer(id: string, signal: AbortSignal): Promise<void> {
    await this.enter('startContainer', signal, [id]);
    const c = this.container(id);
    if (c.state === 'running') return;
    c.state = 'running';
    // A connection container's main process is the idle command: it runs until killed or removed.
    if (c.spec.OpenStdin === true && this.program.mode === 'exit') {
      const { exitCode, output } = this.program;
      setImmediate(() => {
        if (c.state !== 'running') return;
        c.state = 'exited';
        c.exitCode = exitCode;
        c.stream?.finish(output);
      });
    }
  }

  async attachContainer(id: string, signal: AbortSignal): Promise<Duplex> {
    await this.enter('attachContainer', signal, [id]);
    const c = this.container(id);
    c.stream = new ProgramStream(c.spec.Tty === true);
    return c.stream;
  }

  async inspectContainer(id: string, signal: AbortSignal): Promise<ContainerDetails> {
    await this.enter('inspectContainer', signal, [id]);
    const c = this.container(id);
    return {
      running: c.state === 'running', restarting: false, exitCode: c.exitCode,
      user: '', workingDir: '/', env: c.spec.Env ?? [], tmpfs: [], labels: { ...(c.spec.Labels ?? {}) },
    };
  }

  async listProcesses(id: string, signal: AbortSignal): Promise<string[]> {
    await this.enter('listProcesses', signal, [id]);
    return this.containers.get(id)?.state === 'running' ? ['/sbin/docker-init -- program', 'program'] : [];
  }

  private waiters: Array<() => void> = [];

  private wakeWaiters(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }

  async waitContainer(id: string, signal: AbortSignal): Promise<void> {
    await this.enter('waitContainer', signal, [id]);
    while (this.containers.get(id)?.state === 'running') {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  async killContainer(id: string, signalName: string, signal: AbortSignal): Promise<void> {
    await this.enter('killContainer', signal, [id, signalName]);
    const c = this.container(id);
    if (c.state !== 'running') throw engineError(409, `Container ${id} is not running`);
    this.stopProgram(c, 137);
  }

  async resizeContainer(id: string, size: TtySize, signal: AbortSignal): Promise<void> {
    await this.enter('resizeContainer', signal, [id, size]);
    this.container(id);
  }

  async renameContainer(id: string, name: string, signal: AbortSignal): Promise<void> {
    await this.enter('renameContainer', signal, [id, name]);
    this.container(id).name = name;
  }

  async removeContainer(id: string, signal: AbortSignal): Promise<void> {
    await this.enter('removeContainer', signal, [id]);
    const c = this.containers.get(id);
    if (c === undefined) return;
    this.stopProgram(c, 137);
    this.containers.delete(id);
  }

  async listContainers(label: string, signal: AbortSignal): Promise<LabelledContainer[]> {
    await this.enter('listContainers', signal, [label]);
    const [key = '', value] = label.split('=', 2);
    return [...this.containers.values()]
      .filter((c) => key in c.labels && (value === undefined || c.labels[key] === value))
      .map((c) => ({ id: c.id, labels: { ...c.labels }, createdMs: c.createdMs, state: c.state }));
  }

  async pathExists(id: string, path: string, signal: AbortSignal): Promise<boolean> {
    await this.enter('pathExists', signal, [id, path]);
    this.container(id);
    return this.paths.has(path);
  }

  async statPath(id: string, path: string, signal: AbortSignal): Promise<PathStat | undefined> {
    await this.enter('statPath', signal, [id, path]);
    this.container(id);
    if (!this.paths.has(path)) return undefined;
    return { name: path.split('/').pop() ?? '', size: 0, mode: 0o644, isDir: false, mtime: 0 };
  }

  async putArchive(id: string, dir: string, tar: Buffer | Readable, signal: AbortSignal): Promise<void> {
    await this.enter('putArchive', signal, [id, dir]);
    this.container(id);
    if (tar instanceof Readable) tar.resume();
  }

  async getArchive(id: string, path: string, signal: AbortSignal): Promise<Readable> {
    await this.enter('getArchive', signal, [id, path]);
    this.container(id);
    throw engineError(404, `Could not find the file ${path} in container ${id}`);
  }

  async createExec(containerId: string, spec: ExecSpec, signal: AbortSignal): Promise<string> {
    await this.enter('createExec', signal, [containerId, spec]);
    const c = this.container(containerId);
    if (c.state !== 'running') throw engineError(409, `Container ${containerId} is not running`);
    const id = randomBytes(32).toString('hex');
    this.execs.set(id, { id, containerId, spec: structuredClone(spec), body: execCreateBody(spec), running: false, exitCode: -1 });
    return id;
  }

  async startExec(execId: string, tty: boolean, signal: AbortSignal): Promise<Duplex> {
    await this.enter('startExec', signal, [execId, tty]);
    const e = this.execs.get(execId);
    if (e === undefined) throw engineError(404, `No such exec instance: ${execId}`);
    e.running = true;
    e.stream = new ProgramStream(tty);
    if (this.program.mode === 'exit') {
      const { exitCode, output } = this.program;
      const stream = e.stream;
      setImmediate(() => {
        if (!e.running) return;
        e.running = false;
        e.exitCode = exitCode;
        stream.finish(output);
      });
    }
    return e.stream;
  }

  async resizeExec(execId: string, size: TtySize, signal: AbortSignal): Promise<void> {
    await this.enter('resizeExec', signal, [execId, size]);
    if (!this.execs.has(execId)) throw engineError(404, `No such exec instance: ${execId}`);
  }

  async inspectExec(execId: string, signal: AbortSignal): Promise<ProcessState> {
    await this.enter('inspectExec', signal, [execId]);
    const e = this.execs.get(execId);
    if (e === undefined) throw engineError(404, `No such exec instance: ${execId}`);
    return { running: e.running, restarting: false, exitCode: e.exitCode };
  }

  async inspectImage(name: string, signal: AbortSignal): Promise<ImagePresence> {
    await this.enter('inspectImage', signal, [name]);
    return this.images.get(name) ?? { present: false };
  }

  async pullImage(repository: string, tag: string, credentials: RegistryCredentials | undefined, signal: AbortSignal): Promise<Readable> {
    await this.enter('pullImage', signal, [repository, tag, credentials]);
    this.images.set(`${repository}:${tag}`, { present: true, id: `sha256:${randomBytes(32).toString('hex')}`, size: 1, created: new Date().toISOString(), repoTags: [`${repository}:${tag}`] });
    return Readable.from([`${JSON.stringify({ status: `Status: Downloaded newer image for ${repository}:${tag}` })}\n`]);
  }

  async distributionDigest(reference: string, credentials: RegistryCredentials | undefined, signal: AbortSignal): Promise<string> {
    await this.enter('distributionDigest', signal, [reference, credentials]);
    return `sha256:${'0'.repeat(64)}`;
  }
}

/** Resolves with `p`, or rejects with the reason once `signal` aborts. */
function waitOrAbort(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return p;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
}
