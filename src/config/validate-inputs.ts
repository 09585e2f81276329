// Turns `config validate` arguments into files: plain files and `-` as given, directories and globs expanded.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

/** Extensions `config validate DIR` picks up (YAML, or JSON for .json). */
const CONFIG_PATTERN = '**/*.{yaml,yml,json}';

/**
 * Expands each argument in order: a directory becomes its YAML/JSON files (recursively, sorted, skipping
 * node_modules and dot-folders), a glob (`config/*.yaml`, quoted so the shell left it) its matches, anything else
 * (files, missing paths, `-`) stays as it is so the report can say why it cannot be read. A pattern or directory
 * that matches nothing stays too, so it is reported instead of silently passing.
 */
export async function expandInputs(args: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    if (arg !== '-' && (await isDirectory(arg))) {
      const found = await glob(CONFIG_PATTERN, { cwd: arg, ignore: ['**/node_modules/**', '**/.*/**'], onlyFiles: true });
      out.push(...(found.length === 0 ? [arg] : found.sort().map((file) => join(arg, file))));
    } else if (arg !== '-' && isDynamicPattern(arg)) {
      const found = await glob(arg, { onlyFiles: true, expandDirectories: false });
      out.push(...(found.length === 0 ? [arg] : found.sort()));
    } else {
      out.push(arg);
    }
  }
  return [...new Set(out)];
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
