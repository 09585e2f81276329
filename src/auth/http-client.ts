// One bounded JSON POST over node's http/https: TLS options, optional same-origin redirects, a capped response body.
import http from 'node:http';
import https from 'node:https';
import { CsshError } from '../core/errors.js';
import type { TlsOptions } from './tls.js';

export interface PostOptions {
  tls: TlsOptions;
  allowRedirects: boolean;
  /** Aborts the request (the per-attempt timeout and the overall deadline). */
  signal: AbortSignal;
}

export interface PostResult {
  status: number;
  body: string;
}

/** Webhook answers are small; a larger body is an error rather than a memory risk. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 10;

/**
 * POSTs `json` to `url` and resolves with the final status and body. Redirects (3xx with Location) are followed,
 * re-posting the same body, only when `allowRedirects`, and only within the origin of `url` (same scheme, host and
 * port): the body carries passwords and metadata, so a redirect to another origin, https to http included, rejects
 * with a permanent CsshError(WEBHOOK_REDIRECT_REFUSED) without sending anything there. Without `allowRedirects` the
 * 3xx is returned as is. Rejects on transport errors, an aborted signal, or a body over 4 MiB. Never leaves a socket
 * open after it settles.
 */
export async function postJson(url: string, json: string, options: PostOptions): Promise<PostResult> {
  const origin = new URL(url);
  let target = origin;
  for (let hop = 0; ; hop++) {
    const result = await postOnce(target, json, options);
    const location = result.location;
    if (!options.allowRedirects || location === undefined || result.status < 300 || result.status > 399) {
      return { status: result.status, body: result.body };
    }
    if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects starting at ${url}`);
    target = sameOriginRedirect(origin, target, location);
  }
}

/** The redirect target, or a permanent WEBHOOK_REDIRECT_REFUSED when it leaves `origin` or is not a URL. */
function sameOriginRedirect(origin: URL, from: URL, location: string): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new CsshError('WEBHOOK_REDIRECT_REFUSED', `${from.href} redirected to an invalid location ${JSON.stringify(location.slice(0, 200))}`, {
      permanent: true,
    });
  }
  if (next.origin === origin.origin && next.username === '' && next.password === '') return next;
  const why = origin.protocol === 'https:' && next.protocol === 'http:'
    ? 'from https to plain http'
    : next.username !== '' || next.password !== '' ? 'to a URL with credentials' : `to another origin (${next.origin})`;
  throw new CsshError(
    'WEBHOOK_REDIRECT_REFUSED',
    `refused the redirect from ${from.href} ${why}: the request carries credentials and is only re-sent to ${origin.origin}; point the url at the final server instead`,
    { permanent: true },
  );
}

function postOnce(target: URL, json: string, options: PostOptions): Promise<PostResult & { location?: string }> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(json, 'utf8');
    const common = {
      method: 'POST',
      signal: options.signal,
      agent: false as const,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': String(payload.length),
      },
    };
    let request: http.ClientRequest;
    if (target.protocol === 'https:') {
      request = https.request(target, { ...common, ...options.tls });
    } else if (target.protocol === 'http:') {
      request = http.request(target, common);
    } else {
      reject(new Error(`unsupported URL scheme "${target.protocol}" (use http:// or https://)`));
      return;
    }
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          request.destroy(new Error(`response body larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('end', () => {
        const location = response.headers.location;
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          ...(location === undefined ? {} : { location }),
        });
      });
    });
    request.end(payload);
  });
}
