// Server-wide connection caps for serve --workers: workers ask the primary for a slot, the primary counts for all.
import { CsshError } from '../core/errors.js';
import {
  LocalConnectionSlots,
  once,
  SlotLedger,
  type ConnectionSlots,
  type SlotLimits,
  type SlotRefusal,
  type SlotRelease,
} from '../security/connection-slots.js';
import type { FromWorker } from './protocol.js';

/** How long a worker waits for the primary's answer before it refuses the connection. */
const ANSWER_MS = 5_000;

/** In a worker: slots are taken from and given back to the primary; with both caps off nobody is asked. */
export class PrimarySlots implements ConnectionSlots {
  private readonly uncapped = new LocalConnectionSlots();
  private readonly waiting = new Map<number, (refused: SlotRefusal | undefined) => void>();
  private nextId = 1;

  constructor(private readonly send: (message: FromWorker) => boolean) {}

  take(username: string, limits: SlotLimits): Promise<SlotRelease | SlotRefusal> {
    if (limits.maxConnections < 0 && limits.maxConnectionsPerUser < 0) return this.uncapped.take(username, limits);
    const id = this.nextId++;
    return new Promise<SlotRelease | SlotRefusal>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new CsshError('CLUSTER_SLOT_UNANSWERED', `the primary process did not answer a connection-slot request within ${ANSWER_MS} ms`));
      }, ANSWER_MS);
      this.waiting.set(id, (refused) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(refused ?? once(() => this.send({ t: 'slot-give', username })));
      });
      if (!this.send({ t: 'slot-take', id, username, limits })) {
        clearTimeout(timer);
        this.waiting.delete(id);
        reject(new CsshError('CLUSTER_SLOT_UNANSWERED', 'the primary process is gone: no connection slot can be taken'));
      }
    });
  }

  /** The primary's answer to request `id`. */
  answer(id: number, refused: SlotRefusal | undefined): void {
    this.waiting.get(id)?.(refused);
  }
}

/** In the primary: one ledger for every worker; a worker that ends gives back every slot it held. */
export class ClusterSlotLedger {
  private readonly ledger = new SlotLedger();
  private readonly held = new Map<number, Map<string, number>>();

  take(worker: number, username: string, limits: SlotLimits): SlotRefusal | undefined {
    const refused = this.ledger.take(username, limits);
    if (refused !== undefined) return refused;
    const mine = this.held.get(worker) ?? new Map<string, number>();
    mine.set(username, (mine.get(username) ?? 0) + 1);
    this.held.set(worker, mine);
    return undefined;
  }

  give(worker: number, username: string): void {
    const mine = this.held.get(worker);
    const count = mine?.get(username);
    if (mine === undefined || count === undefined) return;
    if (count <= 1) mine.delete(username);
    else mine.set(username, count - 1);
    this.ledger.give(username);
  }

  /** Gives back every slot of a worker that ended. */
  drop(worker: number): void {
    const mine = this.held.get(worker);
    this.held.delete(worker);
    for (const [username, count] of mine ?? []) for (let i = 0; i < count; i++) this.ledger.give(username);
  }

  counts(username?: string): { total: number; user: number } {
    return this.ledger.counts(username);
  }
}
