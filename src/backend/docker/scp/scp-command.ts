// Recognises the remote side of legacy scp (`scp -t` to receive, `scp -f` to send) in an exec command line.
import { splitWords } from '../programs/command-line.js';

/** A legacy scp server invocation, as OpenSSH's scp client sends it (`scp [-r] [-p] [-d] [-v] -t|-f [--] PATH...`). */
export interface ScpCommand {
  /** `sink` receives files from the client (-t); `source` sends them (-f). */
  direction: 'sink' | 'source';
  recursive: boolean;
  preserveTimes: boolean;
  /** -d: the sink's target must be a directory. */
  targetIsDirectory: boolean;
  /** The sink's target (exactly one is valid; scp itself answers "ambiguous target" otherwise), or the sources. */
  paths: string[];
}

const FLAGS = new Set(['r', 'p', 'd', 'v', 'q', 't', 'f']);

/** Parses `command`; undefined when it is not a plain legacy scp server invocation (anything else runs as usual). */
export function parseScpCommand(command: string): ScpCommand | undefined {
  const words = splitWords(command.trim());
  if (words === undefined || words.length < 2) return undefined;
  const [program, ...rest] = words;
  if (program !== 'scp' && !/^\/(usr\/)?(local\/)?bin\/scp$/.test(program ?? '')) return undefined;
  const flags = new Set<string>();
  let i = 0;
  for (; i < rest.length; i++) {
    const word = rest[i] ?? '';
    if (word === '--') { i++; break; }
    if (!word.startsWith('-') || word === '-') break;
    for (const letter of word.slice(1)) {
      if (!FLAGS.has(letter)) return undefined;
      flags.add(letter);
    }
  }
  const paths = rest.slice(i);
  if (flags.has('t') === flags.has('f') || paths.length === 0) return undefined;
  return {
    direction: flags.has('t') ? 'sink' : 'source',
    recursive: flags.has('r'),
    preserveTimes: flags.has('p'),
    targetIsDirectory: flags.has('d'),
    paths,
  };
}
