// Human-readable report of `cssh image pull-check`: endpoint, image, local state, policy outcome, and what to do.
import chalk from 'chalk';
import type { PullCheckResult } from '../backend/docker/image/image-check.js';
import { formatBytes } from './pull-progress.js';

function policyLine(result: PullCheckResult): string {
  const action =
    result.atConnection === null
      ? 'unknown'
      : result.atConnection === 'none'
        ? 'no pull at connection time'
        : result.atConnection === 'pull'
          ? 'pulls at connection time'
          : 'connections fail (image absent, never pulled)';
  return `${result.policy}: ${action}`;
}

function localLine(result: PullCheckResult): string {
  if (result.present === null) return 'unknown';
  if (result.local === null) return 'absent';
  const id = result.local.id.replace(/^sha256:/, '').slice(0, 12);
  return `present (${id}, ${formatBytes(result.local.size)}, created ${result.local.created})`;
}

/** The report lines (stdout). The final status line is coloured; the error explanation is part of `message`. */
export function renderPullCheck(result: PullCheckResult): string[] {
  const rows: [string, string][] = [
    ['endpoint', result.endpoint === null ? 'unknown' : `${result.endpoint} (Engine API ${result.apiVersion ?? '?'})`],
    ['image', imageText(result)],
    ['local', localLine(result)],
    ['policy', policyLine(result)],
  ];
  if (result.remoteDigest !== null && result.remoteDigest !== '') rows.push(['registry', `has it (${result.remoteDigest})`]);
  const lines = rows.map(([key, value]) => `${key.padEnd(10)}${value}`);
  lines.push(statusLine(result));
  return lines;
}

function imageText(result: PullCheckResult): string {
  if (result.canonical === null) return result.image ?? 'none configured';
  return result.image !== null && result.image !== result.canonical ? `${result.canonical} (configured as ${result.image})` : result.canonical;
}

function statusLine(result: PullCheckResult): string {
  switch (result.status) {
    case 'ready':
      return `${chalk.green('ready')}: ${result.message}`;
    case 'needs-pull':
      return `${chalk.yellow('needs a pull')}: ${result.message}`;
    default:
      return `${chalk.red('unavailable')} [${result.error?.code ?? 'ERROR'}]: ${result.message}`;
  }
}
