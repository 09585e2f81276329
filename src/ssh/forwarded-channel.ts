// Joins an accepted forwarding channel to its forwarded connection, keeping backpressure and both half-closes.
import type { Duplex } from 'node:stream';
import type { ServerChannel } from 'ssh2';

/**
 * Client data flows into `stream` and the client's EOF half-closes it; what the destination sends flows to the
 * client with the channel's window as backpressure, and the destination's EOF becomes the channel's EOF (the
 * channel stays open for the client's data). The channel closes once `stream` closed and its data was sent; a
 * channel the client closed drops `stream`. `onClose` runs once, when both are done.
 */
export function bridgeChannel(channel: ServerChannel, stream: Duplex, onClose: () => void): void {
  let closed = false;
  const finish = (): void => {
    if (closed) return;
    closed = true;
    onClose();
  };
  channel.on('error', () => undefined);
  stream.on('error', () => undefined);
  channel.pipe(stream);
  stream.on('data', (chunk: Buffer) => {
    if (!channel.write(chunk)) {
      stream.pause();
      channel.once('drain', () => stream.resume());
    }
  });
  // ssh2's eof() is sent at once, ahead of writes still waiting for window: an empty write's callback runs after
  // every earlier write went out, so the EOF follows the last byte.
  stream.on('end', () => void channel.write(Buffer.alloc(0), () => channel.eof()));
  stream.on('close', () => {
    channel.end();
    finish();
  });
  channel.on('close', () => {
    stream.destroy();
    finish();
  });
}
