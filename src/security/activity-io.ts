// A view of SessionIO that reports every chunk of input and output, with no lost bytes and backpressure intact.
import { Transform, type Writable } from 'node:stream';
import type { SessionIO } from '../core/contracts.js';

/**
 * Returns SessionIO streams to hand to the backend instead of `io`. Input is piped through a pass-through (the
 * source pauses while the backend does not read). Output is the front end's own stream seen through a proxy that
 * notes each write: no extra buffer, so write()'s return value, 'drain', 'close' and 'error' are exactly the front
 * end's, and nothing written can be stranded when the front end ends the stream after the program exited.
 * `onActivity` runs per chunk and must be cheap and never throw. The originals are never ended or destroyed here.
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

function observeOutput(target: Writable, onActivity: () => void): Writable {
  const write = (...args: Parameters<Writable['write']>): boolean => {
    onActivity();
    return target.write(...args);
  };
  return new Proxy(target, {
    get(object, property) {
      if (property === 'write') return write;
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value;
    },
  });
}
