// Where connection slots (security.maxConnections, maxConnectionsPerUser) are counted: in this process, or server-wide.

/** Which cap refused a slot. */
export type SlotRefusal = 'total' | 'user';

/** The caps of one connection's effective config (-1 = unlimited). */
export interface SlotLimits {
  maxConnections: number;
  maxConnectionsPerUser: number;
}

/** A granted slot: give it back once the connection ends (calling it again does nothing). */
export type SlotRelease = () => void;

/** Counts connection slots; a single server counts in process, the workers of `serve --workers` ask their primary. */
export interface ConnectionSlots {
  take(username: string, limits: SlotLimits): Promise<SlotRelease | SlotRefusal>;
}

/** Counters of slots in total and per username, checked and taken in one step. */
export class SlotLedger {
  private total = 0;
  private readonly perUser = new Map<string, number>();

  /** Takes a slot for `username` unless a cap is reached; returns the cap that refused it. */
  take(username: string, limits: SlotLimits): SlotRefusal | undefined {
    if (limits.maxConnections >= 0 && this.total >= limits.maxConnections) return 'total';
    const userCount = this.perUser.get(username) ?? 0;
    if (limits.maxConnectionsPerUser >= 0 && userCount >= limits.maxConnectionsPerUser) return 'user';
    this.total++;
    this.perUser.set(username, userCount + 1);
    return undefined;
  }

  /** Gives back one slot of `username`. */
  give(username: string): void {
    const held = this.perUser.get(username);
    if (held === undefined) return;
    this.total--;
    if (held <= 1) this.perUser.delete(username);
    else this.perUser.set(username, held - 1);
  }

  /** Slots held, in total and for one username. */
  counts(username?: string): { total: number; user: number } {
    return { total: this.total, user: username === undefined ? 0 : (this.perUser.get(username) ?? 0) };
  }
}

/** The slots of a single server process. */
export class LocalConnectionSlots implements ConnectionSlots {
  readonly ledger = new SlotLedger();

  take(username: string, limits: SlotLimits): Promise<SlotRelease | SlotRefusal> {
    const refused = this.ledger.take(username, limits);
    if (refused !== undefined) return Promise.resolve(refused);
    return Promise.resolve(once(() => this.ledger.give(username)));
  }
}

/** `fn`, callable any number of times, run the first time only. */
export function once(fn: () => void): SlotRelease {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
