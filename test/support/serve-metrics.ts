// Reading a running `cssh serve`'s own view of its load: its metrics endpoint and its containers on the engine.
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import type { ServeHandle } from './serve-harness.js';

/** Config (ContainerSSH spelling) that turns the metrics endpoint on, on a free loopback port. */
export const METRICS_ON = { metrics: { enable: true, listen: '127.0.0.1:0', path: '/metrics' } };

/** host:port of the metrics endpoint the server announced in its log; throws when it announced none. */
export function metricsAddress(srv: ServeHandle): string {
  const address = /Metrics are available at http:\/\/([^/\s"]+)\//.exec(srv.output())?.[1];
  if (address === undefined) throw new Error(`cssh serve did not announce a metrics endpoint (is METRICS_ON in its config?):\n${srv.output()}`);
  return address;
}

/**
 * One scrape, as series name -> sum over its labels. No keep-alive: a socket kept open would be one more fd in the
 * server, which is what the callers measure.
 */
export function scrapeMetrics(address: string): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const req = request(`http://${address}/metrics`, { agent: false, headers: { connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const sums = new Map<string, number>();
        for (const line of text.split('\n')) {
          if (line.startsWith('#') || line === '') continue;
          const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? '';
          sums.set(name, (sums.get(name) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
        }
        resolve(sums);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Containers (any state) labelled with `instanceId`, counted without blocking the event loop. */
export function countContainers(instanceId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['ps', '-aq', '--filter', `label=cssh.instance=${instanceId}`], (error, stdout) => {
      if (error !== null) reject(new Error(`docker ps failed: ${error.message}`));
      else resolve(stdout.split('\n').filter(Boolean).length);
    });
  });
}

/** Polls (every 200 ms) until `predicate` holds for the server's metrics; throws after `ms` (a hang guard only). */
export async function untilMetrics(
  address: string,
  predicate: (m: Map<string, number>) => boolean | Promise<boolean>,
  what: string,
  ms = 120_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = await scrapeMetrics(address);
    if (await predicate(m)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Resolves once the server has no connection, session or container and the engine lists none of its containers. */
export function untilQuiet(srv: ServeHandle, address: string, ms = 120_000): Promise<void> {
  let last = '';
  return untilMetrics(address, async (m) => {
    const open = {
      connections: m.get('containerssh_ssh_current_connections') ?? NaN,
      sessions: m.get('cssh_active_sessions') ?? NaN,
      activeContainers: m.get('cssh_active_containers') ?? NaN,
      engineContainers: await countContainers(srv.instanceId),
    };
    last = JSON.stringify(open);
    return Object.values(open).every((n) => n === 0);
  }, 'the server has no connection, session or container', ms).catch((error: unknown) => {
    throw new Error(`${String(error)} (last seen: ${last})`);
  });
}
