// The scp protocol's acknowledgements and error records, and error texts worded like OpenSSH's scp.
import type { Writable } from 'node:stream';
import { statusOf } from '../engine/docker-engine.js';
import { writeWithBackpressure } from '../programs/stream-pump.js';

export function sendOk(output: Writable): Promise<void> {
  return writeWithBackpressure(output, Buffer.from([0]));
}

/** An error record: 1 = the transfer goes on, 2 (`fatal`) = it stops. The client prints `text`. */
export function sendError(output: Writable, text: string, fatal = false): Promise<void> {
  return writeWithBackpressure(output, Buffer.from(`${fatal ? '\x02' : '\x01'}scp: ${text.replace(/\n/g, ' ')}\n`));
}

/** "path: reason", mapping Docker's refusals to the errno texts scp users know. */
export function errorText(path: string | undefined, error: unknown): string {
  const status = statusOf(error);
  const reason = status === 404 ? 'No such file or directory'
    : status === 403 ? 'Permission denied'
    : error instanceof Error ? error.message.replace(/^\(HTTP code \d+\) [^-]+ - /, '').trim() : String(error);
  return path === undefined || reason.startsWith(`${path}: `) ? reason : `${path}: ${reason}`;
}
