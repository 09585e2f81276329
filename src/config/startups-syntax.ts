// The syntax of ssh.maxStartups and ssh.perSourceNetBlockSize (OpenSSH's MaxStartups and PerSourceNetBlockSize).

/** `start:rate:full`: from `start` unauthenticated connections on, refuse with rate % rising linearly to 100 % at `full`. */
export interface MaxStartups {
  start: number;
  rate: number;
  full: number;
}

/** Prefix lengths that group source addresses into one netblock for the per-source cap. */
export interface NetBlockSize {
  ipv4: number;
  ipv6: number;
}

/**
 * Parses `start:rate:full` or a single `N` (= `N:100:N`, every connection over N refused), as sshd_config does.
 * Returns a sentence naming the problem instead when the text is not a valid spec.
 */
export function parseMaxStartups(text: string): MaxStartups | string {
  const parts = text.trim().split(':');
  if (!parts.every((part) => /^\d{1,9}$/.test(part)) || (parts.length !== 1 && parts.length !== 3)) {
    return 'not start:rate:full (three whole numbers) or a single number';
  }
  const [start, rate, full] = parts.length === 1 ? [Number(parts[0]), 100, Number(parts[0])] : parts.map(Number) as [number, number, number];
  if (start < 1) return 'start must be at least 1';
  if (rate < 1 || rate > 100) return 'rate is a percentage from 1 to 100';
  if (full < start) return 'full must not be smaller than start';
  return { start, rate, full };
}

/** Parses `ipv4bits[:ipv6bits]` (sshd's PerSourceNetBlockSize); a sentence naming the problem when invalid. */
export function parseNetBlockSize(text: string): NetBlockSize | string {
  const match = /^(\d{1,2})(?::(\d{1,3}))?$/.exec(text.trim());
  const ipv4 = Number(match?.[1]);
  const ipv6 = Number(match?.[2] ?? 128);
  if (!match || ipv4 > 32 || ipv6 > 128) return 'not ipv4bits:ipv6bits (prefix lengths of at most 32 and 128)';
  return { ipv4, ipv6 };
}
