// Joins an accepted forwarding channel to its forwarded connection, keeping backpressure and both half-closes.
import type { Duplex } from 'node:stream';
import type { ServerChannel } from 'ssh2';

/**
 * Client data flows into `stream` and the client's EOF half-closes it; what the destination sends flows to the
 * client with the channel's window as backpressure, and the destination's EOF becomes the channel's EOF (the
 * channel stays open for the client's data). The channel closes once `stream` closed and its data was sent. A
 * channel the client closed ends `stream` rather than dropping it: what the client sent before its close still
 * reaches the destination (OpenSSH, too, writes a closed channel's data to its socket before closing it), and
 * `stream` is destroyed once it took all of it; what the destination sends from then on is dropped. (ssh -R: the
 * client sends its last data, EOF and close back to back, and dropping the stream at once lost that tail.)
 * `onClose` runs once, when both are done.
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
  const toClient = (chunk: Buffer): void => {
    if (!channel.write(chunk)) {
      stream.pause();
      channel.once('drain', () => stream.resume());
    }
  };
  stream.on('data', toClient);
  // ssh2's eof() is sent at once, ahead of writes still waiting for window: an empty write's callback runs after
  // every earlier write went out, so the EOF follows the last byte.
  stream.on('end', () => void channel.write(Buffer.alloc(0), () => channel.eof()));
  stream.on('close', () => {
    channel.end();
    finish();
  });
  channel.on('close', () => {
    // ssh2 emits a server channel's close after its 'end', so the pipe already handed `stream` every byte and ended it.
    stream.off('data', toClient);
    stream.resume();
    if (stream.destroyed || stream.writableFinished) stream.destroy();
    else {
      if (!stream.writableEnded) stream.end();
      stream.once('finish', () => stream.destroy());
    }
    finish();
  });
}
