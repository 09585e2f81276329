// Whether a stream may show live spinners: a real terminal that reports its width.
import type { WriteStream } from 'node:tty';

/**
 * True for a TTY with a known, non-zero width. A pseudo-terminal that reports 0 columns makes ora's redraw
 * unbounded, so such streams (and pipes, files, CI logs) get plain lines instead.
 */
export function canAnimate(stream: NodeJS.WriteStream | WriteStream): boolean {
  return stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0;
}
