// `cssh serve --check`: everything serve loads and checks before it binds (config, log destination, host keys,
// metrics/health TLS, login methods and webhook TLS, SSH algorithms), run without binding or starting anything.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import ssh2 from 'ssh2';
import { createAuthenticator } from './auth/index.js';
import { analyzeSource } from './config/analyze.js';
import { defaultConfig } from './config/index.js';
import { configError, type ConfigIssue } from './config/issues.js';
import { promoteServeOnly } from './config/serve-only.js';
import { displayName, parseSource, readSource } from './config/source.js';
import type { AppConfig } from './config/types.js';
import type { FileReport, ValidateReport } from './config/validate-files.js';
import { createNullLogger } from './core/logger.js';
import { serverTlsOptions } from './observability/http-tls.js';
import { toSsh2Algorithms, toSsh2Ident } from './ssh/algorithms.js';
import { GENERATED_KEY_NAME, loadHostKeys, type HostKey } from './ssh/host-keys.js';

export interface ServeCheckOptions {
  /** The --config file; undefined checks the zero-config defaults. */
  file: string | undefined;
  /** Where serve keeps (or would generate) its host key when ssh.hostkeys is empty. */
  stateDir: string;
  /** What serve does to the loaded config before starting (zero-config defaults, --image/--mode/--listen). */
  adjust?: (config: AppConfig) => AppConfig;
}

/**
 * Checks what `cssh serve` would check at start-up, in its order, and stops where serve would stop. The report has
 * `config validate`'s shape (one file), so the two print and exit alike: 0 serve would start (up to the Docker engine
 * and the network), 1 it would refuse the configuration, 2 the file cannot be read or parsed.
 */
export async function checkServe(options: ServeCheckOptions): Promise<ValidateReport> {
  const name = options.file === undefined ? '<defaults>' : displayName(options.file);
  if (options.file === undefined) return finish(name, true, await runtimeIssues((options.adjust ?? same)(defaultConfig()), options.stateDir));
  const read = await readSource(options.file);
  if ('issue' in read) return finish(name, false, [read.issue]);
  const parsed = parseSource(read.text, options.file);
  if (!parsed.ok) return finish(name, false, parsed.issues);
  const analysis = analyzeSource(parsed.source, 'load');
  // Serve loads with the serve-only rules as errors (loadConfig's `serve` option): the same list here.
  const issues = promoteServeOnly([...parsed.issues, ...analysis.issues]);
  if (issues.some((issue) => issue.severity === 'error')) return finish(name, true, issues);
  const config = (options.adjust ?? same)(analysis.config);
  return finish(name, true, [...issues, ...(await runtimeIssues(config, options.stateDir))]);
}

const same = (config: AppConfig): AppConfig => config;

function finish(file: string, readable: boolean, issues: ConfigIssue[]): ValidateReport {
  const errors = issues.filter((issue) => issue.severity === 'error').length;
  const report: FileReport = { file, readable, valid: readable && errors === 0, legacy: false, errors, warnings: issues.length - errors, issues };
  const exitCode = !readable ? 2 : errors > 0 ? 1 : 0;
  return { valid: exitCode === 0, exitCode, strict: false, errors, warnings: report.warnings, files: [report] };
}

/** A failure of one start-up step, as an issue carrying the code serve would exit with. */
function failure(error: unknown, path: string): ConfigIssue {
  const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'SERVE_START_FAILED';
  return configError(code, path, error instanceof Error ? error.message : String(error));
}

/**
 * The start-up steps after loading, each run as serve runs it but without its side effects (no listener, no key
 * written, no log file created). Each failing step gives one issue.
 */
async function runtimeIssues(config: AppConfig, stateDir: string): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  if (config.backend !== 'docker') {
    issues.push(configError('SSH_BACKEND_UNSUPPORTED', 'backend', `backend "${config.backend}" is not supported by cssh; set backend: docker`));
  }
  const logIssue = await logDestinationIssue(config.log);
  if (logIssue !== undefined) issues.push(logIssue);
  for (const section of ['metrics', 'health'] as const) {
    if (!config[section].enable) continue;
    try {
      serverTlsOptions(config[section], section);
    } catch (error) {
      issues.push(failure(error, section));
    }
  }
  const keys = await hostKeys(config.ssh.hostkeys, stateDir, issues);
  try {
    createAuthenticator(config.auth, { logger: createNullLogger() });
  } catch (error) {
    issues.push(failure(error, 'auth'));
  }
  if (keys !== undefined) {
    try {
      // Building (not listening) makes ssh2 parse the host keys and check the algorithm lists, as serve does.
      new ssh2.Server({ hostKeys: keys.map((key) => key.pem), ident: toSsh2Ident(config.ssh.serverVersion), algorithms: toSsh2Algorithms(config.ssh) });
    } catch (error) {
      issues.push(failure(error, 'ssh'));
    }
  }
  return issues;
}

/** The host keys serve would use; with none configured, the state directory's key, or whether it could be made. */
async function hostKeys(entries: string[], stateDir: string, issues: ConfigIssue[]): Promise<HostKey[] | undefined> {
  if (entries.length > 0) {
    try {
      return (await loadHostKeys(entries, stateDir)).keys;
    } catch (error) {
      issues.push(failure(error, 'ssh.hostkeys'));
      return undefined;
    }
  }
  const keyFile = join(stateDir, GENERATED_KEY_NAME);
  if (await exists(keyFile)) {
    try {
      return (await loadHostKeys([keyFile], stateDir)).keys;
    } catch (error) {
      issues.push(failure(error, 'ssh.hostkeys'));
      return undefined;
    }
  }
  const writable = await creatable(stateDir);
  if (writable !== undefined) {
    issues.push(configError('SSH_HOSTKEY_INVALID', 'ssh.hostkeys', `no host key is configured and the state directory ${stateDir} cannot be created or written (${writable})`, {
      hint: 'set ssh.hostkeys, or give a writable --state-dir',
    }));
  }
  return undefined;
}

/** The problem with the log destination as serve would open it, or undefined. */
async function logDestinationIssue(log: AppConfig['log']): Promise<ConfigIssue | undefined> {
  if (log.destination === 'syslog') {
    return configError('LOG_CONFIG_ERROR', 'log.destination', 'syslog is not supported by cssh; use "stdout" or "file"');
  }
  if (log.destination !== 'file') return undefined;
  if (log.file === '') return configError('LOG_CONFIG_ERROR', 'log.file', 'required when log.destination is "file"');
  const problem = (await exists(log.file)) ? await writableFile(log.file) : await creatable(dirname(log.file));
  return problem === undefined ? undefined : configError('LOG_CONFIG_ERROR', 'log.file', `cannot open "${log.file}" for writing (${problem})`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function writableFile(path: string): Promise<string | undefined> {
  try {
    if (!(await stat(path)).isFile()) return 'not a regular file';
    await access(path, constants.W_OK);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Whether `dir` exists as a writable directory, or its nearest existing ancestor would let it be made. */
async function creatable(dir: string): Promise<string | undefined> {
  let current = dir;
  for (;;) {
    try {
      const info = await stat(current);
      if (!info.isDirectory()) return `${current} is not a directory`;
      await access(current, constants.W_OK | constants.X_OK);
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return (error as Error).message;
      const parent = dirname(current);
      if (parent === current) return `${dir} has no existing parent`;
      current = parent;
    }
  }
}
