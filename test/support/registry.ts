// A throw-away local registry (Debian's docker-registry) on 127.0.0.1:<free port>, plus helpers to push/remove test images.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestRegistry {
  /** "127.0.0.1:<port>", the registry part of image references. */
  host: string;
  /** Temp directory holding the config, storage and (with auth) htpasswd and a private Docker CLI config. */
  dir: string;
  auth?: { username: string; password: string };
  /** Environment for `docker` CLI calls (a private DOCKER_CONFIG, logged in when auth is on). */
  cliEnv: NodeJS.ProcessEnv;
  /** Stops the registry and deletes its directory. Idempotent. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function registryConfig(dir: string, port: number, withAuth: boolean): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (withAuth) lines.push('auth:', '  htpasswd:', '    realm: cssh-test', `    path: ${join(dir, 'htpasswd')}`);
  return lines.join('\n') + '\n';
}

async function waitReady(host: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`docker-registry on ${host} did not become ready`);
}

/** Starts a registry; with `auth`, it requires htpasswd basic auth and `cliEnv` is logged in. */
export async function startRegistry(options: { auth?: { username: string; password: string } } = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'cssh-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  if (options.auth !== undefined) {
    const { stdout } = await run('htpasswd', ['-Bbn', options.auth.username, options.auth.password]);
    await writeFile(join(dir, 'htpasswd'), stdout);
  }
  await writeFile(join(dir, 'config.yml'), registryConfig(dir, port, options.auth !== undefined));
  const child = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  child.on('error', () => undefined);
  const cliEnv: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: join(dir, 'cli') };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(host, child);
    if (options.auth !== undefined) {
      await dockerCli(['login', '-u', options.auth.username, '--password-stdin', host], cliEnv, options.auth.password);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { host, dir, cliEnv, stop, ...(options.auth === undefined ? {} : { auth: options.auth }) };
}

/** Runs the docker CLI; rejects with its stderr on failure. */
export async function dockerCli(args: string[], env: NodeJS.ProcessEnv = process.env, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`docker ${args.join(' ')}: ${err.trim()}`))));
    // A CLI that exits before reading its input (EPIPE) is judged by its exit status, not by the broken pipe.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** Tags `source` as host/repo:tag, pushes it, and removes the local tag again; returns the pushed reference. */
export async function pushImage(registry: TestRegistry, source: string, repo: string, tag = 'latest'): Promise<string> {
  const ref = `${registry.host}/${repo}:${tag}`;
  await dockerCli(['tag', source, ref]);
  try {
    await dockerCli(['push', ref], registry.cliEnv);
  } finally {
    await removeImage(ref);
  }
  return ref;
}

/** Removes a local image reference (tag); missing is fine. Never throws. */
export async function removeImage(ref: string): Promise<void> {
  try {
    await dockerCli(['image', 'rm', ref]);
  } catch {
    // already gone
  }
}

/** True when the engine has the reference locally. */
export async function imagePresent(ref: string): Promise<boolean> {
  try {
    await dockerCli(['image', 'inspect', ref]);
    return true;
  } catch {
    return false;
  }
}
