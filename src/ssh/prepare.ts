// After authentication: ask the config server (if any), merge and validate its answer, then Backend.connect.
import { fetchConnectionConfig } from '../auth/index.js';
import { mergeConfig, type AppConfig } from '../config/index.js';
import type { Backend, ConnectionHandler, ConnectionInfo } from '../core/contracts.js';
import { CsshError } from '../core/errors.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { mergeOutcome } from './auth-flow.js';
import type { PrepareConnection } from './connection.js';

export interface PrepareDeps {
  config: AppConfig;
  /** The backend with its decorators (security, ...) already applied. */
  backend: Backend;
  onEvent?: EventSink;
}

/** The effective config for one connection, and its connection info with the config server's metadata merged in. */
export async function connectionConfig(
  deps: PrepareDeps,
  info: ConnectionInfo,
  logger: Logger,
  signal: AbortSignal,
): Promise<{ config: AppConfig; info: ConnectionInfo }> {
  const answer = await fetchConnectionConfig(deps.config.configserver, info, { logger, onEvent: deps.onEvent, signal });
  if (!answer) return { config: deps.config, info };
  const { config, issues } = mergeConfig(deps.config, answer.config);
  const errors = issues.filter((issue) => issue.severity === 'error');
  if (errors.length > 0) {
    const detail = errors.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    throw new CsshError('BACKEND_CONFIG_ERROR', `configuration server returned invalid configuration (${detail})`, {
      userMessage: 'Cannot authenticate at this time.',
      permanent: true,
    });
  }
  return { config, info: mergeOutcome(info, { success: true, ...answer }) };
}

/** The server's PrepareConnection: config server, then the (decorated) backend, under the connection's signal. */
export function createPrepare(deps: PrepareDeps): PrepareConnection {
  return async (info, logger, signal, onConfig): Promise<ConnectionHandler> => {
    const effective = await connectionConfig(deps, info, logger, signal);
    onConfig?.(effective.config);
    return deps.backend.connect({ info: effective.info, config: effective.config, logger, onEvent: deps.onEvent }, signal);
  };
}
