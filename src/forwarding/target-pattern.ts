// Allow-list patterns for forwarding destinations: "host:port" with * wildcards in the host and *, N or N-M as the port.

export interface TargetPattern {
  /** Lowercase host glob ("*" matches any run of characters). */
  host: string;
  /** Inclusive port range; [1, 65535] for "*". */
  ports: [number, number];
}

/** Parses one pattern; returns the reason when it is not one ("localhost:8080", "*:443", "[::1]:8000-8100", "10.0.0.*:*"). */
export function parseTargetPattern(text: string): TargetPattern | string {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\*|\d{1,5}(?:-\d{1,5})?)$/.exec(text.trim());
  if (match === null) return 'expected host:port (IPv6 in brackets), with * wildcards in the host and *, N or N-M as the port';
  const host = (match[1] ?? match[2] ?? '').toLowerCase();
  const portText = match[3] ?? '*';
  if (portText === '*') return { host, ports: [1, 65535] };
  const [from = 0, to = from] = portText.split('-').map(Number);
  if (from < 1 || to > 65535 || from > to) return `port ${portText} is not a port (1-65535) or a rising range of them`;
  return { host, ports: [from, to] };
}

function globMatches(glob: string, value: string): boolean {
  const pattern = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(value);
}

/**
 * True when `host`:`port` matches one of the patterns. Hosts are compared as the client wrote them, without name
 * resolution ("localhost" and "127.0.0.1" are different destinations); case does not matter; brackets are ignored.
 * Patterns that do not parse match nothing (config validation reports them).
 */
export function matchesTarget(patterns: readonly string[], host: string, port: number): boolean {
  const wanted = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return patterns.some((text) => {
    const pattern = parseTargetPattern(text);
    if (typeof pattern === 'string') return false;
    return port >= pattern.ports[0] && port <= pattern.ports[1] && globMatches(pattern.host, wanted);
  });
}
