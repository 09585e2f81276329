// A view of SessionIO that reports every chunk of input and output, with no lost bytes and backpressure intact.
import { Transform, Writable } from 'node:stream';
import type { SessionIO } from '../core/contracts.js';

/**
 * Returns SessionIO streams to hand to the backend instead of `io`. Input is piped through (pausing the source
 * when the backend stops reading); each output write completes only when the front end's stream accepted it.
 * `onActivity` runs per chunk and must be cheap and never throw. The returned stdout/stderr are never ended here,
 * and the originals are never ended or destroyed by this view.
 */
export function observeActivity(io: SessionIO, onActivity: () => void): SessionIO {
  return {
    stdin: observeInput(io.stdin, onActivity),
    stdout: observeOutput(io.stdout, onActivity),
    stderr: observeOutput(io.stderr, onActivity),
  };
}

function observeInput(source: SessionIO['stdin'], onActivity: () => void): Transform {
  const view = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onActivity();
      callback(null, chunk);
    },
  });
  source.pipe(view);
  // A source that fails or closes without ending (client gone) half-closes the view, like an EOF. The source's own
  // errors still reach the front end's listeners; the view does not re-emit them.
  const eof = (): void => {
    if (!view.writableEnded && !view.destroyed) view.end();
  };
  source.on('error', eof);
  source.on('close', eof);
  return view;
}

function observeOutput(target: SessionIO['stdout'], onActivity: () => void): Writable {
  let inFlight: ((error?: Error | null) => void) | undefined;
  const view = new Writable({
    write(chunk: Buffer, encoding, callback) {
      onActivity();
      let done = false;
      const finish = (error?: Error | null): void => {
        if (done) return;
        done = true;
        inFlight = undefined;
        callback(error);
      };
      inFlight = finish;
      if (target.destroyed || target.writableEnded) {
        finish(new Error('the session output stream is closed'));
        return;
      }
      target.write(chunk, encoding, finish);
    },
  });
  // Writes to a closed channel may never complete: close the view, then fail the write in flight (its callback gets
  // the error; a destroyed view emits no 'error'). The target reports its own errors to the front end's listeners.
  target.once('close', () => {
    view.destroy();
    inFlight?.(new Error('the session output stream closed'));
  });
  view.on('error', () => undefined);
  return view;
}
