// Helpers of the production end-to-end tests: a cssh server with a given security config, the OpenSSH client, scraping.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { AppConfig } from '../../src/config/types.js';
import { createDockerBackend } from '../../src/backend/docker/index.js';
import type { CsshEvent } from '../../src/core/events.js';
import { createNullLogger } from '../../src/core/logger.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { applySecurity } from '../../src/security/index.js';
import { loadHostKeys } from '../../src/ssh/host-keys.js';
import { createSshServer } from '../../src/ssh/server.js';
import { testConfig } from '../support/backend.js';

export const PASSWORD = 'prod-secret';

export interface ProductionServer {
  port: number;
  metrics: Metrics;
  stop(): Promise<void>;
}

/** A fresh login name, so a test can find exactly its own containers by the cssh.user label. */
export function uniqueUser(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** Starts cssh (SSH server + Docker backend + security layer + metrics) with `edit` applied to a test config. */
export async function startServer(edit: (config: AppConfig) => void): Promise<ProductionServer> {
  const config = testConfig('connection');
  config.metrics = { enable: true, listen: '127.0.0.1:0', path: '/metrics' };
  edit(config);
  const dir = await mkdtemp(join(tmpdir(), 'cssh-prod-'));
  const { keys } = await loadHostKeys([], dir);
  const logger = createNullLogger();
  const metrics = await createMetrics(config.metrics, { logger });
  const onEvent = (event: CsshEvent): void => metrics.sink(event);
  const backend = applySecurity(createDockerBackend({ instanceId: 'cssh-prod-e2e', logger }), { logger, onEvent });
  const server = createSshServer({
    ssh: config.ssh,
    hostKeys: keys,
    authenticator: {
      methods: ['password'],
      password: async (_req, password) => ({ success: password.toString() === PASSWORD }),
      publicKey: async () => ({ success: false }),
      authorize: async () => ({ success: true }),
    },
    prepare: (info, connLogger, signal) => backend.connect({ info, config, logger: connLogger, onEvent }, signal),
    logger,
    onEvent,
  });
  const { port } = await server.listen();
  return {
    port,
    metrics,
    stop: async () => {
      // A deadline that only fires while shutdown is still running (an aborted signal arms the server's hard limit).
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), 5000);
      await server.shutdown(deadline.signal, 20_000);
      clearTimeout(timer);
      await metrics.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface SshResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const sshOptions = (port: number, portFlag = '-p'): string[] => [
  portFlag, String(port),
  '-o', 'StrictHostKeyChecking=no',
  '-o', 'UserKnownHostsFile=/dev/null',
  '-o', 'LogLevel=ERROR',
  '-o', 'PubkeyAuthentication=no',
  '-o', 'PreferredAuthentications=password',
  '-o', 'ConnectTimeout=20',
];

/**
 * Runs the OpenSSH client (password via sshpass) to completion. `args` go after the destination. Stdin gets
 * `input` and then EOF; without `input` it stays open until the client exits.
 */
export function ssh(port: number, user: string, args: string[], o: { flags?: string[]; input?: string; timeoutMs?: number } = {}): Promise<SshResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'sshpass',
      ['-p', PASSWORD, 'ssh', ...(o.flags ?? []), ...sshOptions(port), `${user}@127.0.0.1`, ...args],
      { timeout: o.timeoutMs ?? 60_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
    if (o.input !== undefined) child.stdin?.end(o.input);
  });
}

/** Runs OpenSSH's sftp client with a batch of commands (`-b -`: stop at the first failing one). */
export function sftpBatch(port: number, user: string, commands: string): Promise<SshResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'sshpass',
      ['-p', PASSWORD, 'sftp', ...sshOptions(port, '-P'), '-o', 'BatchMode=no', '-b', '-', `${user}@127.0.0.1`],
      { timeout: 60_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(commands);
  });
}

/** Starts the OpenSSH client in the background; `done` resolves when it exits. `flags` win over the defaults. */
export function sshBackground(port: number, user: string, args: string[], flags: string[] = []) {
  const child = spawn('sshpass', ['-p', PASSWORD, 'ssh', ...flags, ...sshOptions(port), `${user}@127.0.0.1`, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<SshResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done, output: () => stdout, errors: () => stderr };
}

/** Containers (any state) that cssh created for this login name. */
export function containersOfUser(user: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=cssh.user=${user}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** Polls until `predicate` holds; throws after `ms` (a hang guard, never a timing assertion). */
export async function eventually(predicate: () => boolean | Promise<boolean>, what = 'condition', ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`${what}: not reached in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Scrapes a metrics endpoint and returns a reader of single samples (0 when the series is absent). */
export async function scrape(address: string | undefined): Promise<(series: string) => number> {
  const res = await fetch(`http://${address ?? ''}/metrics`);
  const text = await res.text();
  return (series) => {
    for (const line of text.split('\n')) {
      const at = line.lastIndexOf(' ');
      if (at > 0 && line.slice(0, at) === series) return Number(line.slice(at + 1));
    }
    return 0;
  };
}

/**
 * A Unix socket at `path` that forwards to the real Docker engine while "up": stopping it removes the socket and
 * cuts open connections, so anything pointed at it sees the engine disappear, without touching the shared engine.
 */
export async function dockerSocketProxy(path: string, upstream = '/var/run/docker.sock') {
  let server: Server | undefined;
  const open = new Set<Socket>();
  const up = async (): Promise<void> => {
    await rm(path, { force: true });
    server = createServer((client) => {
      const engine = connect(upstream);
      for (const s of [client, engine]) {
        open.add(s);
        s.on('error', () => (client.destroy(), engine.destroy()));
        s.on('close', () => (open.delete(s), client.destroy(), engine.destroy()));
      }
      client.pipe(engine).pipe(client);
    });
    await new Promise<void>((resolve) => server?.listen(path, resolve));
  };
  const down = async (): Promise<void> => {
    const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const s of open) s.destroy();
    await closing;
    server = undefined;
    await rm(path, { force: true });
  };
  await up();
  return { up, down };
}
