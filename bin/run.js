#!/usr/bin/env node
// Entry point of the cssh command-line tool: a fast path for `config validate` (CI lint runs stay quick), oclif for the rest.
const argv = process.argv.slice(2);

async function runFastPath() {
  if (argv[0] !== 'config' || argv[1] !== 'validate') return false;
  const { runValidateFast } = await import('../dist/cli/config-validate-fast.js');
  const code = await runValidateFast(argv.slice(2));
  if (code === undefined) return false;
  process.exitCode = code;
  return true;
}

if (!(await runFastPath())) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}
