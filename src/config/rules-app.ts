// Rules for the remaining sections (backend, security, log, metrics, health, configserver) and the entry point
// that runs every rule over a resolved configuration.
import { configError, configWarning, describeValue, type ConfigIssue } from './issues.js';
import { checkAuth, checkWebhook } from './rules-auth.js';
import { checkDocker } from './rules-docker.js';
import { checkHttpServer } from './rules-http.js';
import { checkListenConflicts } from './rules-listen.js';
import { checkForwarding } from './rules-forwarding.js';
import { checkPemOptions } from './rules-pem.js';
import { checkSsh } from './rules-ssh.js';
import { logFileProblem } from './log-file.js';
import { didYouMean } from './suggest.js';
import type { AppConfig, SecurityConfig } from './types.js';

/**
 * Runs every cross-field rule. As in ContainerSSH, a file with a config server (`configserver.url`) gets its
 * backend, docker and security rules checked per connection after the merge (`mergeConfig`), so at start-up their
 * errors are only warnings; `dynamic` (the merged config) checks everything.
 */
export function checkConfig(config: AppConfig, dynamic = false): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  checkSsh(config.ssh, issues);
  checkAuth(config.auth, issues);
  checkObservability(config, issues);
  checkWorkers(config, issues);
  checkPemOptions(config, issues); // never deferred: cssh opens the Docker connection of the file itself at start-up
  if (config.configserver.url !== '') checkWebhook(config.configserver, 'configserver', issues);
  const deferred: ConfigIssue[] = [];
  checkBackend(config.backend, deferred);
  checkDocker(config.docker, deferred);
  checkSecurity(config.security, deferred);
  if (dynamic || config.configserver.url === '') return [...issues, ...deferred];
  return [...issues, ...deferred.map((issue) => issue.severity === 'warning' ? issue : {
    ...issue,
    severity: 'warning' as const,
    message: `${issue.message} (checked again per connection after the config-server merge)`,
  })];
}

function checkBackend(backend: string, issues: ConfigIssue[]): void {
  if (backend === 'docker') return;
  if (backend === 'kubernetes' || backend === 'sshproxy') {
    issues.push(configWarning('BACKEND_NOT_IMPLEMENTED', 'backend', `cssh does not implement the ${backend} backend; cssh serve will refuse this config`, {
      hint: 'use backend: docker',
    }));
    return;
  }
  const hint = didYouMean(backend, ['docker', 'kubernetes', 'sshproxy']);
  issues.push(configError('CONFIG_INVALID_VALUE', 'backend', `invalid backend: ${backend}`, {
    expected: 'docker|kubernetes|sshproxy',
    found: describeValue(backend),
    ...(hint === undefined ? {} : { hint }),
  }));
}

function atLeast(value: number, min: number, path: string, issues: ConfigIssue[]): void {
  if (value >= min) return;
  issues.push(configError('CONFIG_OUT_OF_RANGE', path, `must be at least ${min}${min === -1 ? ' (-1 = unlimited)' : ''}`, {
    expected: `>= ${min}`,
    found: String(value),
  }));
}

/** instance.workers: 1 (default) to 1024 processes, or 0 for one per core (connection caps hold server-wide either way). */
function checkWorkers(config: AppConfig, issues: ConfigIssue[]): void {
  const { workers } = config.instance;
  if (workers < 0 || workers > 1024) {
    issues.push(configError('CONFIG_OUT_OF_RANGE', 'instance.workers', 'must be 1 to 1024 worker processes, or 0 for one per CPU core', {
      expected: '0..1024',
      found: String(workers),
    }));
  }
}

function checkSecurity(security: SecurityConfig, issues: ConfigIssue[]): void {
  atLeast(security.maxSessions, -1, 'security.maxSessions', issues);
  atLeast(security.maxEnvRequests, -1, 'security.maxEnvRequests', issues);
  atLeast(security.maxEnvBytes, -1, 'security.maxEnvBytes', issues);
  atLeast(security.maxPendingSignals, -1, 'security.maxPendingSignals', issues);
  atLeast(security.maxConnections, -1, 'security.maxConnections', issues);
  atLeast(security.maxConnectionsPerUser, -1, 'security.maxConnectionsPerUser', issues);
  checkForwarding(security.forwarding, issues);
  if (security.maxSessions === 0) {
    issues.push(configWarning('SECURITY_NO_SESSIONS', 'security.maxSessions', '0 rejects every session', { hint: 'use -1 for unlimited' }));
  }
  const lead = security.timeoutWarning.leadTime;
  for (const name of ['idleTimeout', 'maxSessionDuration'] as const) {
    const timeout = security[name];
    if (timeout > 0 && lead >= timeout) {
      issues.push(configWarning('SECURITY_WARNING_LEAD_TOO_LONG', 'security.timeoutWarning.leadTime', `the warning lead time is not shorter than ${name}, so the warning comes at the start`, {
        expected: `< ${timeout}ms`,
        found: `${lead}ms`,
      }));
    }
  }
}

function checkObservability(config: AppConfig, issues: ConfigIssue[]): void {
  if (config.log.destination === 'syslog') {
    issues.push(configWarning('LOG_SYSLOG_UNSUPPORTED', 'log.destination', 'the syslog destination is not supported by cssh; cssh serve would refuse to start', {
      expected: 'stdout|file',
      found: '"syslog"',
      hint: 'use destination: stdout and let the service manager (journald, the container runtime) forward lines to syslog, or destination: file',
    }));
  }
  if (config.log.destination === 'file' && config.log.file === '') {
    issues.push(configError('CONFIG_INVALID_VALUE', 'log.file', 'log destination "file" needs a file path', { hint: 'for example /var/log/cssh.log' }));
  } else if (config.log.destination === 'file') {
    const problem = logFileProblem(config.log.file);
    if (problem !== undefined) {
      issues.push(configWarning('CONFIG_LOG_FILE_UNWRITABLE', 'log.file', `cssh serve cannot open "${config.log.file}" for writing here: ${problem}`, {
        hint: 'choose a path in a directory cssh can create or write (it creates missing directories)',
      }));
    }
  }
  if (config.metrics.enable) {
    checkHttpServer(config.metrics, 'metrics', issues);
    if (!config.metrics.path.startsWith('/')) {
      issues.push(configError('CONFIG_INVALID_VALUE', 'metrics.path', 'the metrics path must start with /', { found: describeValue(config.metrics.path), hint: 'for example /metrics' }));
    }
  }
  if (config.health.enable) {
    checkHttpServer(config.health, 'health', issues);
    // The health client is what `cssh healthcheck` uses; its url may stay empty (derived from health.listen).
    const client = config.health.client;
    checkWebhook(client.url === '' ? { ...client, url: 'http://127.0.0.1/' } : client, 'health.client', issues);
  }
  checkListenConflicts(config, issues);
}
