// A real HTTP(S) server on 127.0.0.1 that plays a ContainerSSH auth and/or config server in tests.
//
// API:
//   const stub = await startWebhookStub({ '/password': acceptPasswords({ alice: 'secret' }) });
//   stub.url                    -> "http://127.0.0.1:PORT" (use as webhook url; the config server can use stub.url + '/config')
//   stub.on(path, handler)      -> set/replace the handler for an exact path (e.g. '/pubkey', '/authz', '/config')
//   stub.requests               -> every request so far: { method, path, headers, body (parsed JSON or undefined), raw }
//   stub.requestsTo(path)       -> the requests to one path
//   await stub.close()          -> stops the server and drops open connections (call in t.after / finally)
// A handler is a StubResponse, a function of the request returning one (sync or async), or an array used as a
// sequence (one per request, the last repeats). StubResponse: { status = 200, body (objects are JSON-encoded,
// strings sent as is), delayMs, headers }. Paths without a handler answer 404.
// ContainerSSH-style helpers: acceptPasswords({ user: password }, extra?), acceptKeys({ user: ['ssh-ed25519 AAAA...'] },
// extra?), allow(extra?) (success for anyone, e.g. authz), configResponse(config, extra?) — `extra` adds response fields
// such as authenticatedUsername, metadata, environment, files.
// Options: { tls: { key, cert, ca? } } serves HTTPS instead (PEM text), for TLS client tests; with `ca` it also
// requires a client certificate signed by that CA.
// Config helpers: webhookClientConfig(url, overrides?) (a WebhookClientConfig with ContainerSSH defaults: 2 s timeout,
// 60 s authTimeout, TLS 1.3, default curves and ciphers) and authConfig(overrides?) (an AuthConfig with every method disabled, sections merged).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthConfig, WebhookClientConfig } from '../../src/config/types.js';
import { DEFAULT_TLS_CIPHERS, DEFAULT_TLS_CURVES } from '../../src/core/tls-options.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body parsed as JSON, or undefined when it was not JSON. */
  body: unknown;
  raw: string;
}

export interface StubResponse {
  status?: number;
  body?: unknown;
  delayMs?: number;
  headers?: Record<string, string>;
}

export type StubHandler = StubResponse | ((req: RecordedRequest) => StubResponse | Promise<StubResponse>);

export interface WebhookStub {
  readonly url: string;
  readonly requests: RecordedRequest[];
  requestsTo(path: string): RecordedRequest[];
  on(path: string, handler: StubHandler | StubHandler[]): void;
  close(): Promise<void>;
}

export interface StubOptions {
  /** Serve HTTPS with this key and certificate; with `ca`, clients must present a certificate signed by it. */
  tls?: { key: string; cert: string; ca?: string };
}

type AuthExtra = Record<string, unknown>;

export function webhookClientConfig(url: string, overrides: Partial<WebhookClientConfig> = {}): WebhookClientConfig {
  return {
    url, timeout: 2000, authTimeout: 60_000, cacert: '', cert: '', key: '', allowRedirects: false, tlsVersion: '1.3',
    curves: DEFAULT_TLS_CURVES, cipher: DEFAULT_TLS_CIPHERS, ...overrides,
  };
}

export interface AuthOverrides {
  password?: Partial<AuthConfig['password']>;
  publicKey?: Partial<AuthConfig['publicKey']>;
  authz?: Partial<AuthConfig['authz']>;
}

/** ContainerSSH's Kerberos defaults (cssh accepts and ignores them). */
export const KERBEROS_DEFAULTS: AuthConfig['gssapi']['kerberos'] = {
  keytab: '/etc/krb5.keytab', acceptor: 'any', enforceUsername: true, credentialCachePath: '/tmp/krb5cc',
  configPath: '/etc/containerssh/krb5.conf', clockSkew: 300_000,
};

export function authConfig(overrides: AuthOverrides = {}): AuthConfig {
  return {
    password: { method: '', webhook: webhookClientConfig(''), passwords: { file: '' }, kerberos: KERBEROS_DEFAULTS, ...overrides.password },
    publicKey: { method: '', webhook: webhookClientConfig(''), authorizedKeys: { path: '' }, ...overrides.publicKey },
    authz: { method: '', webhook: webhookClientConfig(''), ...overrides.authz },
    keyboardInteractive: { method: '' },
    gssapi: { method: '', kerberos: KERBEROS_DEFAULTS },
  };
}

/** Success when `passwordBase64` decodes to the user's password; otherwise `{ success: false }`. */
export function acceptPasswords(users: Record<string, string>, extra: AuthExtra = {}): StubHandler {
  return (req) => {
    const body = req.body as { username?: string; passwordBase64?: string };
    const expected = users[body.username ?? ''];
    const given = Buffer.from(body.passwordBase64 ?? '', 'base64').toString('utf8');
    return { body: expected !== undefined && given === expected ? { success: true, ...extra } : { success: false } };
  };
}

/** Success when `publicKey` is one of the user's keys ("type base64", compared without comments). */
export function acceptKeys(users: Record<string, string[]>, extra: AuthExtra = {}): StubHandler {
  const strip = (line: string) => line.trim().split(/\s+/).slice(0, 2).join(' ');
  return (req) => {
    const body = req.body as { username?: string; publicKey?: string };
    const keys = (users[body.username ?? ''] ?? []).map(strip);
    return { body: keys.includes(strip(body.publicKey ?? '')) ? { success: true, ...extra } : { success: false } };
  };
}

/** Success for anyone (an authz server that allows all), with optional extra fields. */
export function allow(extra: AuthExtra = {}): StubHandler {
  return { body: { success: true, ...extra } };
}

/** A config-server answer. */
export function configResponse(config: unknown, extra: AuthExtra = {}): StubHandler {
  return { body: { config, ...extra } };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export async function startWebhookStub(routes: Record<string, StubHandler | StubHandler[]> = {}, options: StubOptions = {}): Promise<WebhookStub> {
  const handlers = new Map<string, { list: StubHandler[]; next: number }>();
  const requests: RecordedRequest[] = [];
  const on = (path: string, handler: StubHandler | StubHandler[]): void => {
    handlers.set(path, { list: Array.isArray(handler) ? handler : [handler], next: 0 });
  };
  for (const [path, handler] of Object.entries(routes)) on(path, handler);

  const listener = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    const recorded: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body: parseJson(raw), raw };
    requests.push(recorded);
    const entry = handlers.get(path);
    let reply: StubResponse = { status: 404, body: { error: `no handler for ${path}` } };
    if (entry !== undefined) {
      const handler = entry.list[Math.min(entry.next, entry.list.length - 1)];
      entry.next++;
      if (handler !== undefined) reply = typeof handler === 'function' ? await handler(recorded) : handler;
    }
    if (reply.delayMs !== undefined) await sleep(reply.delayMs);
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(text);
  };
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    listener(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const tls = options.tls;
  const server =
    tls === undefined
      ? http.createServer(handle)
      : https.createServer({ ...tls, ...(tls.ca === undefined ? {} : { requestCert: true, rejectUnauthorized: true }) }, handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    on,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
