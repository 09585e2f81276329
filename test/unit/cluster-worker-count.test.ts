// How many workers serve runs (--workers, instance.workers, cores) and how a worker process is started (file, node options).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerCount } from '../../src/cluster/worker-count.js';
import { workerEntry } from '../../src/cluster/worker-entry.js';
import { CsshError } from '../../src/core/errors.js';

test('--workers wins over instance.workers; 0 means one per core', () => {
  assert.equal(workerCount(undefined, 0, 8), 8);
  assert.equal(workerCount(undefined, 3, 8), 3);
  assert.equal(workerCount(1, 3, 8), 1);
  assert.equal(workerCount(0, 3, 4), 4);
});

test('a worker count that is not a whole number from 0 to 1024 is a CONFIG_INVALID naming the option', () => {
  assert.throws(() => workerCount(-1, 0, 2), (e: unknown) => e instanceof CsshError && e.code === 'CONFIG_INVALID' && /--workers: "-1"/.test(e.message));
  assert.throws(() => workerCount(undefined, 5000, 2), (e: unknown) => e instanceof CsshError && /instance.workers: "5000"/.test(e.message));
  assert.throws(() => workerCount(1.5, 0, 2), CsshError);
});

test('a worker runs worker-main next to the primary module, keeping loaders and dropping the primary\'s own -e script', () => {
  const fromSource = workerEntry(['--import', 'tsx', '--input-type=module', '-e', 'await run()', '--cpu-prof'], 'file:///app/src/cluster/worker-entry.ts');
  assert.deepEqual(fromSource, { file: '/app/src/cluster/worker-main.ts', execArgv: ['--import', 'tsx', '--cpu-prof'] });
  const built = workerEntry(['--max-old-space-size=512'], 'file:///app/dist/cluster/worker-entry.js');
  assert.deepEqual(built, { file: '/app/dist/cluster/worker-main.js', execArgv: ['--max-old-space-size=512'] });
});
