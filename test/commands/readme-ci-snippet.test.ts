// The README's CI snippets (GitHub Actions, GitLab CI) run verbatim from a fresh clone: they pass on the example configs and fail, with annotations, on a broken one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';

const root = new URL('../..', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');

interface Step {
  run: string;
  /** GitHub's `if: always()`: the step runs even after an earlier step failed. */
  always: boolean;
}

interface StepResult {
  run: string;
  status: number | null;
  output: string;
}

/** The YAML of the fenced block between `<!-- ci-snippet: NAME -->` and `<!-- /ci-snippet: NAME -->` in the README. */
function snippet(name: string): string {
  const start = readme.indexOf(`<!-- ci-snippet: ${name} -->`);
  const end = readme.indexOf(`<!-- /ci-snippet: ${name} -->`);
  assert.ok(start >= 0 && end > start, `README.md has no <!-- ci-snippet: ${name} --> ... <!-- /ci-snippet: ${name} --> block`);
  const match = /```yaml\n([\s\S]*?)```/.exec(readme.slice(start, end));
  assert.ok(match?.[1] !== undefined, `the ${name} CI snippet in README.md has no \`\`\`yaml block`);
  return match[1];
}

/** The shell lines of the GitHub Actions workflow's one job, with their `if: always()`. */
function githubSteps(): Step[] {
  const workflow = parse(snippet('github')) as { jobs: Record<string, { steps: { run?: string; if?: string }[] }> };
  const jobs = Object.values(workflow.jobs);
  assert.equal(jobs.length, 1, 'the GitHub snippet has one job');
  return jobs[0]!.steps.filter((step) => step.run !== undefined).map((step) => ({ run: step.run!, always: step.if === 'always()' }));
}

/** The `script` lines of the GitLab CI job. */
function gitlabSteps(): Step[] {
  const pipeline = parse(snippet('gitlab')) as Record<string, { script?: string[] }>;
  const jobs = Object.values(pipeline).filter((job) => Array.isArray(job.script));
  assert.equal(jobs.length, 1, 'the GitLab snippet has one job');
  return jobs[0]!.script!.map((run) => ({ run, always: false }));
}

const work = mkdtempSync(join(tmpdir(), 'cssh-readme-ci-'));
const csshHome = join(work, 'cssh');

/** The environment a CI runner gives the job: the snippet's variables, pointing at this checkout and its HEAD. */
function jobEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // npm's and node:test's own variables of this test run must not leak into the job's npm and node.
    if (!/^npm_/i.test(key) && key !== 'NODE_TEST_CONTEXT' && key !== 'NODE_OPTIONS' && key !== 'INIT_CWD') env[key] = value;
  }
  const head = spawnSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
  assert.equal(head.status, 0, `this test clones the repository it runs in, and ${root} is not a git checkout: ${head.stderr}`);
  return { ...env, CSSH_REPO: root, CSSH_REF: head.stdout.trim(), CSSH_HOME: csshHome, NO_COLOR: '1' };
}

/** Runs the lines as a CI runner does: each in `bash -eo pipefail`, stopping after a failure except for `always` steps. */
function runSteps(steps: Step[], cwd: string, env: NodeJS.ProcessEnv): StepResult[] {
  const results: StepResult[] = [];
  for (const step of steps) {
    if (results.some((r) => r.status !== 0) && !step.always) continue;
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], { cwd, env, encoding: 'utf8', timeout: 12 * 60_000 });
    results.push({ run: step.run, status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` });
  }
  return results;
}

function describe(results: StepResult[]): string {
  return results.map((r) => `$ ${r.run}\n(exit ${r.status})\n${r.output}`).join('\n');
}

/** A repository like a user's: the example configs under deploy/. */
function workspace(name: string): string {
  const dir = join(work, name);
  cpSync(join(root, 'examples', 'configs'), join(dir, 'deploy'), { recursive: true });
  return dir;
}

/** A config with an invalid mode at line 3, column 11, and otherwise nothing to complain about. */
const BAD = 'docker:\n  execution:\n    mode: pod\n    container: {image: busybox}\n    host: {resources: {memory: 536870912, pidslimit: 256, nanocpus: 1000000000}}\n'
  + 'auth:\n  publicKey:\n    method: authorizedkeys\n    authorizedKeys: {path: "/etc/cssh/keys/{username}"}\n';

let installed: StepResult | undefined;

before(() => {
  const github = githubSteps();
  const gitlab = gitlabSteps();
  assert.ok(github.length >= 2 && gitlab.length >= 2, 'each snippet installs cssh, then lints');
  // Both snippets install cssh with the same line; it is run once, verbatim, and serves both.
  assert.equal(gitlab[0]!.run, github[0]!.run, 'the GitHub and GitLab snippets install cssh with the same line');
  [installed] = runSteps([github[0]!], work, jobEnv());
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

test('the install line clones the pinned commit and builds cssh', () => {
  assert.ok(installed);
  assert.equal(installed.status, 0, describe([installed]));
  assert.ok(existsSync(join(csshHome, 'dist', 'commands', 'serve.js')), 'npm ci built dist/');
});

test('GitHub Actions: the example configs pass; a broken file fails with annotations and a SARIF log', () => {
  assert.equal(installed?.status, 0, 'install failed');
  const steps = githubSteps().slice(1);
  const env = jobEnv();

  const good = workspace('github-good');
  const passed = runSteps(steps, good, env);
  assert.equal(passed.length, steps.length, describe(passed));
  for (const r of passed) assert.equal(r.status, 0, describe(passed));
  const cleanLog = JSON.parse(readFileSync(join(good, 'cssh.sarif'), 'utf8')) as { runs: { results: unknown[] }[] };
  assert.deepEqual(cleanLog.runs[0]?.results, []);

  const bad = workspace('github-bad');
  writeFileSync(join(bad, 'deploy', 'broken.yaml'), BAD);
  const failed = runSteps(steps, bad, env);
  assert.ok(failed.some((r) => r.status !== 0), `the job must fail on a broken config\n${describe(failed)}`);
  const annotations = failed.map((r) => r.output).join('\n');
  assert.match(annotations, /^::error file=deploy\/broken\.yaml,line=3,col=11,title=CONFIG_INVALID_VALUE::/m, describe(failed));
  // The SARIF step runs after the failure (if: always()) and writes the same problem for code scanning.
  const log = JSON.parse(readFileSync(join(bad, 'cssh.sarif'), 'utf8')) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[] };
  const result = log.runs[0]?.results.find((r) => r.ruleId === 'CONFIG_INVALID_VALUE');
  assert.ok(result, describe(failed));
  assert.equal(result.locations[0]?.physicalLocation.artifactLocation.uri, 'deploy/broken.yaml');
  assert.equal(result.locations[0]?.physicalLocation.region?.startLine, 3);
});

test('GitLab CI: the example configs pass; a broken file fails the job with file:line:column in the log', () => {
  assert.equal(installed?.status, 0, 'install failed');
  const steps = gitlabSteps().slice(1);
  const env = jobEnv();

  const passed = runSteps(steps, workspace('gitlab-good'), env);
  for (const r of passed) assert.equal(r.status, 0, describe(passed));

  const bad = workspace('gitlab-bad');
  writeFileSync(join(bad, 'deploy', 'broken.yaml'), BAD);
  const failed = runSteps(steps, bad, env);
  assert.ok(failed.some((r) => r.status !== 0), `the job must fail on a broken config\n${describe(failed)}`);
  assert.match(failed.map((r) => r.output).join('\n'), /^deploy\/broken\.yaml:3:11: error .*\[CONFIG_INVALID_VALUE\]/m, describe(failed));
});
