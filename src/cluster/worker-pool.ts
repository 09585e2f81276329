// The primary's workers of serve --workers: forks N full servers on one shared listen socket, replaces any that ends,
// probes them for readiness and stops them all.
import cluster, { type Worker } from 'node:cluster';
import type { ServeSummary } from '../app.js';
import { CsshError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { isFromWorker, type FromWorker, type ToWorker, type WorkerStart } from './protocol.js';
import { workerEntry } from './worker-entry.js';

/** How long a readiness answer of a worker may take. */
const READY_ANSWER_MS = 2_000;
/** Waits before starting a replacement for a worker that ended soon after its start: doubling, capped. */
const RESPAWN_FIRST_MS = 250;
const RESPAWN_MAX_MS = 30_000;
/** A worker that lived this long before it ended is replaced at once. */
const HEALTHY_LIFETIME_MS = 30_000;

export interface WorkerPoolOptions {
  count: number;
  /** The start message of every worker but its number. */
  start: Omit<WorkerStart, 'index'>;
  logger: Logger;
  /** Every message of a worker (by its cluster id) that is not about start-up or readiness. */
  onMessage: (workerId: number, message: FromWorker) => void;
  /** A worker ended while the server runs (not in a stop); called once per worker, before its replacement starts. */
  onGone: (workerId: number) => void;
}

interface Slot {
  index: number;
  worker?: Worker;
  listening: boolean;
  startedAt: number;
  respawnDelayMs: number;
  timer?: NodeJS.Timeout;
}

export class WorkerPool {
  private readonly slots: Slot[];
  private readonly exits = new Map<number, Promise<void>>();
  private readonly answers = new Map<number, (ok: boolean) => void>();
  private nextProbe = 1;
  private stopping = false;
  private running = false;

  constructor(private readonly o: WorkerPoolOptions) {
    this.slots = Array.from({ length: o.count }, (_, i) => ({ index: i + 1, listening: false, startedAt: 0, respawnDelayMs: 0 }));
    const entry = workerEntry();
    cluster.setupPrimary({ exec: entry.file, execArgv: entry.execArgv, args: [], serialization: 'advanced', silent: false });
  }

  /** Process ids of the workers alive now, by worker number. */
  pids(): number[] {
    return this.slots.flatMap((s) => (s.worker?.process.pid === undefined ? [] : [s.worker.process.pid]));
  }

  /**
   * Starts every worker and resolves with the first one's summary once all listen. Rejects with the CsshError of the
   * first worker that fails (its code, e.g. SSH_LISTEN_FAILED) or ends during start-up; the caller then stops the pool.
   */
  async start(): Promise<ServeSummary> {
    const summaries = await Promise.all(this.slots.map((slot) => this.fork(slot)));
    this.running = true;
    const first = summaries[0];
    if (first === undefined) throw new CsshError('SERVE_START_FAILED', 'no worker started', { permanent: true });
    return first;
  }

  /** Forks the worker of `slot`; resolves with its summary once it listens, rejects if it fails or ends first. */
  private fork(slot: Slot): Promise<ServeSummary> {
    const worker = cluster.fork();
    slot.worker = worker;
    slot.listening = false;
    slot.startedAt = Date.now();
    // A message to a worker that is ending fails with EPIPE on the worker object: nothing to do, its exit is handled.
    worker.on('error', () => undefined);
    this.exits.set(worker.id, new Promise((resolve) => worker.once('exit', () => resolve())));
    return new Promise<ServeSummary>((resolve, reject) => {
      let settled = false;
      worker.on('message', (message: unknown) => {
        if (!isFromWorker(message)) return;
        if (message.t === 'hello') {
          // A stop sent before the worker listened for messages was lost: it gets the stop now instead of a start.
          this.sendTo(worker, this.stopping ? { t: 'stop' } : { t: 'start', start: { ...this.o.start, index: slot.index } });
        } else if (message.t === 'listening' && !settled) {
          settled = true;
          slot.listening = true;
          this.o.logger.info('CLUSTER_WORKER_LISTENING', `Worker ${slot.index} (pid ${worker.process.pid}) is listening.`, { worker: slot.index, pid: worker.process.pid });
          resolve(message.summary);
        } else if (message.t === 'failed' && !settled) {
          settled = true;
          reject(new CsshError(message.code, message.message, { permanent: true }));
        } else if (message.t === 'ready') {
          this.answers.get(message.id)?.(message.ok);
        } else {
          this.o.onMessage(worker.id, message);
        }
      });
      worker.once('exit', (code, signal) => {
        const wasListening = slot.listening;
        if (slot.worker === worker) slot.listening = false;
        if (!settled) {
          settled = true;
          reject(new CsshError('SERVE_START_FAILED', `worker ${slot.index} (pid ${worker.process.pid}) ended during start-up (${describeExit(code, signal)})`, { permanent: true }));
        }
        if (this.running && !this.stopping && slot.worker === worker) this.replace(slot, worker, code, signal, wasListening);
      });
    });
  }

  /** A running worker ended: report it, let the owner clean up after it, start another after a delay that grows with crash loops. */
  private replace(slot: Slot, worker: Worker, code: number | null, signal: string | null, wasListening: boolean): void {
    const pid = worker.process.pid;
    const lived = Date.now() - slot.startedAt;
    slot.respawnDelayMs = lived >= HEALTHY_LIFETIME_MS && wasListening ? 0 : Math.min(RESPAWN_MAX_MS, Math.max(RESPAWN_FIRST_MS, slot.respawnDelayMs * 2));
    this.o.logger.error('CLUSTER_WORKER_EXITED', `Worker ${slot.index} (pid ${pid}) ended (${describeExit(code, signal)}); its connections are gone, its containers are removed, and a new worker starts${slot.respawnDelayMs > 0 ? ` in ${slot.respawnDelayMs} ms` : ''}.`, {
      worker: slot.index, pid, code: code ?? undefined, signal: signal ?? undefined,
    });
    this.o.onGone(worker.id);
    slot.worker = undefined;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (this.stopping) return;
      this.fork(slot).then(
        () => this.o.logger.notice('CLUSTER_WORKER_REPLACED', `Worker ${slot.index} runs again (pid ${slot.worker?.process.pid}), in place of pid ${pid}.`, { worker: slot.index, pid: slot.worker?.process.pid, replaced: pid }),
        (error: unknown) => this.stopping || this.o.logger.error('CLUSTER_WORKER_START_FAILED', `Worker ${slot.index} could not start again: ${error instanceof Error ? error.message : String(error)}`, { worker: slot.index }),
      );
    }, slot.respawnDelayMs);
  }

  /** Sends `signal` to every listening worker (SIGHUP: each reopens its log file; an earlier one could still kill it). */
  signal(signal: NodeJS.Signals): void {
    for (const slot of this.slots) {
      if (slot.listening && slot.worker !== undefined && !slot.worker.isDead()) slot.worker.process.kill(signal);
    }
  }

  /** True when every worker listens and answers its own readiness probe (not draining, engine answers) in time. */
  async ready(): Promise<boolean> {
    if (this.stopping || !this.slots.every((s) => s.listening && s.worker !== undefined)) return false;
    const answers = this.slots.map((s) => this.probe(s.worker as Worker));
    return (await Promise.all(answers)).every(Boolean);
  }

  private probe(worker: Worker): Promise<boolean> {
    const id = this.nextProbe++;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), READY_ANSWER_MS);
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.answers.delete(id);
        resolve(ok);
      };
      this.answers.set(id, done);
      if (!this.sendTo(worker, { t: 'ready?', id })) done(false);
    });
  }

  /** Sends `message` to the worker with cluster id `workerId`; false when it is gone. */
  send(workerId: number, message: ToWorker): boolean {
    const worker = cluster.workers?.[workerId];
    return worker !== undefined && this.sendTo(worker, message);
  }

  private sendTo(worker: Worker, message: ToWorker): boolean {
    if (!worker.isConnected()) return false;
    try {
      worker.send(message);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Asks every worker to drain, forces them when `deadline` aborts, and kills any still alive `graceMs` after that.
   * Resolves once every worker has ended. Idempotent, never throws.
   */
  async stop(deadline: AbortSignal, graceMs: number): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) clearTimeout(slot.timer);
    const alive = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    for (const worker of alive()) this.sendTo(worker, { t: 'stop' });
    let killer: NodeJS.Timeout | undefined;
    const force = (): void => {
      for (const worker of alive()) this.sendTo(worker, { t: 'force' });
      killer = setTimeout(() => {
        for (const worker of alive()) {
          this.o.logger.warning('CLUSTER_WORKER_KILLED', `Worker pid ${worker.process.pid} did not end after a forced stop; killed.`, { pid: worker.process.pid });
          worker.process.kill('SIGKILL');
        }
      }, graceMs);
    };
    if (deadline.aborted) force();
    else deadline.addEventListener('abort', force, { once: true });
    await Promise.all([...this.exits.values()]);
    deadline.removeEventListener('abort', force);
    clearTimeout(killer);
  }
}

function describeExit(code: number | null, signal: string | null): string {
  return signal !== null ? `signal ${signal}` : `exit code ${code ?? '?'}`;
}
