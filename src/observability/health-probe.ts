// The health client of `cssh healthcheck`: asks the local server's health endpoint (or, with health off, its SSH port
// for an identification line) within a deadline, and says in one sentence why the answer is healthy or not.
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { connect, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { loadTlsOptions } from '../auth/tls.js';
import type { AppConfig } from '../config/types.js';
import { describeCause } from '../core/errors.js';
import { readPem } from '../core/tls-options.js';
import { parseListen } from './metrics-http.js';

export interface HealthProbeResult {
  healthy: boolean;
  /** What was asked: the health endpoint over HTTP(S), or the SSH port. */
  probe: 'http' | 'ssh';
  /** The URL, or host:port of the SSH port. */
  target: string;
  /** The HTTP status, when one came back. */
  status?: number;
  /** One line: what answered, or why it is unhealthy. */
  reason: string;
  ms: number;
}

export interface HealthProbeOptions {
  /** The whole probe's deadline. */
  timeoutMs: number;
  /** Ask /ready (the Docker engine answers) instead of /health (the process runs). */
  ready: boolean;
}

/** A wildcard listen address reached over loopback; IPv6 in brackets for URLs and host:port. */
function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The URL to ask: health.client.url when set (its path becomes /ready with `ready`), else derived from health.listen. */
export function healthUrl(health: AppConfig['health'], ready: boolean): URL {
  if (health.client.url !== '') {
    const url = new URL(health.client.url);
    if (ready) url.pathname = '/ready';
    return url;
  }
  const { host, port } = parseListen(health.listen, 'health.listen');
  const scheme = health.cert !== '' ? 'https' : 'http';
  return new URL(`${scheme}://${hostPort(connectHost(host), port)}${ready ? '/ready' : '/health'}`);
}

interface HttpsPlan {
  options: https.RequestOptions;
  /** DER of the certificate the server must present, when no CA is configured (pinning health.cert). */
  pinned?: Buffer;
}

/**
 * TLS for the probe: health.client's CA, client certificate and TLS choices. Without health.client.cacert the server
 * is trusted by being exactly the certificate in health.cert (the probe runs beside the server and reads its config),
 * so a self-signed or private-CA certificate works without naming a CA.
 */
function httpsPlan(health: AppConfig['health'], url: URL): HttpsPlan {
  const tls = loadTlsOptions(health.client, 'health.client');
  if (health.clientcacert !== '' && tls.cert === undefined) {
    throw new Error('health.clientcacert makes the endpoint require a client certificate; set health.client.cert and health.client.key for cssh healthcheck');
  }
  const options: https.RequestOptions = { ...tls, servername: url.hostname.replace(/^\[|\]$/g, '') };
  if (tls.ca !== undefined) return { options };
  const serverCert = readPem(health.cert, 'health.cert', 'HTTP_TLS_INVALID', 'certificate');
  if (serverCert === undefined || health.client.url !== '') return { options };
  return { options: { ...options, rejectUnauthorized: false }, pinned: new X509Certificate(serverCert).raw };
}

function httpProbe(health: AppConfig['health'], o: HealthProbeOptions, signal: AbortSignal): Promise<Omit<HealthProbeResult, 'ms'>> {
  const url = healthUrl(health, o.ready);
  const target = url.href;
  const plan: HttpsPlan = url.protocol === 'https:' ? httpsPlan(health, url) : { options: {} };
  const get = url.protocol === 'https:' ? https.get : http.get;
  return new Promise((resolve) => {
    const done = (result: Omit<HealthProbeResult, 'ms' | 'probe' | 'target'>): void => resolve({ probe: 'http', target, ...result });
    const req = get(url, { ...plan.options, agent: false, signal, headers: { accept: 'text/plain, */*' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 200) body += chunk;
      });
      res.on('error', () => undefined);
      res.on('end', () => {
        const text = body.trim().slice(0, 80);
        const answer = `${target} answered ${res.statusCode ?? 0}${text === '' ? '' : ` ${JSON.stringify(text)}`}`;
        done({ healthy: res.statusCode === 200, status: res.statusCode ?? 0, reason: answer });
      });
    });
    if (plan.pinned !== undefined) {
      const pinned = plan.pinned;
      req.on('socket', (socket: Socket) => {
        socket.once('secureConnect', () => {
          const presented = (socket as TLSSocket).getPeerCertificate().raw;
          if (presented === undefined || !presented.equals(pinned)) {
            req.destroy(new Error('the endpoint presented a certificate other than health.cert; set health.client.cacert to verify it against a CA'));
          }
        });
      });
    }
    req.on('error', (error) => {
      const why = signal.aborted ? `no answer within ${o.timeoutMs} ms` : describeCause(error);
      done({ healthy: false, reason: `${target}: ${why}` });
    });
  });
}

/** Connects to the SSH port and waits for the server's identification line (SSH-2.0-...). */
function sshProbe(listen: string, o: HealthProbeOptions, signal: AbortSignal): Promise<Omit<HealthProbeResult, 'ms'>> {
  const { host, port } = parseListen(listen, 'ssh.listen');
  const target = hostPort(connectHost(host), port);
  return new Promise((resolve) => {
    let buffered = '';
    let settled = false;
    const socket = connect({ host: connectHost(host), port });
    const finish = (healthy: boolean, reason: string): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve({ healthy, probe: 'ssh', target, reason });
    };
    const onAbort = (): void => finish(false, `ssh ${target}: no identification line within ${o.timeoutMs} ms`);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      // RFC 4253 4.2: other lines may come first; the identification line starts with SSH-.
      for (const line of buffered.split('\n').slice(0, -1)) {
        if (line.startsWith('SSH-')) {
          const ident = line.replace(/\r$/, '');
          return finish(/^SSH-(2\.0|1\.99)-/.test(ident), `ssh ${target} answered ${JSON.stringify(ident.slice(0, 100))}`);
        }
      }
      if (buffered.length > 8192) finish(false, `ssh ${target}: no SSH identification line in the first 8 KiB`);
    });
    socket.on('error', (error) => finish(false, `ssh ${target}: ${describeCause(error)}`));
    socket.on('close', () => finish(false, `ssh ${target}: closed the connection without an SSH identification line`));
  });
}

/** Probes the server `config` describes; never throws: a bad setting is an unhealthy answer that names it. */
export async function probeHealth(config: AppConfig, o: HealthProbeOptions): Promise<HealthProbeResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(o.timeoutMs);
  const probe = config.health.enable ? 'http' : 'ssh';
  let result: Omit<HealthProbeResult, 'ms'>;
  try {
    result = config.health.enable ? await httpProbe(config.health, o, signal) : await sshProbe(config.ssh.listen, o, signal);
  } catch (error) {
    result = { healthy: false, probe, target: probe === 'http' ? 'health' : config.ssh.listen, reason: describeCause(error) };
  }
  return { ...result, ms: Math.round(performance.now() - started) };
}
