// Whether serve could open log.file for appending on this machine, checked without creating anything.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Why `file` cannot be opened for appending (its directories are created as needed), or undefined when it can. */
export function logFileProblem(file: string): string | undefined {
  const path = resolve(file);
  try {
    const info = statSync(path);
    if (!info.isFile()) return 'it is not a regular file';
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return (error as Error).message;
  }
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    try {
      if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
      accessSync(dir, constants.W_OK | constants.X_OK);
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') return `${dir} is not a directory`;
      if (code !== 'ENOENT') return (error as Error).message;
      if (dirname(dir) === dir) return 'no existing directory above it';
    }
  }
}
