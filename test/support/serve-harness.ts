// Runs the real `cssh serve` on a free 127.0.0.1 port and drives it with the real OpenSSH client (ssh, scp, sftp).
//
// API:
//   const srv = await startServe({ mode: 'session', image: TEST_IMAGES.bash, config: { ssh: { banner: 'hi' } } });
//   srv.port, srv.stateDir, srv.instanceId, srv.keyPath (client private key, in srv's authorized_keys), srv.configPath
//   await srv.ssh(['echo', 'hi'], { input: 'data' })  -> { code, stdout: Buffer, stderr: string }  (exit code of ssh)
//       options: user (default 'tester'), extra (ssh options; placed first, so they win: ssh keeps the first value),
//       password (log in with this password through sshpass instead of the key), key (another private key file
//       instead of srv.keyPath), timeoutMs
//   srv.sshArgs(user = 'tester')                     -> the ssh options (-F /dev/null, no host key checks, BatchMode,
//                                                       the key, -p port) + 'user@127.0.0.1'; add your own and spawn
//   srv.scpArgs() / srv.sftpArgs()                   -> the same options for scp/sftp (-P port), without the target
//   await srv.containers()                           -> ids of the containers labelled with this server's instance
//   srv.output()                                     -> everything the server printed so far (summary + log lines)
//   await srv.stop('SIGTERM')                        -> sends the signal, waits for exit, returns the exit code
// Options: mode, image (default TEST_IMAGES.sftp), config (a partial config in ContainerSSH JSON spelling, deep-merged
// over the harness defaults: listen 127.0.0.1:0, authorized_keys auth, NetworkMode none), stateDir (reuse one to test
// restarts), args (extra command-line flags), keepAuth (true: do not add the authorized_keys defaults), nodeArgs
// (node options for the server process, e.g. --cpu-prof), configText (a whole YAML config instead of the generated one),
// prefix (a command the server runs under, e.g. unshare), workers (serve --workers; default 1, or $CSSH_TEST_WORKERS to
// run a suite against several worker processes). $CSSH_TEST_POOL=N turns the warm pool on (docker.pool.size N) in
// every server whose config does not set docker.pool itself, to run a suite with pooled containers.
// Every server has its own temp state dir and so its own instance id; stop() (call it in t.after / finally) waits
// for the process, so its containers are gone afterwards. Nothing here touches ~/.ssh.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_IMAGES } from './docker.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const ENTRY = `const { default: Serve } = await import(${JSON.stringify(join(ROOT, 'src/commands/serve.ts'))});
await Serve.run(process.argv.slice(1), ${JSON.stringify(join(ROOT, 'package.json'))});`;

export interface ServeHarnessOptions {
  mode?: 'connection' | 'session';
  image?: string;
  config?: Record<string, unknown>;
  stateDir?: string;
  args?: string[];
  keepAuth?: boolean;
  /**
   * The whole config file as YAML text, used instead of the generated one (e.g. a legacy dockerrun file). It must
   * listen on 127.0.0.1:0 and configure its own auth and network mode; `{authorizedKeys}` is replaced by the path of
   * an authorized_keys file holding the harness key.
   */
  configText?: string;
  /** Extra node options for the server process (e.g. ['--cpu-prof']). */
  nodeArgs?: string[];
  /** A command the server runs under, e.g. ['unshare', '--mount', ...]; it must exec its arguments. */
  prefix?: string[];
  /** serve --workers (default: $CSSH_TEST_WORKERS, else 1, a single process). */
  workers?: number;
}

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export interface SshOptions {
  input?: string | Buffer;
  user?: string;
  extra?: string[];
  password?: string;
  key?: string;
  timeoutMs?: number;
}

export interface ServeHandle {
  port: number;
  stateDir: string;
  instanceId: string;
  keyPath: string;
  /** The config file the server was started with. */
  configPath: string;
  /** The client key's public line ("ssh-ed25519 AAAA..."), e.g. for a webhook stub's acceptKeys. */
  publicKey: string;
  process: ChildProcess;
  output(): string;
  sshArgs(user?: string): string[];
  scpArgs(): string[];
  sftpArgs(): string[];
  ssh(command: string[], options?: SshOptions): Promise<RunResult>;
  containers(): string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge for plain objects; arrays and scalars from `over` replace. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** A client key pair (ed25519, no passphrase) in `dir`. */
export function makeClientKey(dir: string, name = 'id_ed25519'): { keyPath: string; publicKey: string } {
  const keyPath = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', keyPath]);
  return { keyPath, publicKey: readFileSync(`${keyPath}.pub`, 'utf8').trim() };
}

/** Runs a program to its end, collecting output; `input` is written to stdin then closed. */
export function run(cmd: string, args: string[], options: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

function waitForListen(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cssh serve did not start in time:\n${output()}`)), 60_000);
    const check = (): void => {
      // The start-up summary (after the SSH_LISTEN log line) ends with the instance line.
      const match = /cssh serve listening on 127\.0\.0\.1:(\d+)[\s\S]*\n {2}instance\s+\S+[^\n]*\n/.exec(output());
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cssh serve exited (${code}) before listening:\n${output()}`));
    });
  });
}

/**
 * Spawns `cssh serve ARGS` (through tsx, no build needed) with piped stdout/stderr, under `prefix` (e.g. unshare) if
 * given; the caller waits for what it needs.
 */
export function spawnServeProcess(args: string[], nodeArgs: string[] = [], prefix: string[] = []): ChildProcess {
  const argv = [process.execPath, ...nodeArgs, '--import', 'tsx', '--input-type=module', '-e', ENTRY, '--', ...args];
  const [command = process.execPath, ...rest] = [...prefix, ...argv];
  return spawn(command, rest, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts `cssh serve` (through tsx, no build needed) with a temp config; resolves once it listens. */
export async function startServe(options: ServeHarnessOptions = {}): Promise<ServeHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-e2e-'));
  const stateDir = options.stateDir ?? join(dir, 'state');
  const { keyPath, publicKey } = makeClientKey(dir);
  writeFileSync(join(dir, 'authorized_keys'), publicKey + '\n');
  const defaults: Record<string, unknown> = {
    ssh: { listen: '127.0.0.1:0', shutdownTimeout: '10s' },
    log: { level: 'debug' },
    docker: {
      execution: {
        container: { Image: options.image ?? TEST_IMAGES.sftp },
        host: { NetworkMode: 'none' },
        mode: options.mode ?? 'connection',
        imagePullPolicy: 'Never',
      },
    },
  };
  const pool = Number(process.env.CSSH_TEST_POOL ?? 0);
  if (pool > 0) (defaults.docker as Record<string, unknown>).pool = { size: pool };
  if (!options.keepAuth) defaults.auth = { publicKey: { method: 'authorizedkeys', authorizedKeys: { path: join(dir, 'authorized_keys') } } };
  const configPath = join(dir, options.configText === undefined ? 'cssh.json' : 'cssh.yaml');
  const configText = options.configText?.replaceAll('{authorizedKeys}', join(dir, 'authorized_keys'));
  writeFileSync(configPath, configText ?? JSON.stringify(deepMerge(defaults, options.config ?? {}), null, 2));
  const workers = options.workers ?? Number(process.env.CSSH_TEST_WORKERS ?? 1);
  const args = ['--config', configPath, '--state-dir', stateDir, '--workers', String(workers), ...(options.args ?? [])];
  const child = spawnServeProcess(args, options.nodeArgs, options.prefix);
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const output = (): string => text;
  let port: number;
  try {
    port = await waitForListen(child, output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const instanceId = /\n {2}instance\s+(\S+)/.exec(text)?.[1] ?? '';
  if (instanceId === '') throw new Error(`no instance id in the start-up summary:\n${text}`);
  const sshOptions = ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR'];
  const common = [...sshOptions, '-i', keyPath];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    port,
    stateDir,
    instanceId,
    keyPath,
    configPath,
    publicKey,
    process: child,
    output,
    sshArgs: (user = 'tester') => [...common, '-p', String(port), `${user}@127.0.0.1`],
    scpArgs: () => [...common, '-P', String(port)],
    sftpArgs: () => [...common, '-P', String(port)],
    ssh: (command, opts = {}) => {
      const target = ['-p', String(port), `${opts.user ?? 'tester'}@127.0.0.1`, ...command];
      const base = opts.key === undefined ? common : [...sshOptions, '-i', opts.key];
      if (opts.password === undefined) return run('ssh', [...(opts.extra ?? []), ...base, ...target], opts);
      const byPassword = ['-o', 'BatchMode=no', '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password'];
      return run('sshpass', ['-p', opts.password, 'ssh', ...(opts.extra ?? []), ...byPassword, ...common, ...target], opts);
    },
    containers: () => containersOf(instanceId),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Ids of containers (running or not) labelled cssh.instance=`instanceId`. */
export function containersOf(instanceId: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=cssh.instance=${instanceId}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}
