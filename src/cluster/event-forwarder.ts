// In a worker of serve --workers: sends the events its metrics would count to the primary, batched per event-loop turn.
import type { CsshEvent, EventSink } from '../core/events.js';
import type { FromWorker } from './protocol.js';

/** Events no metric counts: not worth a message. */
const UNCOUNTED = new Set<CsshEvent['type']>(['phase-start', 'pull-progress']);

export interface EventForwarder {
  sink: EventSink;
  /** Sends what is buffered now; resolves once the message is handed to the channel. */
  flush(): Promise<void>;
}

/** `send` is process.send of the worker; a closed channel drops the batch (the primary is gone). */
export function forwardEvents(send: (message: FromWorker, callback: (error: Error | null) => void) => void): EventForwarder {
  let buffered: CsshEvent[] = [];
  let scheduled = false;
  const flush = (): Promise<void> => {
    scheduled = false;
    if (buffered.length === 0) return Promise.resolve();
    const events = buffered;
    buffered = [];
    return new Promise((resolve) => {
      try {
        send({ t: 'events', events }, () => resolve());
      } catch {
        resolve();
      }
    });
  };
  const sink: EventSink = (event) => {
    if (UNCOUNTED.has(event.type)) return;
    buffered.push(event);
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => void flush());
    }
  };
  return { sink, flush };
}
