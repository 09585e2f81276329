// How many worker processes `serve` runs: --workers, else instance.workers (default 1); 0 means one per CPU core.
import { availableParallelism } from 'node:os';
import { CsshError } from '../core/errors.js';

/** Upper bound on workers (a typo such as 1000 should not fork a thousand servers by accident). */
export const MAX_WORKERS = 1024;

/**
 * The worker count: `flag` (--workers) wins over `configured` (instance.workers, default 1); 0 means one per core.
 * Throws a CsshError naming the option when a value is not a whole number from 0 to MAX_WORKERS.
 */
export function workerCount(flag: number | undefined, configured: number, cores = availableParallelism()): number {
  const [value, where] = flag === undefined ? [configured, 'instance.workers'] : [flag, '--workers'];
  if (!Number.isInteger(value) || value < 0 || value > MAX_WORKERS) {
    throw new CsshError('CONFIG_INVALID', `${where}: "${value}" is not a worker count; use 1 to ${MAX_WORKERS}, or 0 for one per CPU core (${cores} here)`, { permanent: true });
  }
  return value === 0 ? Math.max(1, cores) : value;
}
