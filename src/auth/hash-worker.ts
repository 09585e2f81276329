// A hash worker thread: checks one password against one hash at a time, off the server's event loop.
import { parentPort } from 'node:worker_threads';
import type { HashJob, HashReply } from './hash-pool.js';
import { verifyPassword } from './password-hash.js';

const port = parentPort;
port?.on('message', (job: HashJob) => {
  const reply = (message: HashReply): void => port.postMessage(message);
  verifyPassword(job.hash, Buffer.from(job.password)).then(
    (result) => reply({ result }),
    (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
  );
});
