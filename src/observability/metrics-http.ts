// The hardened HTTP(S) listener of the metrics and health endpoints: bounded headers, time, bodies and connections;
// any bad request is refused on its own (4xx) and never reaches past the handler.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { CsshError, describeCause } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/**
 * The bounds of one endpoint. These servers answer a handful of tiny GET requests from probes and scrapers, so
 * the limits are tight: an attacker holding many slow connections ties up at most these resources.
 */
export const HTTP_LIMITS = {
  /** Request line plus headers, bytes (431 above). */
  maxHeaderBytes: 8 * 1024,
  /** Header lines kept per request. */
  maxHeadersCount: 64,
  /** The request line plus headers must arrive within this, ms (408 otherwise): slowloris protection. */
  headersTimeoutMs: 10_000,
  /** The whole request must arrive within this, ms. */
  requestTimeoutMs: 15_000,
  /** How often the two timeouts above are checked, ms. */
  checkIntervalMs: 1_000,
  /** An idle keep-alive connection is closed after this, ms. */
  keepAliveTimeoutMs: 5_000,
  /** A connection with no traffic at all (including a reader that never reads the answer) is dropped after this, ms. */
  socketIdleMs: 30_000,
  /** The TLS handshake must finish within this, ms. */
  tlsHandshakeMs: 10_000,
  /** Open connections per endpoint; more are dropped at once. */
  maxConnections: 64,
  /** Open connections per client address; more are dropped at once. */
  maxConnectionsPerAddress: 16,
  /** Requests answered on one keep-alive connection before it is closed. */
  maxRequestsPerSocket: 100,
  /** Longest request target (path and query) answered, characters (414 above). */
  maxUrlLength: 2048,
} as const;

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses "host:port", "[v6]:port" or ":port" (all interfaces). `option` names the config key in errors. */
export function parseListen(listen: string, option: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen.trim());
  const port = match?.[3] === undefined ? NaN : Number(match[3]);
  if (match === null || !(port >= 0 && port <= 65535)) {
    throw new CsshError('HTTP_LISTEN_INVALID', `${option}: expected host:port (e.g. 0.0.0.0:9100), got "${listen}"`, {
      permanent: true,
    });
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export interface HttpEndpoint {
  server: Server;
  /** The bound address as host:port (IPv6 in brackets); the real port when 0 was asked for. */
  address: string;
  /** "https" when TLS is on, else "http". */
  scheme: 'http' | 'https';
  /** Stops listening and drops open connections. Idempotent, never throws. */
  close: () => Promise<void>;
}

export interface ListenHttpOptions {
  /** Serve HTTPS only, with these options (from serverTlsOptions). */
  tls?: TlsOptions | undefined;
  /** Refused requests and client errors are logged here at debug level (HTTP_REQUEST_REFUSED). */
  logger?: Logger;
}

/** The path of a request target without query or fragment; undefined when it is not origin-form ("/..."). */
export function requestPath(req: IncomingMessage): string | undefined {
  const url = req.url ?? '';
  if (!url.startsWith('/')) return undefined;
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * Listens on `listen` and calls `handler` only for well-formed GET/HEAD requests without a body whose target is a
 * path. Everything else is refused there (405, 413, 414, 400), malformed or oversized requests by the HTTP parser
 * (400, 431, 408), and a handler that throws costs that one request a 500. A busy or forbidden address rejects with
 * a CsshError naming `option`.
 */
export async function listenHttp(
  listen: string,
  option: string,
  handler: (req: IncomingMessage, res: ServerResponse, path: string) => void,
  options: ListenHttpOptions = {},
): Promise<HttpEndpoint> {
  const { host, port } = parseListen(listen, option);
  const logger = options.logger;
  const refused = (reason: string, labels: Record<string, string | number> = {}): void => {
    logger?.debug('HTTP_REQUEST_REFUSED', `${option.split('.')[0] ?? option} endpoint refused a request: ${reason}`, labels);
  };
  const guarded = (req: IncomingMessage, res: ServerResponse): void => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    try {
      const refusal = refusalOf(req);
      if (refusal !== undefined) {
        refused(refusal.reason, { status: refusal.status });
        reply(res, refusal.status, `${refusal.reason}\n`, undefined, { ...refusal.headers, Connection: 'close' });
        return;
      }
      handler(req, res, requestPath(req) ?? '/');
    } catch (error) {
      refused(`handler failed: ${describeCause(error)}`, { status: 500 });
      if (!res.headersSent) reply(res, 500, 'internal error\n', undefined, { Connection: 'close' });
      else res.destroy();
    }
  };
  const httpOptions: ServerOptions = {
    maxHeaderSize: HTTP_LIMITS.maxHeaderBytes,
    headersTimeout: HTTP_LIMITS.headersTimeoutMs,
    requestTimeout: HTTP_LIMITS.requestTimeoutMs,
    connectionsCheckingInterval: HTTP_LIMITS.checkIntervalMs,
    keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
  };
  const server: Server =
    options.tls === undefined
      ? createHttpServer(httpOptions, guarded)
      : createHttpsServer({ ...httpOptions, ...options.tls, handshakeTimeout: HTTP_LIMITS.tlsHandshakeMs }, guarded);
  server.maxHeadersCount = HTTP_LIMITS.maxHeadersCount;
  server.maxConnections = HTTP_LIMITS.maxConnections;
  server.maxRequestsPerSocket = HTTP_LIMITS.maxRequestsPerSocket;
  server.setTimeout(HTTP_LIMITS.socketIdleMs, (socket: Socket) => socket.destroy());
  limitPerAddress(server, HTTP_LIMITS.maxConnectionsPerAddress, (address) => refused('too many connections from one address', { address }));
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    refused(`malformed or incomplete request (${error.code ?? error.message})`);
    answerClientError(error, socket);
  });
  server.on('tlsClientError', (error: Error) => refused(`TLS handshake failed: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      reject(
        new CsshError('HTTP_LISTEN_FAILED', `${option}: cannot listen on ${listen}; choose a free address or port`, {
          cause: error,
          permanent: true,
        }),
      );
    });
    server.listen(port, host, () => resolve());
  });
  server.on('error', () => undefined);
  const bound = server.address() as AddressInfo;
  const address = bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  return { server, address, scheme: options.tls === undefined ? 'http' : 'https', close };
}

interface Refusal {
  status: number;
  reason: string;
  headers?: Record<string, string>;
}

/** Why a parsed request is not served, or undefined when the handler may see it. */
function refusalOf(req: IncomingMessage): Refusal | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { status: 405, reason: 'method not allowed; use GET or HEAD', headers: { Allow: 'GET, HEAD' } };
  }
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')) {
    return { status: 413, reason: 'a request body is not accepted here' };
  }
  const url = req.url ?? '';
  if (url.length > HTTP_LIMITS.maxUrlLength) return { status: 414, reason: 'request target too long' };
  if (requestPath(req) === undefined) return { status: 400, reason: 'the request target must be a path starting with /' };
  return undefined;
}

/** Answers a request the parser rejected (when the socket can still take it) and closes the connection. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout'
        : '400 Bad Request';
  const inFlight = (socket as Socket & { _httpMessage?: unknown })._httpMessage; // an answer already being written
  if (socket.writable && error.code !== 'ECONNRESET' && (inFlight === undefined || inFlight === null)) {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  } else {
    socket.destroy();
  }
}

/** Drops a new connection at once when its address already holds `max` (counted on the TCP socket). */
function limitPerAddress(server: Server, max: number, onDrop: (address: string) => void): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      onDrop(address);
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/** Writes a small plain-text reply; never throws (a reply to a client that has gone is dropped). */
export function reply(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
  headers: Record<string, string> = {},
): void {
  try {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store', ...headers });
    res.end(body);
  } catch {
    res.destroy();
  }
}
