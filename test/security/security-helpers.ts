// Helpers of the security tier: an ssh2 client logged in to a real `cssh serve`, and memory figures of the server.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ssh2, { type Client } from 'ssh2';
import type { ProductionServer } from '../e2e/production-helpers.js';

/** An ssh2 client (it can send what OpenSSH's client cannot) logged in with the harness key. */
export function login(server: ProductionServer, user: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on('ready', () => resolve(client)).on('error', reject);
    client.connect({ host: '127.0.0.1', port: server.port, username: user, privateKey: readFileSync(server.srv.keyPath), readyTimeout: 20_000 });
  });
}

/** A memory figure of a process from /proc (VmRSS, VmSize), in bytes (Linux). */
export function vm(pid: number, field: 'VmRSS' | 'VmSize'): number {
  const line = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(line?.[1] !== undefined, `${field} of ${pid} readable (is the server still running?)`);
  return Number(line[1]) * 1024;
}

export const rss = (pid: number): number => vm(pid, 'VmRSS');

export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Caps a process's address space 2 GiB above its current size, so a regression fails the test, not the machine. */
export function capAddressSpace(pid: number): void {
  const cap = vm(pid, 'VmSize') + 2 * 1024 ** 3;
  execFileSync('prlimit', ['--pid', String(pid), `--as=${cap}:${cap}`]);
}

/** The server process's pid (the node process that runs `cssh serve`). */
export function serverPid(server: ProductionServer): number {
  const pid = server.srv.process.pid;
  assert.ok(pid !== undefined, 'server pid');
  return pid;
}
