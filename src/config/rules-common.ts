// Helpers shared by the rule files: listen addresses, URLs, durations, and telling PEM text from a file path.
import { configError, describeValue, type ConfigIssue } from './issues.js';

/** ContainerSSH's agent-based idle command; it fails in images without the agent. */
export const DEFAULT_AGENT_IDLE_COMMAND = ['/usr/bin/containerssh-agent', 'wait-signal', '--signal', 'INT', '--signal', 'TERM'];

export function isPem(value: string): boolean {
  return value.trim().startsWith('-----');
}

/** `host:port` with a port of 0-65535 (IPv6 hosts in brackets). */
export function listenIssue(value: string, path: string): ConfigIssue | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]*):(\d{1,5})$/.exec(value);
  if (match !== null && Number(match[2]) <= 65535) return undefined;
  return configError('CONFIG_LISTEN_INVALID', path, `invalid listen address: ${describeValue(value)}`, {
    expected: 'host:port, for example 0.0.0.0:2222 or [::]:2222',
    found: describeValue(value),
  });
}

/** An http(s) URL check for webhook and config-server clients. */
export function urlIssue(value: string, path: string): ConfigIssue | undefined {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:')) return undefined;
  return configError('CONFIG_URL_INVALID', path, value === '' ? 'a URL is required' : `invalid URL: ${describeValue(value)}`, {
    expected: 'an http:// or https:// URL',
    found: describeValue(value),
    hint: value !== '' && !value.includes('://') ? `write http://${value}` : undefined,
  });
}

/** A duration (ms) that must be 0 or at least `min` ms. */
export function minDurationIssue(value: number, min: number, path: string, allowZero: boolean): ConfigIssue | undefined {
  if ((allowZero && value === 0) || value >= min) return undefined;
  return configError('CONFIG_DURATION_TOO_SHORT', path, `must be at least ${min}ms${allowZero ? ' (or 0 to disable)' : ''}`, {
    expected: `>= ${min}ms`,
    found: `${value}ms`,
  });
}
