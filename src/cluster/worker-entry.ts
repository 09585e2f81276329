// Which file a worker of serve --workers runs, and with which node options (so it runs from src/ under tsx as from dist/).
import { fileURLToPath } from 'node:url';

/** Node options of this process that take the next argument as their value. */
const WITH_VALUE = new Set(['-e', '--eval', '-p', '--print', '--input-type', '-r', '--require', '--import', '--loader', '--experimental-loader']);
/** Options about this process's own script, not wanted in a worker. */
const DROPPED = new Set(['-e', '--eval', '-p', '--print', '--input-type', '-i', '--interactive', '-c', '--check']);

/**
 * worker-main next to this file (.ts under tsx, .js once built), and this process's node options minus the ones
 * that name its own script (-e CODE, --input-type): loaders such as `--import tsx`, heap and profiling flags stay.
 */
export function workerEntry(execArgv: string[] = process.execArgv, here: string = import.meta.url): { file: string; execArgv: string[] } {
  const ext = here.endsWith('.ts') ? '.ts' : '.js';
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] ?? '';
    const name = arg.split('=')[0] ?? arg;
    const takesNext = WITH_VALUE.has(arg);
    if (DROPPED.has(name)) {
      if (takesNext) i++;
      continue;
    }
    kept.push(arg);
    if (takesNext && i + 1 < execArgv.length) kept.push(execArgv[++i] ?? '');
  }
  return { file: fileURLToPath(new URL(`./worker-main${ext}`, here)), execArgv: kept };
}
