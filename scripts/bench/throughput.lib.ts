// Shared helpers of the serve benchmarks: timing shell pipelines, medians, and a throw-away OpenSSH sshd on loopback.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs `script` under /bin/sh and resolves its wall-clock time in ms; rejects when it exits non-zero. */
export function timeShell(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`failed (${code}): ${script}\n${err}`));
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * The median time of each script, measured in rounds that run every script once in turn, after one warm-up of each.
 * Interleaving gives every script the same share of a machine whose speed drifts during the run (other tenants,
 * frequency changes); timing one script's runs back to back and then the next's does not.
 */
export async function interleavedMedians<K extends string>(scripts: Record<K, string>, runs: number): Promise<Record<K, number>> {
  const keys = Object.keys(scripts) as K[];
  for (const key of keys) await timeShell(scripts[key]);
  const times = new Map<K, number[]>(keys.map((key) => [key, []]));
  for (let round = 0; round < runs; round++) {
    for (const key of keys) times.get(key)?.push(await timeShell(scripts[key]));
  }
  return Object.fromEntries(keys.map((key) => [key, median(times.get(key) ?? [])])) as Record<K, number>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export const quote = (args: string[]): string => args.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');

/**
 * OpenSSH's sshd on a free 127.0.0.1 port, letting root in with `publicKey`; `extra` lines end its sshd_config (e.g.
 * a ForceCommand); stop() kills it.
 */
export async function startSshd(publicKey: string, extra: string[] = []): Promise<{ port: number; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-bench-sshd-'));
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  writeFileSync(join(dir, 'authorized_keys'), publicKey + '\n', { mode: 0o600 });
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'StrictModes no',
      'UsePAM no',
      'PidFile none',
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      ...extra,
    ].join('\n') + '\n',
  );
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    try {
      execFileSync('ssh-keyscan', ['-p', String(port), '127.0.0.1'], { stdio: 'ignore', timeout: 2000 });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { port, stop: () => void child.kill('SIGTERM') };
}
