// Operator guidance for an exposed server: warnings (never errors) for settings that work but leave a door open.
// `cssh config validate` reports them; loading a config for serve does not repeat them on every start or merge.
import { configWarning, type ConfigIssue } from './issues.js';
import type { AppConfig } from './types.js';

/** The codes checkHardening can report. */
export const HARDENING_CODES: readonly string[] = ['DOCKER_RESOURCES_UNLIMITED', 'AUTH_PASSWORD_PLAINTEXT', 'CONFIG_HTTP_PLAINTEXT_PUBLIC'];

/** Every hardening warning for `config`. */
export function checkHardening(config: AppConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  checkResourceLimits(config.docker.execution, issues);
  checkPasswordTransport(config.auth, issues);
  checkHttpExposure(config, issues);
  return issues;
}

const positive = (value: unknown): boolean => typeof value === 'number' && value > 0;

/** Containers without a memory, pids or CPU limit let one user exhaust the host for everyone. */
export function checkResourceLimits(execution: AppConfig['docker']['execution'], issues: ConfigIssue[]): void {
  const host: Record<string, unknown> = execution.host ?? {};
  const missing: string[] = [];
  if (!positive(host.Memory)) missing.push('memory (Memory)');
  if (!positive(host.PidsLimit)) missing.push('process count (PidsLimit)');
  const cpuset = typeof host.CpusetCpus === 'string' && host.CpusetCpus !== '';
  if (!(positive(host.NanoCpus) || positive(host.CpuQuota) || positive(host.CpuCount) || positive(host.CpuPercent) || cpuset)) {
    missing.push('CPU (NanoCpus or CpuQuota)');
  }
  if (missing.length === 0) return;
  issues.push(configWarning('DOCKER_RESOURCES_UNLIMITED', 'docker.execution.host', `containers have no ${missing.join(', ')} limit: one user can starve the host and every other session`, {
    hint: 'set for example host: {resources: {memory: 536870912, pidslimit: 256, nanocpus: 1000000000}} (512 MiB, 256 processes, 1 CPU); see docs/security.md',
  }));
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The password webhook sends every password (passwordBase64); over plain http to another host anyone on the path reads it. */
export function checkPasswordTransport(auth: AppConfig['auth'], issues: ConfigIssue[]): void {
  if (auth.password.method !== 'webhook') return;
  let url: URL;
  try {
    url = new URL(auth.password.webhook.url);
  } catch {
    return; // the URL rule reports it
  }
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return;
  issues.push(configWarning('AUTH_PASSWORD_PLAINTEXT', 'auth.password.webhook.url', `passwords are sent to ${url.host} over plain http, readable by anyone on the network path`, {
    hint: 'use an https:// URL (with cacert for a private CA), or run the auth server on the same host (127.0.0.1)',
  }));
}

function listensEverywhere(listen: string): boolean {
  const host = /^(.*):\d+$/.exec(listen.trim())?.[1] ?? '';
  return host === '' || host === '0.0.0.0' || host === '[::]' || host === '::';
}

/** Metrics and health on every interface without TLS: anyone who reaches the host reads them in clear text. */
export function checkHttpExposure(config: AppConfig, issues: ConfigIssue[]): void {
  for (const section of ['metrics', 'health'] as const) {
    const block = config[section];
    if (!block.enable || block.cert !== '' || !listensEverywhere(block.listen)) continue;
    issues.push(configWarning('CONFIG_HTTP_PLAINTEXT_PUBLIC', `${section}.listen`, `the ${section} endpoint listens on all interfaces (${block.listen}) without TLS`, {
      hint: `listen on 127.0.0.1 or a private address, or set ${section}.cert and ${section}.key (and clientcacert to require client certificates)`,
    }));
  }
}
