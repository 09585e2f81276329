// A small HTTP listener for the metrics and health endpoints: parse `host:port`, listen, close without lingering.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CsshError } from '../core/errors.js';

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
  /** Stops listening and drops open connections. Idempotent, never throws. */
  close: () => Promise<void>;
}

/** Listens on `listen`; a busy or forbidden address rejects with a CsshError naming `option`. */
export async function listenHttp(
  listen: string,
  option: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<HttpEndpoint> {
  const { host, port } = parseListen(listen, option);
  const server = createServer(handler);
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
  return { server, address, close };
}

/** Writes a small plain-text reply. */
export function reply(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}
