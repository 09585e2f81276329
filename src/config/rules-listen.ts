// Port clashes between the listeners serve opens (ssh, metrics, health): two of them on one port whose addresses
// overlap (the same address, or a wildcard such as 0.0.0.0 or [::] that covers the other) cannot both bind.
import { isIP } from 'node:net';
import { configWarning, type ConfigIssue } from './issues.js';
import type { AppConfig } from './types.js';

interface Listener {
  path: string;
  host: string;
  port: number;
}

/** `host:port` as serve binds it; undefined when malformed (listenIssue reports that). An empty host is 0.0.0.0. */
function parse(listen: string, path: string): Listener | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(listen.trim());
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { path, host: (match[1] ?? match[2] ?? '') || '0.0.0.0', port };
}

type Family = 'ipv4' | 'ipv6' | 'name';

function familyOf(host: string): Family {
  const kind = isIP(host);
  return kind === 4 ? 'ipv4' : kind === 6 ? 'ipv6' : 'name';
}

/**
 * Whether binding both addresses on one port fails. `::` (dual-stack on Linux) covers every address, 0.0.0.0 every
 * IPv4 address and every host name (names usually resolve to IPv4); otherwise only the same address clashes.
 */
function overlaps(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  if (a === '::' || b === '::') return true;
  const covers = (wildcard: string, other: string): boolean => wildcard === '0.0.0.0' && familyOf(other) !== 'ipv6';
  return covers(a, b) || covers(b, a);
}

/** An error for every pair of enabled listeners that would fight over one port. */
export function checkListenConflicts(config: AppConfig, issues: ConfigIssue[]): void {
  const listeners = [
    parse(config.ssh.listen, 'ssh.listen'),
    config.metrics.enable ? parse(config.metrics.listen, 'metrics.listen') : undefined,
    config.health.enable ? parse(config.health.listen, 'health.listen') : undefined,
  ].filter((listener): listener is Listener => listener !== undefined && listener.port !== 0);
  for (const [index, later] of listeners.entries()) {
    const earlier = listeners.slice(0, index).find((other) => other.port === later.port && overlaps(other.host, later.host));
    if (earlier === undefined) continue;
    issues.push(configWarning('CONFIG_LISTEN_CONFLICT', later.path, `port ${later.port} is also used by ${earlier.path} (${earlier.host}:${earlier.port}), so cssh serve could not bind both`, {
      found: `${later.host}:${later.port}`,
      hint: `give ${later.path} another port, or bind the two to different addresses that do not overlap (0.0.0.0 and [::] cover every address)`,
    }));
  }
}
