// Helpers of the production end-to-end tests: `cssh serve` with a given config, the OpenSSH client, metrics scraping.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, type ServeHandle } from '../support/serve-harness.js';

export interface ProductionServer {
  srv: ServeHandle;
  port: number;
  /** host:port of the metrics endpoint (always enabled here). */
  metricsAddress: string;
  /** host:port of the health endpoint, when the config enables it. */
  healthAddress: string | undefined;
  /** A scratch directory removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

/** A fresh login name, so a test can find exactly its own containers by the cssh.user label. */
export function uniqueUser(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

function addressIn(output: string, what: RegExp): string | undefined {
  return what.exec(output)?.[1];
}

/**
 * Starts `cssh serve` (connection mode, busybox image, key login for any name) with `config` (ContainerSSH
 * spelling, durations like "2s") merged over the harness defaults, with metrics on a free loopback port.
 */
export async function startServer(
  config: Record<string, unknown>,
  o: { mode?: 'connection' | 'session'; image?: string } = {},
): Promise<ProductionServer> {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-prod-'));
  const srv = await startServe({
    mode: o.mode ?? 'connection',
    ...(o.image === undefined ? {} : { image: o.image }),
    config: { metrics: { enable: true, listen: '127.0.0.1:0', path: '/metrics' }, ...config },
  });
  const health = (config.health as { enable?: boolean } | undefined)?.enable === true;
  let metricsAddress: string | undefined;
  let healthAddress: string | undefined;
  await eventually(() => {
    metricsAddress = addressIn(srv.output(), /Metrics are available at http:\/\/([^/\s"]+)\//);
    healthAddress = addressIn(srv.output(), /Health checks are available at http:\/\/([^/\s"]+)\//);
    return metricsAddress !== undefined && (!health || healthAddress !== undefined);
  }, 'metrics/health endpoints announced');
  return {
    srv,
    port: srv.port,
    metricsAddress: metricsAddress ?? '',
    healthAddress,
    dir,
    stop: async () => {
      await srv.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface SshResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts the OpenSSH client as `user` with the harness key; `flags` come first (OpenSSH keeps the first value).
 * `done` resolves when it exits. Stdin stays open until `child.stdin.end()`.
 */
export function sshBackground(server: ProductionServer, user: string, args: string[], flags: string[] = []) {
  const child = spawn('ssh', [...flags, ...server.srv.sshArgs(user), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on('error', () => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000); // hang guard
  const done = new Promise<SshResult>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, done, output: () => stdout, errors: () => stderr };
}

/** Runs the OpenSSH client to completion. Stdin gets `input` then EOF; without `input` it stays open until exit. */
export function ssh(server: ProductionServer, user: string, args: string[], o: { flags?: string[]; input?: string } = {}): Promise<SshResult> {
  const run = sshBackground(server, user, args, o.flags);
  if (o.input !== undefined) run.child.stdin.end(o.input);
  return run.done;
}

/** Runs OpenSSH's sftp client with a batch of commands (stops at the first failing one). */
export function sftpBatch(server: ProductionServer, user: string, commands: string): Promise<SshResult> {
  return new Promise((resolve) => {
    const child = spawn('sftp', [...server.srv.sftpArgs(), '-b', '-', `${user}@127.0.0.1`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(commands);
  });
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

/** Scrapes the metrics endpoint and returns a reader of single samples (0 when the series is absent). */
export async function scrape(server: ProductionServer): Promise<(series: string) => number> {
  const res = await fetch(`http://${server.metricsAddress}/metrics`);
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
