// Each worker's share of the server-wide limits on unauthenticated connections (ssh.maxStartups, perSourceMaxStartups).
import type { SshConfig } from '../config/types.js';
import { parseMaxStartups } from '../config/startups-syntax.js';

/**
 * The ssh section a worker enforces so that N workers together hold about the configured pre-auth limits: the primary
 * hands connections out in turn, so each worker sees about 1/N of them. Every count is rounded up (a worker never
 * gets 0), the refusal rate is kept.
 */
export function workerShareOfStartups(ssh: SshConfig, workers: number): SshConfig {
  const startups = parseMaxStartups(ssh.maxStartups);
  const share = (n: number): number => Math.max(1, Math.ceil(n / workers));
  return {
    ...ssh,
    maxStartups: typeof startups === 'string' ? ssh.maxStartups : `${share(startups.start)}:${startups.rate}:${share(startups.full)}`,
    perSourceMaxStartups: ssh.perSourceMaxStartups < 0 ? ssh.perSourceMaxStartups : share(ssh.perSourceMaxStartups),
  };
}
