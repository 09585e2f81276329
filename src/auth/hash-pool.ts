// A small pool of worker threads for password hash checks (bcrypt, SHA-crypt, scrypt), so that a costly hash never
// stalls the event loop every SSH session runs on. Bounded queue; a queued check is dropped when its client leaves.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CsshError } from '../core/errors.js';

/** What the pool sends a worker. */
export interface HashJob {
  hash: string;
  password: Uint8Array;
}

/** What a worker answers: the check's result, or why it failed. */
export type HashReply = { result: boolean | 'unsupported' } | { error: string };

export interface HashPoolOptions {
  /** Worker threads; default: one fewer than the cores, at least 1 and at most 4. */
  size?: number;
  /** Checks that may wait for a free worker; one more is refused at once (AUTH_PASSWORD_QUEUE_FULL). Default 64. */
  maxQueued?: number;
}

interface Job extends HashJob {
  resolve(result: boolean | 'unsupported'): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export const DEFAULT_MAX_QUEUED = 64;

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('the password check was abandoned: the client left');
}

/** Starts one worker: the compiled .js next to this file, or (run from TypeScript source by tsx) the .ts file. */
function startWorker(): Worker {
  const source = import.meta.url.endsWith('.ts');
  const url = new URL(source ? './hash-worker.ts' : './hash-worker.js', import.meta.url);
  if (!source) return new Worker(url);
  // Node 20 does not apply the parent's --import hooks to a worker's entry module, so register tsx there first.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/** Worker threads that check password hashes. Idle workers do not keep the process alive. */
export class HashPool {
  readonly size: number;
  readonly maxQueued: number;
  private readonly live = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private closed = false;

  constructor(options: HashPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(4, availableParallelism() - 1));
    this.maxQueued = Math.max(0, options.maxQueued ?? DEFAULT_MAX_QUEUED);
  }

  /** Checks waiting for a worker now. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Checks `password` against `hash` in a worker (verifyPassword's contract). Rejects with a CsshError
   * AUTH_PASSWORD_QUEUE_FULL when `maxQueued` checks already wait, with `signal.reason` when the signal aborts
   * before a worker took the check, and with an Error when the worker failed.
   */
  verify(hash: string, password: Buffer, signal?: AbortSignal): Promise<boolean | 'unsupported'> {
    if (this.closed) return Promise.reject(new Error('the password hash pool is closed'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const free = this.idle.length > 0 || this.live.size < this.size;
    if (!free && this.queue.length >= this.maxQueued) {
      return Promise.reject(new CsshError('AUTH_PASSWORD_QUEUE_FULL', `${this.queue.length} password checks are already waiting for a hash worker`));
    }
    return new Promise((resolve, reject) => {
      const job: Job = { hash, password: new Uint8Array(password), resolve, reject, signal, onAbort: () => undefined };
      job.onAbort = () => {
        const at = this.queue.indexOf(job);
        if (at < 0) return;
        this.queue.splice(at, 1);
        reject(abortReason(signal));
      };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Refuses queued checks and ends every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the password hash pool is closed'));
    await Promise.all([...this.live].map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const worker = this.idle.pop() ?? (this.live.size < this.size ? this.spawn() : undefined);
      if (worker === undefined) return;
      const job = this.queue.shift() as Job;
      job.signal?.removeEventListener('abort', job.onAbort);
      this.busy.set(worker, job);
      worker.ref(); // a check in progress keeps the process alive until it is answered
      const message: HashJob = { hash: job.hash, password: job.password };
      worker.postMessage(message);
    }
  }

  private spawn(): Worker {
    const worker = startWorker();
    this.live.add(worker);
    worker.on('message', (reply: HashReply) => this.onReply(worker, reply));
    worker.on('error', (error: Error) => this.onGone(worker, error));
    worker.on('exit', (code: number) => this.onGone(worker, new Error(`the hash worker exited with code ${code}`)));
    return worker;
  }

  private onReply(worker: Worker, reply: HashReply): void {
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if (job !== undefined) {
      if ('result' in reply) job.resolve(reply.result);
      else job.reject(new Error(`password hash check failed: ${reply.error}`));
    }
    this.dispatch();
  }

  /** A worker crashed or exited: its check fails, and a new worker takes the queue. */
  private onGone(worker: Worker, error: Error): void {
    if (!this.live.delete(worker)) return;
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    job?.reject(new Error(`password hash check failed: ${error.message}`));
    this.dispatch();
  }
}

let shared: HashPool | undefined;

/** The process-wide pool the `passwords` method uses (created on first use). */
export function sharedHashPool(): HashPool {
  shared ??= new HashPool();
  return shared;
}
