// Sends a channel's request replies in request order: SSH_MSG_CHANNEL_SUCCESS/FAILURE name no request.

type Reply = (() => unknown) | undefined;

interface Slot {
  outcome: boolean | undefined;
  accept: Reply;
  reject: Reply;
}

/**
 * A client matches each reply to its oldest unanswered request (RFC 4254 §5.4), so a request that settles late (a
 * signal being delivered) holds back the replies of the requests after it. A request sent without want-reply gets no
 * slot; a reply whose turn has come is sent at once, synchronously.
 */
export class ReplyOrder {
  private readonly pending: Slot[] = [];

  /** Takes the next place in line; the returned function settles it (true: success) once, later calls are ignored. */
  slot(accept: Reply, reject: Reply): (ok: boolean) => void {
    if (accept === undefined && reject === undefined) return () => undefined;
    const slot: Slot = { outcome: undefined, accept, reject };
    this.pending.push(slot);
    return (ok) => {
      if (slot.outcome !== undefined) return;
      slot.outcome = ok;
      this.flush();
    };
  }

  private flush(): void {
    for (let head = this.pending[0]; head?.outcome !== undefined; head = this.pending[0]) {
      this.pending.shift();
      try {
        (head.outcome ? head.accept : head.reject)?.();
      } catch {
        // the channel closed meanwhile: nobody is waiting for the reply
      }
    }
  }
}
