// Server preload (node --import) that leaks on purpose per accepted TCP connection, so a soak run can show it fails.
// Loaded as `--import <this file's URL>?kind=fd` (one open /dev/null per connection) or `?kind=memory&kib=N` (N KiB
// of touched memory kept per connection). Never part of a normal run.
import { openSync } from 'node:fs';
import { Server } from 'node:net';

const params = new URL(import.meta.url).searchParams;
const kind = params.get('kind');
const kib = Number(params.get('kib') ?? '256');
if (kind !== 'fd' && kind !== 'memory') throw new Error(`soak-leak-preload: kind must be fd or memory, not ${String(kind)}`);

const kept: unknown[] = [];
type Emit = (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the server as `this`
const emit = Server.prototype.emit as Emit;
Server.prototype.emit = function leakingEmit(this: Server, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'connection') kept.push(kind === 'fd' ? openSync('/dev/null', 'r') : Buffer.alloc(kib * 1024, 1));
  return emit.call(this, event, ...args);
};
