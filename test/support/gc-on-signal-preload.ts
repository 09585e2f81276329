// Server preload for memory benchmarks (node --expose-gc --import <this file>): on SIGUSR2 it runs a full garbage
// collection and prints `cssh-bench-memory {...process.memoryUsage()}` to stderr, so a benchmark can read what the
// server retains rather than what garbage collection has not yet returned. Never part of a normal run.
const collect = (globalThis as { gc?: () => void }).gc;
if (collect === undefined) throw new Error('gc-on-signal-preload needs node --expose-gc');
process.on('SIGUSR2', () => {
  collect();
  process.stderr.write(`cssh-bench-memory ${JSON.stringify(process.memoryUsage())}\n`);
});
