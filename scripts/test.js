#!/usr/bin/env node
// `npm test`: lint, type-check, build, then every test tier (unit, commands, security, Docker, end-to-end) in one
// node:test run, and a leak check that fails the run if any container the tests created is still there. A failing
// test fails the run even when it passes on a re-run, unless its file is listed in test/quarantine.txt.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ci = process.env.CI === 'true';
const root = new URL('..', import.meta.url).pathname;

function step(name, cmd, args) {
  console.log(`\n== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\n${name} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

function dockerReachable() {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20000 }).status === 0;
}

function testFiles(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(join(root, dir));
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out.push(...testFiles(rel));
    else if (name.endsWith('.test.ts')) out.push(rel);
  }
  return out;
}

/** Test files with a failing top-level test, from the TAP report (its YAML block names the location). */
function failedFiles(tap) {
  const files = new Set();
  const lines = tap.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('not ok ')) continue;
    // The location can name a helper that declares tests (test/support/docker.ts), so take the first *.test.ts
    // path in the failure's YAML block: its location or a stack line.
    let found = false;
    for (let j = i + 1; j < lines.length && lines[j].startsWith('  '); j++) {
      const m = /(\/[^\s'"()]+\.test\.ts)/.exec(lines[j]);
      if (m) {
        files.add(m[1].startsWith(root) ? m[1].slice(root.length) : m[1]);
        found = true;
        break;
      }
    }
    if (!found) return []; // a failure we cannot place in a test file: never retried
  }
  return [...files];
}

/** Test files whose intermittent failures do not fail the run: `path reason...` per line, `#` starts a comment. */
function quarantined() {
  let text = '';
  try {
    text = readFileSync(join(root, 'test', 'quarantine.txt'), 'utf8');
  } catch {
    return new Set();
  }
  const files = new Set();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [file, ...reason] = line.split(/\s+/);
    if (reason.length === 0) {
      console.error(`test/quarantine.txt: "${file}" has no reason; give one after the path. Not quarantined.`);
      continue;
    }
    files.add(file);
  }
  return files;
}

function leftContainers() {
  try {
    return execFileSync('docker', ['ps', '-aq', '--filter', 'label=cssh.connection'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

const only = process.argv.slice(2);
if (only.length === 0) {
  step('lint', 'npx', ['eslint', '.']);
  step('type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  step('build', 'npm', ['run', '--silent', 'build']);
}

const docker = dockerReachable();
if (!docker && ci) {
  console.error('CI=true but no Docker engine answers `docker info`: the Docker and end-to-end tiers must run in CI.');
  process.exit(1);
}
if (docker) step('test images', 'bash', ['scripts/build-test-images.sh']);
else console.log('\nNo Docker engine: the Docker and end-to-end tiers will be skipped (they never skip under CI=true).');

const before = docker ? new Set(leftContainers()) : new Set();
const TIERS = ['test/unit', 'test/commands', 'test/security', 'test/docker', 'test/e2e'];
const files = only.length > 0 ? only : TIERS.flatMap(testFiles);
console.log(`\n== tests: ${files.length} files`);
const tapFile = join(root, '.tmp', 'tests.tap');
mkdirSync(join(root, '.tmp'), { recursive: true });
const runTests = (list) =>
  spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec',
      '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...list],
    { cwd: root, stdio: 'inherit', env: { ...process.env, CSSH_TEST_DOCKER: docker ? '1' : '0' } },
  ).status === 0;

let failed = !runTests(files);
// A failure is a failure: a file that fails and then passes when re-run alone is reported as FLAKY and still fails
// the run, unless every failing file is quarantined (test/quarantine.txt: one path and the reason per line). The
// re-run only tells flaky from broken. More than three failing files, or a failure without a location, is not re-run.
if (failed) {
  const failing = failedFiles(readFileSync(tapFile, 'utf8'));
  if (failing.length > 0 && failing.length <= 3) {
    console.log(`\n== re-running the failed file(s) once, alone, to tell flaky from broken: ${failing.join(' ')}`);
    const passedAlone = runTests(failing);
    const quarantine = quarantined();
    const unquarantined = failing.filter((file) => !quarantine.has(file));
    if (passedAlone) {
      console.log(`\nFLAKY: ${failing.join(' ')} failed in the full run and passed when re-run alone.`);
      if (unquarantined.length === 0) {
        console.log('All of them are quarantined (test/quarantine.txt): the run passes. Fix them and empty the quarantine.');
        failed = false;
      } else {
        console.error(`Not quarantined: ${unquarantined.join(' ')}. A test that fails intermittently fails the run; fix it (or, ` +
          'as a last resort, list it in test/quarantine.txt with the reason).');
      }
    }
  }
}
if (docker) {
  const leaked = leftContainers().filter((id) => !before.has(id));
  if (leaked.length > 0) {
    console.error(`\nLEAK: ${leaked.length} container(s) labelled cssh.connection survived the tests: ${leaked.join(' ')}`);
    // Name what created each one (user, instance, image, command, state), so the leaking test can be found.
    spawnSync('docker', ['inspect', '--format', '{{.Id}} created={{.Created}} state={{.State.Status}} exit={{.State.ExitCode}} labels={{json .Config.Labels}} image={{.Config.Image}} cmd={{json .Config.Cmd}}', ...leaked], { stdio: 'inherit' });
    // Only an exclusive run (CI) removes them: on a shared engine they may belong to another run still going.
    if (ci) spawnSync('docker', ['rm', '-f', ...leaked], { stdio: 'ignore' });
    else console.error('(not removed: another test run on this engine may own them; `docker rm -f` them if not)');
    failed = true;
  } else {
    console.log('\nleak check: no container labelled cssh.connection left behind');
  }
}
process.exit(failed ? 1 : 0);
