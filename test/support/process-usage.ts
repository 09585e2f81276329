// Resident memory and open file descriptors of a running Linux process, read from /proc/<pid>.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcessUsage {
  /** VmRSS of /proc/<pid>/status, in KiB. */
  rssKiB: number;
  /** Entries of /proc/<pid>/fd. */
  fds: number;
  /** Of those, Unix-domain sockets (see unixSocketCount). */
  unixSockets: number;
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

/**
 * Open Unix-domain sockets of `pid`. For `cssh serve` on the default engine socket these are its connections to the
 * engine: requests in flight plus the idle ones Node's HTTP agent keeps for reuse (closed after 5 s idle).
 */
export function unixSocketCount(pid: number): number {
  const unix = new Set<string>();
  for (const line of readFileSync(`/proc/${pid}/net/unix`, 'utf8').split('\n').slice(1)) {
    const inode = line.trim().split(/\s+/)[6];
    if (inode !== undefined) unix.add(inode);
  }
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode !== undefined && unix.has(inode)) count++;
    } catch {
      // closed between the listing and the readlink
    }
  }
  return count;
}

export function processUsage(pid: number): ProcessUsage {
  return { rssKiB: rssKiB(pid), fds: fdCount(pid), unixSockets: unixSocketCount(pid) };
}

/**
 * Polls (every 250 ms) until `pid` holds at most `count` Unix sockets, e.g. until the engine connections an HTTP
 * agent keeps idle have closed; resolves false if that has not happened within `ms`.
 */
export async function untilUnixSocketsAtMost(pid: number, count: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (unixSocketCount(pid) > count) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return true;
}

/** KiB as MiB with one decimal, for reports. */
export function mib(kib: number): string {
  return (kib / 1024).toFixed(1);
}
