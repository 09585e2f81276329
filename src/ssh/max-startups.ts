// OpenSSH's MaxStartups / PerSourceMaxStartups arithmetic: random early drop and source netblocks.
import { isIPv4, isIPv6 } from 'node:net';
import type { MaxStartups, NetBlockSize } from '../config/startups-syntax.js';

/**
 * Whether a new connection is refused when `startups` unauthenticated connections are already held: never below
 * `start`, always at `full`, in between with a probability rising linearly from `rate` % (sshd's
 * should_drop_connection, integer arithmetic included). `random` returns a number in [0, 1).
 */
export function shouldDrop(startups: number, spec: MaxStartups, random: () => number = Math.random): boolean {
  if (startups < spec.start) return false;
  if (startups >= spec.full || spec.rate >= 100) return true;
  const percent = Math.floor(((100 - spec.rate) * (startups - spec.start)) / (spec.full - spec.start)) + spec.rate;
  return Math.floor(random() * 100) < percent;
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail allowed); undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  if (!isIPv6(address)) return undefined;
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((group) => parseInt(group, 16));
}

function maskBits(values: number[], width: number, bits: number): number[] {
  return values.map((value, index) => {
    const keep = Math.min(Math.max(bits - index * width, 0), width);
    return keep === 0 ? 0 : value & ~((1 << (width - keep)) - 1) & ((1 << width) - 1);
  });
}

/**
 * The netblock `address` belongs to, as a string key: IPv4 (also IPv4-mapped IPv6, as a dual-stack listener sees
 * IPv4 clients) masked to `size.ipv4` bits, IPv6 to `size.ipv6` bits; anything else (no address) is its own key.
 */
export function sourceBlock(address: string | undefined, size: NetBlockSize): string {
  const plain = (address ?? '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain)?.[1];
  const v4 = mapped ?? (isIPv4(plain) ? plain : undefined);
  if (v4 !== undefined) return `${maskBits(v4.split('.').map(Number), 8, size.ipv4).join('.')}/${size.ipv4}`;
  const groups = ipv6Groups(plain);
  if (groups === undefined) return `other:${plain}`;
  return `${maskBits(groups, 16, size.ipv6).map((group) => group.toString(16)).join(':')}/${size.ipv6}`;
}
