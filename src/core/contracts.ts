// Transport-neutral contracts between a front end (the SSH server, exec-test, tests) and a backend: one handler per lifetime.
import type { Duplex, Readable, Writable } from 'node:stream';
import type { AppConfig } from '../config/types.js';
import type { Logger } from './logger.js';
import type { EventSink } from './events.js';

/** A metadata entry as ContainerSSH's webhooks carry it. For `files`, `value` is base64. */
export interface MetadataValue {
  value: string;
  sensitive: boolean;
}

/** Who is connected, as known after authentication (and the config server, if any). */
export interface ConnectionInfo {
  /** 32 lowercase hex characters; the same id appears in logs, webhooks and container labels. */
  connectionId: string;
  /** "ip:port", IPv6 in brackets. */
  remoteAddress: string;
  /** The client's SSH version string, e.g. "SSH-2.0-OpenSSH_9.2p1". */
  clientVersion: string;
  /** Login username (what the client typed). */
  username: string;
  /** Username returned by the auth webhook, if any. */
  authenticatedUsername?: string;
  metadata: Record<string, MetadataValue>;
  environment: Record<string, MetadataValue>;
  files: Record<string, MetadataValue>;
}

/** Everything a backend needs for one connection: who, with which effective config, reporting to whom. */
export interface ConnectionContext {
  info: ConnectionInfo;
  /** The effective configuration for this connection (after any config-server merge). */
  config: AppConfig;
  logger: Logger;
  /** Optional observer for LifecycleEvents (phases, pull layers, Docker requests); for rendering and metrics. */
  onEvent?: EventSink;
}

/** Creates connection handlers. Owns nothing per connection. */
export interface Backend {
  /**
   * Prepares a connection (pull per policy; in connection mode create and start its container).
   * On failure everything created so far is removed before the promise rejects (with a CsshError).
   */
  connect(ctx: ConnectionContext, signal: AbortSignal): Promise<ConnectionHandler>;
}

/** One SSH connection. Owns the connection-mode container. */
export interface ConnectionHandler {
  /** Opens a session channel. Never blocks on Docker. */
  openSession(info: SessionInfo): Promise<SessionHandler>;
  /** Graceful end: asks running programs to stop (TERM), waits until `deadline` aborts, then forces. Then closes. */
  shutdown(deadline: AbortSignal): Promise<void>;
  /** Removes everything this connection created (forced, on its own containerStop deadline). Idempotent, never throws. */
  close(): Promise<void>;
  /** Optional: forwarding into the user's environment (ssh -L, -W); absent when the backend cannot forward. */
  readonly forwarding?: ConnectionForwarding;
}

/** A TCP destination as seen from inside the user's environment (its loopback included). */
export interface DialTarget {
  host: string;
  port: number;
}

/** Byte streams into the user's environment, owned by the connection handler that offers them. */
export interface ConnectionForwarding {
  /**
   * Connects to `target` from inside the user's environment. Resolves once connected with a Duplex: its end()
   * half-closes the destination's side, its readable side ends when the destination ended its side, destroy()
   * drops the connection. Rejects with a CsshError (DOCKER_FORWARDING_FAILED) when the destination cannot be
   * reached or `signal` aborts. The handler's close() ends every stream it opened.
   */
  dial(target: DialTarget, signal: AbortSignal): Promise<Duplex>;
  /**
   * Optional: remote forwarding (ssh -R). Listens on bindAddr:bindPort inside the user's environment (port 0: any
   * free port); resolves once listening. Rejects like dial(). The handler's close() ends every listener.
   */
  listen?(bindAddr: string, bindPort: number, signal: AbortSignal): Promise<RemoteListener>;
  /**
   * Optional: Unix socket forwarding (direct-streamlocal: ssh -L ...:/path). Connects to the socket at the absolute
   * `path` in the user's environment, as its user; like dial() otherwise.
   */
  dialSocket?(path: string, signal: AbortSignal): Promise<Duplex>;
  /**
   * Optional: Unix socket listening (streamlocal-forward: ssh -R /path:...). Creates a socket at the absolute `path`
   * (mode 0600, owned by the environment's user; removed when the listener stops); like listen() otherwise.
   */
  listenSocket?(path: string, signal: AbortSignal): Promise<RemoteListener>;
}

/** A connection accepted by a remote-forwarding listener, waiting to be claimed. */
export interface AcceptedConnection {
  /** What claim() takes. */
  name: string;
  /** The peer that connected, as seen inside the user's environment. */
  address: string;
  port: number;
}

/** One remote-forwarding listener inside the user's environment. */
export interface RemoteListener {
  /** The port it listens on (the allocated one when 0 was asked for); 0 for a Unix socket. */
  readonly port: number;
  /** A Unix socket's path, as the user's environment sees it. */
  readonly path?: string;
  /**
   * Emits 'connection' (AcceptedConnection), 'stopped' (the port is closed after stop()) and 'close'; stop() stops
   * accepting, destroy() ends all it holds. An accepted connection neither claimed nor dropped is closed after 30 s.
   */
  readonly listener: {
    on(event: 'connection', fn: (accepted: AcceptedConnection) => void): unknown;
    on(event: 'stopped' | 'close', fn: () => void): unknown;
    stop(): void;
    /** Closes an accepted connection without claiming it. */
    drop(name: string): void;
    destroy(): void;
  };
  /** The accepted connection as a Duplex with dial()'s semantics. */
  claim(name: string, signal: AbortSignal): Promise<Duplex>;
}

export interface SessionInfo {
  /** Channel id, unique within the process; used in logs. */
  channelId: number;
}

export interface PtyRequest {
  term: string;
  cols: number;
  rows: number;
}

export interface WindowSize {
  cols: number;
  rows: number;
}

export type StartRequest =
  | { kind: 'shell' }
  | { kind: 'exec'; command: string }
  | { kind: 'subsystem'; name: string };

/**
 * The three byte streams of a program, seen from the backend.
 * The backend reads `stdin` to its end (then half-closes the program's stdin only) and writes output to
 * `stdout`/`stderr` with backpressure. It never ends `stdout`/`stderr`: the front end does, after it has
 * reported the exit status. Without a TTY, stderr is kept apart from stdout; with one, everything goes to stdout.
 */
export interface SessionIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** One session channel. Owns the session-mode container. A channel runs at most one program. */
export interface SessionHandler {
  /** Buffered until start; later values win. Throws CsshError(DOCKER_PROGRAM_ALREADY_RUNNING) after start. */
  setEnv(name: string, value: string): void;
  /** Buffered until start; sets TERM. Throws after start. */
  requestPty(pty: PtyRequest): void;
  /**
   * Optional synchronous policy check of a start request, made before the front end accepts the request: throws
   * the CsshError that start(req) would reject with for a refusal (e.g. SECURITY_EXEC_REJECTED), returns when
   * start would not refuse it for policy. Never touches Docker, never starts anything; decorators pass it on.
   */
  precheck?(req: StartRequest): void;
  /**
   * Optional: SSH agent forwarding (auth-agent-req@openssh.com). Buffered until start: the program then finds
   * SSH_AUTH_SOCK naming a socket inside the user's environment, and `listening` receives its listener (each
   * connection to it is to become an auth-agent@openssh.com channel to the client). The listener ends with the
   * session. Throws a CsshError when it cannot (after start, or the backend cannot forward); decorators pass it on.
   */
  forwardAgent?(listening: (listener: RemoteListener) => void): void;
  /** Starts the program; resolves once it runs (output may already be flowing). Rejects with CsshError. */
  start(req: StartRequest, io: SessionIO, signal: AbortSignal): Promise<Program>;
  /** Resizes the program's TTY. Rejects (DOCKER_PROGRAM_NOT_RUNNING) before start. */
  resize(size: WindowSize): Promise<void>;
  /** Delivers a signal by name without "SIG" (TERM, INT, USR1, ...). Rejects with CsshError when it cannot. */
  signal(name: string): Promise<void>;
  /** Ends the program if still running and removes what the session created. Idempotent, never throws. */
  close(): Promise<void>;
}

export interface ProgramExit {
  /** Exit status, 0..255. A program killed by signal n reports 128+n, as Docker does. */
  code: number;
}

export interface Program {
  /**
   * Resolves once the program has exited AND all its output has been written to SessionIO.stdout/stderr.
   * Never rejects: when the exit code cannot be read it resolves with a best-effort code (137) after logging.
   */
  readonly exited: Promise<ProgramExit>;
  /** Forcefully ends the program (KILL). Never throws. */
  kill(): void;
  /**
   * Optional: delivers a signal the front end itself decided on, by name without "SIG" (e.g. PIPE once the client
   * closed its output). Not a client's signal request, so no signal policy applies (policies decorate
   * SessionHandler.signal only). Rejects with a CsshError when it cannot; gives up when `deadline` aborts.
   */
  signal?(name: string, deadline: AbortSignal): Promise<void>;
}
