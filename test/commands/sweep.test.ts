// `cssh sweep`: lists cssh containers by instance, removes only the named dead instance's, refuses the local live one.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireInstanceId, randomInstanceId } from '../../src/backend/docker/lifecycle/instance-id.js';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { containersOf } from '../support/serve-harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const RUNNER = `const { default: C } = await import(${JSON.stringify(join(ROOT, 'src/commands/sweep.ts'))});
await C.run(process.argv.slice(1), ${JSON.stringify(join(ROOT, 'package.json'))});`;

function cssh(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RUNNER, '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A stopped container labelled like one of cssh's. */
function fakeLeftover(instance: string): string {
  return execFileSync('docker', ['create', '--network', 'none', '--label', `cssh.instance=${instance}`, '--label', `cssh.connection=sweep${Date.now()}`,
    '--label', 'cssh.user=sweeper', TEST_IMAGES.busybox, 'true'], { encoding: 'utf8' }).trim();
}

dockerTest('sweep lists by instance, --dry-run removes nothing, --instance removes only that instance', async (t) => {
  const dead = randomInstanceId();
  const other = randomInstanceId();
  const stateDir = join(mkdtempSync(join(tmpdir(), 'cssh-sweep-')), 'state');
  const ids = [fakeLeftover(dead), fakeLeftover(dead), fakeLeftover(other)];
  t.after(() => execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' }));

  const list = await cssh(['--json', '--state-dir', stateDir]);
  assert.equal(list.code, 0, list.stderr);
  const listed = JSON.parse(list.stdout) as { instances: { instance: string; containers: unknown[] }[]; removed: string[] };
  assert.equal(listed.instances.find((i) => i.instance === dead)?.containers.length, 2);
  assert.equal(listed.instances.find((i) => i.instance === other)?.containers.length, 1);
  assert.deepEqual(listed.removed, []);

  const dry = await cssh(['--instance', dead, '--dry-run', '--state-dir', stateDir]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`instance ${dead}: 2 container\\(s\\)`));
  assert.match(dry.stdout, /dry run: nothing removed; without --dry-run 2 container\(s\) would be removed/);
  assert.equal(containersOf(dead).length, 2);

  const swept = await cssh(['--instance', dead, '--state-dir', stateDir]);
  assert.equal(swept.code, 0, swept.stderr);
  assert.match(swept.stdout, /removed 2 container\(s\)/);
  assert.deepEqual(containersOf(dead), []);
  assert.equal(containersOf(other).length, 1, 'another instance is untouched');
});

dockerTest('sweep refuses the instance a live server on this machine holds', async (t) => {
  const stateDir = join(mkdtempSync(join(tmpdir(), 'cssh-sweep-')), 'state');
  const held = await acquireInstanceId({ stateDir });
  t.after(() => held.release());
  const r = await cssh(['--instance', held.id, '--state-dir', stateDir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`instance ${held.id} belongs to the server running here \\(pid ${process.pid}`));
});
