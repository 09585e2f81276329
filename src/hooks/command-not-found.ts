// oclif `command_not_found` hook: names the closest command (`cssh confg validate` -> `cssh config validate`).
import type { Hook } from '@oclif/core';
import { distance } from 'fastest-levenshtein';
import { ExitCode } from '../cli/exit-codes.js';

/** The visible command whose id is closest to `typed`, when it is close enough to be a likely typo. */
export function closestCommand(typed: string, commandIds: string[]): string | undefined {
  let best: { id: string; d: number } | undefined;
  for (const id of commandIds) {
    // Compare like with like: "confg:validate" against "config:validate", "confg" against the topic "config".
    const candidate = id.split(':').slice(0, typed.split(':').length).join(':');
    const d = distance(typed, candidate);
    if (best === undefined || d < best.d) best = { id: candidate, d };
  }
  if (best === undefined || best.d > Math.max(2, Math.floor(typed.length / 3))) return undefined;
  return best.id;
}

const hook: Hook<'command_not_found'> = async function (options) {
  const visible = options.config.commands.filter((c) => c.hidden !== true).map((c) => c.id);
  const topics = options.config.topics.map((t) => t.name);
  // "cssh confg validate x.yaml" arrives as the id "confg:validate:x.yaml": try the longest prefix of the typed words
  // first, so "config valdate FILE" suggests "config validate", and "confg" suggests the topic "config".
  const words = options.id.split(':');
  let suggestion: string | undefined;
  for (let n = Math.min(words.length, 3); n > 0 && suggestion === undefined; n--) {
    suggestion = closestCommand(words.slice(0, n).join(':'), [...visible, ...topics]);
  }
  const bin = options.config.bin;
  const shown = options.id.replaceAll(':', ' ');
  const hint = suggestion === undefined ? '' : ` Did you mean "${bin} ${suggestion.replaceAll(':', ' ')}"?`;
  this.error(`"${shown}" is not a ${bin} command.${hint} Run "${bin} help" for the list of commands.`, { exit: ExitCode.USAGE });
};

export default hook;
