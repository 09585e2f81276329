// Resident memory and open file descriptors of a running Linux process, read from /proc/<pid>.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessUsage {
  /** VmRSS of /proc/<pid>/status, in KiB. */
  rssKiB: number;
  /** Entries of /proc/<pid>/fd. */
  fds: number;
}

/** VmRSS of `pid` in KiB; throws with the reason when the process is gone or /proc has no such line. */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match === null) throw new Error(`/proc/${pid}/status has no VmRSS line (is ${pid} a zombie?)`);
  return Number(match[1]);
}

/** Number of open file descriptors of `pid` (needs the same user, or root). */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export function processUsage(pid: number): ProcessUsage {
  return { rssKiB: rssKiB(pid), fds: fdCount(pid) };
}

/** KiB as MiB with one decimal, for reports. */
export function mib(kib: number): string {
  return (kib / 1024).toFixed(1);
}
