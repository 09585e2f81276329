// A full garbage collection in a running `cssh serve` started with GC_PRELOAD_ARGS (test/support/gc-on-signal-preload.ts),
// and the memory figures it reports right after it, so a check reads what the server retains, not what GC has not run on.
import type { ServeHandle } from './serve-harness.js';

/** Node options for startServe({ nodeArgs }) that load the preload answering SIGUSR2 with a collection. */
export const GC_PRELOAD_ARGS = ['--expose-gc', '--import', 'tsx', '--import', new URL('./gc-on-signal-preload.ts', import.meta.url).href];

/** Runs a full collection in the server (SIGUSR2 to the preload) and resolves with its memoryUsage() right after. */
export async function collectGarbage(srv: ServeHandle, ms = 30_000): Promise<NodeJS.MemoryUsage> {
  const seen = srv.output().split('cssh-bench-memory ').length;
  const deadline = Date.now() + ms;
  srv.process.kill('SIGUSR2');
  for (;;) {
    const parts = srv.output().split('cssh-bench-memory ');
    const line = parts[seen]?.split('\n');
    if (line !== undefined && line.length > 1) return JSON.parse(line[0] ?? '') as NodeJS.MemoryUsage;
    if (Date.now() > deadline) throw new Error('the server did not answer SIGUSR2 with its memory usage: was it started with GC_PRELOAD_ARGS?');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
