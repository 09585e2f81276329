// A hash worker thread: checks one password against one hash at a time, off the server's event loop.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { HashJob, HashReply } from './hash-pool.js';
import { verifyPassword } from './password-hash.js';

/** Niceness of hash threads: when a hash check and the SSH sessions' event loop want the same core, the sessions win. */
const HASH_NICENESS = 10;

/**
 * Linux: lowers this thread's own scheduling priority (setpriority on the thread id, as /proc/thread-self names it).
 * Elsewhere, or when not allowed, the thread keeps the normal priority.
 */
function yieldToSessions(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, HASH_NICENESS);
  } catch {
    // not Linux, or not permitted
  }
}

yieldToSessions();
const port = parentPort;
port?.on('message', (job: HashJob) => {
  const reply = (message: HashReply): void => port.postMessage(message);
  verifyPassword(job.hash, Buffer.from(job.password)).then(
    (result) => reply({ result }),
    (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
  );
});
