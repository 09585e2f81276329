// Whether a direct-tcpip destination passes security.forwarding: enable allows all, filter the allow-list, disable none.
import type { SecurityConfig } from '../config/types.js';
import { matchesTarget } from './target-pattern.js';

/**
 * forwardingMode as ContainerSSH has it (only an explicit mode counts; defaultMode does not reach forwarding), except
 * that `filter` allows the destinations matching security.forwarding.forwardingAllow (ContainerSSH's filter allows
 * none, which an empty list still gives).
 */
export function allowsDestination(security: SecurityConfig, host: string, port: number): boolean {
  const { forwardingMode, forwardingAllow } = security.forwarding;
  if (forwardingMode === 'enable') return true;
  if (forwardingMode === 'filter') return matchesTarget(forwardingAllow, host, port);
  return false;
}

/**
 * Whether a tcpip-forward bind address passes security.forwarding: enable allows all, filter the patterns of
 * reverseForwardingAllow, disable none. Port 0 (any free port) is allowed only by a pattern whose port is "*".
 */
export function allowsBind(security: SecurityConfig, host: string, port: number): boolean {
  const { reverseForwardingMode, reverseForwardingAllow } = security.forwarding;
  if (reverseForwardingMode === 'enable') return true;
  if (reverseForwardingMode !== 'filter') return false;
  if (port !== 0) return matchesTarget(reverseForwardingAllow, host, port);
  const anyPort = reverseForwardingAllow.filter((text) => /:\*\s*$/.test(text));
  return matchesTarget(anyPort, host, 1);
}
