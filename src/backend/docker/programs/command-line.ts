// Turns an SSH exec string into an argv (as ContainerSSH does, without its truncation quirk): simple path commands run
// directly, anything with shell syntax or a bare command name runs under /bin/sh -c.

/** Characters that make a command line need a shell (operators, expansions, globs, escapes, newlines). */
const SHELL_SYNTAX = /[;&|<>$`*?[\]{}()~#\\\n\r!=]/;

/** Splits on whitespace honouring single and double quotes; undefined when quotes are unbalanced. */
export function splitWords(line: string): string[] | undefined {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (const ch of line) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) words.push(current);
  return words;
}

/** The argv for an exec request. Never truncates: whatever cannot be split safely goes whole to `sh -c`. */
export function execArgv(command: string): string[] {
  const shell = ['/bin/sh', '-c', command];
  if (SHELL_SYNTAX.test(command)) return shell;
  const words = splitWords(command);
  const first = words?.[0];
  if (words === undefined || first === undefined) return shell;
  if (first.startsWith('/') || first.startsWith('./') || first.startsWith('../')) return words;
  return shell;
}
