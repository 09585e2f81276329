// Benchmark helper (Linux): CPU time per command name while a measurement runs, from /proc/<pid>/stat samples.
import { readdirSync, readFileSync } from 'node:fs';

interface Seen {
  comm: string;
  first: number;
  last: number;
}

/** utime + stime (clock ticks) and the command name of one process, or undefined when it is gone. */
function readStat(pid: string): { comm: string; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return { comm: text.slice(text.indexOf('(') + 1, close), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function snapshot(): Map<string, { comm: string; ticks: number }> {
  const all = new Map<string, { comm: string; ticks: number }>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || pid === String(process.pid)) continue;
    const stat = readStat(pid);
    if (stat) all.set(pid, stat);
  }
  return all;
}

/**
 * Samples every process every `everyMs` until stop(); returns CPU seconds per command name, largest first.
 * Processes that start during the run count from zero; the last <everyMs of a process that ends is missed.
 */
export function startCpuSampler(everyMs = 100): { stop(): [string, number][] } {
  const seen = new Map<string, Seen>();
  const initial = snapshot();
  for (const [pid, s] of initial) seen.set(pid, { comm: s.comm, first: s.ticks, last: s.ticks });
  const sample = (): void => {
    for (const [pid, s] of snapshot()) {
      const known = seen.get(pid);
      if (known) known.last = s.ticks;
      else seen.set(pid, { comm: s.comm, first: 0, last: s.ticks });
    }
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const byComm = new Map<string, number>();
      for (const s of seen.values()) byComm.set(s.comm, (byComm.get(s.comm) ?? 0) + (s.last - s.first) / 100);
      return [...byComm].filter(([, cpu]) => cpu >= 0.05).sort((a, b) => b[1] - a[1]);
    },
  };
}
