// "Did you mean" suggestions for misspelt option names and values.
import { closest, distance } from 'fastest-levenshtein';

/** The candidate closest to `word` (case-insensitive), or undefined when none is plausibly meant. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const usable = candidates.filter((candidate) => candidate !== '');
  if (usable.length === 0 || word === '') return undefined;
  const lower = word.toLowerCase();
  const exact = usable.find((candidate) => candidate.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  const best = closest(lower, usable.map((candidate) => candidate.toLowerCase()));
  if (distance(lower, best) > Math.max(2, Math.floor(word.length / 3))) return undefined;
  return usable.find((candidate) => candidate.toLowerCase() === best);
}

/** `did you mean X?` or undefined, ready for ConfigIssue.hint. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const match = suggest(word, candidates);
  return match === undefined ? undefined : `did you mean ${match}?`;
}
