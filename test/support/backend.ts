// Drives the Docker backend with plain streams: test configs, a connection context, and a run-to-exit helper.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import type { AppConfig, ExecutionMode } from '../../src/config/types.js';
import type { ConnectionContext, ConnectionHandler, PtyRequest, SessionHandler, StartRequest } from '../../src/core/contracts.js';
import type { CsshEvent } from '../../src/core/events.js';
import { createNullLogger } from '../../src/core/logger.js';
import { DEFAULT_TLS_CIPHERS, DEFAULT_TLS_CURVES } from '../../src/core/tls-options.js';
import { TEST_IMAGES } from './docker.js';
import { testSshConfig } from './ssh-config.js';

const tlsChoice = { tlsVersion: '1.3', curves: DEFAULT_TLS_CURVES, cipher: DEFAULT_TLS_CIPHERS };
const webhook = { url: '', timeout: 2000, cacert: '', cert: '', key: '', allowRedirects: false, ...tlsChoice, authTimeout: 60000 };
const serverTls = { cert: '', key: '', clientcacert: '', ...tlsChoice };
const item = { mode: '' as const, allow: [], deny: [] };
const kerberos = { keytab: '', acceptor: 'any', enforceUsername: true, credentialCachePath: '', configPath: '', clockSkew: 300_000 };

/** A complete config for tests: the given image, network none, short deadlines (hang guards only). */
export function testConfig(mode: ExecutionMode, image: string = TEST_IMAGES.busybox, overrides: Partial<AppConfig['docker']['execution']> = {}): AppConfig {
  return {
    ssh: testSshConfig(),
    auth: {
      password: { method: '', webhook, passwords: { file: '' }, kerberos },
      publicKey: { method: '', webhook, authorizedKeys: { path: '' } },
      authz: { method: '', webhook },
      keyboardInteractive: { method: '' },
      gssapi: { method: '', kerberos },
    },
    backend: 'docker',
    docker: {
      connection: { host: '', cacert: '', cert: '', key: '' },
      execution: {
        container: { Image: image }, host: { NetworkMode: 'none' }, network: null, platform: null, containername: '', auth: null,
        mode,
        idleCommand: ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while true; do sleep 1000 & wait $!; done"],
        shellCommand: ['/bin/bash'], agentPath: '/usr/bin/containerssh-agent', disableAgent: false,
        subsystems: { sftp: '/usr/lib/openssh/sftp-server' }, imagePullPolicy: 'Never', exposeAuthMetadataAsEnv: false,
        ...overrides,
      },
      timeouts: { containerStart: 30000, containerStop: 30000, commandStart: 30000, signal: 30000, window: 30000, http: 15000 },
      forwarding: { image: 'cssh-test/node:latest', nodePath: 'node' },
      pool: { size: 0, maxIdle: 600_000 },
    },
    security: {
      defaultMode: '', forceCommand: '', maxSessions: -1, maxEnvRequests: -1, maxEnvBytes: -1, maxPendingSignals: -1, env: item, command: item, shell: item, subsystem: item, tty: item, signal: item,
      maxConnections: -1, maxConnectionsPerUser: -1, idleTimeout: 0, maxSessionDuration: 0,
      timeoutWarning: { message: '', leadTime: 0 }, terminateGracePeriod: 10000,
      forwarding: { forwardingMode: '', forwardingAllow: [], maxChannels: -1, reverseForwardingMode: '', reverseForwardingAllow: [], maxListeners: 8, socketForwardingMode: '', socketListenMode: '', x11ForwardingMode: '', agentForwardingMode: '' },
    },
    log: { level: 'info', format: 'ljson', destination: 'stdout', file: '' },
    metrics: { enable: false, listen: '0.0.0.0:9100', path: '/metrics', ...serverTls },
    health: { enable: false, listen: '0.0.0.0:7000', ...serverTls, client: { url: '', timeout: 2000, cacert: '', cert: '', key: '', allowRedirects: false, ...tlsChoice } },
    configserver: { ...webhook, transmitSensitiveMetadata: false },
    instance: { id: '', reconcileInterval: 60000, reconcileGrace: 60000, workers: 1 },
  };
}

/** A connection context with a fresh connection id; events are collected into `events`. */
export function testContext(config: AppConfig, events: CsshEvent[] = []): ConnectionContext {
  return {
    info: {
      connectionId: randomBytes(16).toString('hex'), remoteAddress: '127.0.0.1:50000', clientVersion: 'SSH-2.0-test',
      username: 'tester', metadata: {}, environment: {}, files: {},
    },
    config,
    logger: createNullLogger(),
    onEvent: (e) => events.push(e),
  };
}

/** Collects everything written to it. */
export class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    cb();
  }
  get buffer(): Buffer { return Buffer.concat(this.chunks); }
  get text(): string { return this.buffer.toString('utf8'); }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  pty?: PtyRequest;
  /** Written to stdin, then stdin ends; when omitted stdin ends at once. */
  stdin?: string | Buffer;
}

/** Opens a session, runs one program to its exit with the given input, closes the session. */
export async function runOnce(conn: ConnectionHandler, req: StartRequest, o: RunOptions = {}): Promise<RunResult> {
  const session = await conn.openSession({ channelId: 1 });
  try {
    for (const [k, v] of Object.entries(o.env ?? {})) session.setEnv(k, v);
    if (o.pty !== undefined) session.requestPty(o.pty);
    const stdin = new PassThrough();
    const stdout = new Collector();
    const stderr = new Collector();
    const program = await session.start(req, { stdin, stdout, stderr }, AbortSignal.timeout(60_000));
    stdin.end(o.stdin ?? '');
    const { code } = await program.exited;
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    await session.close();
  }
}

/** Starts a program with an open stdin, for interactive tests. */
export async function startInteractive(conn: ConnectionHandler, req: StartRequest, o: Omit<RunOptions, 'stdin'> = {}) {
  const session: SessionHandler = await conn.openSession({ channelId: 2 });
  for (const [k, v] of Object.entries(o.env ?? {})) session.setEnv(k, v);
  if (o.pty !== undefined) session.requestPty(o.pty);
  const stdin = new PassThrough();
  const stdout = new Collector();
  const stderr = new Collector();
  const program = await session.start(req, { stdin, stdout, stderr }, AbortSignal.timeout(60_000));
  return { session, program, stdin, stdout, stderr };
}

/** Ids of containers labelled with this connection id (any state). */
export function containersOf(connectionId: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=cssh.connection=${connectionId}`], { encoding: 'utf8' })
    .split('\n').filter(Boolean);
}

/** Waits until `predicate` holds, polling; throws after `ms` (a hang guard, not a timing assertion). */
export async function eventually(predicate: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
