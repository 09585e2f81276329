// `cssh exec-test` end to end: smoke test, the program's exit code, --json, bad config, and Ctrl-C leaving nothing.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';

const root = new URL('../..', import.meta.url).pathname;
const runner = `import C from ${JSON.stringify(join(root, 'src/commands/exec-test.ts'))}; await C.run(process.argv.slice(1), ${JSON.stringify(root)});`;

function cssh(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', runner, '--', ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
}

async function finish(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stdout, stderr };
}

function writeConfig(label: string, mode = 'connection'): string {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-exec-test-'));
  const file = join(dir, 'cssh.yaml');
  writeFileSync(file, [
    'docker:', '  execution:', `    mode: ${mode}`, '    imagePullPolicy: Never', '    container:', `      image: ${TEST_IMAGES.busybox}`,
    '      labels:', `        cssh-test-run: ${label}`, '    host:', '      networkmode: none', '',
  ].join('\n'));
  return file;
}

function containersLabelled(label: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=cssh-test-run=${label}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

dockerTest('exec-test: smoke test passes and prints a timing breakdown; nothing left behind', async () => {
  const label = randomBytes(6).toString('hex');
  const r = await finish(cssh(['--config', writeConfig(label)]));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /stdin round trip/);
  assert.match(r.stderr, /create\s+\d+ ms/);
  assert.deepEqual(containersLabelled(label), []);
});

dockerTest('exec-test: exits with the program status; --json carries output and phases', async () => {
  const label = randomBytes(6).toString('hex');
  const r = await finish(cssh(['--config', writeConfig(label, 'session'), '--json', '--env', 'A=b c', '--', 'echo "$A"; exit 7']));
  assert.equal(r.code, 7, r.stderr);
  const json = JSON.parse(r.stdout) as { programExitCode: number; stdout: string; phases: { phase: string }[] };
  assert.equal(json.programExitCode, 7);
  assert.equal(json.stdout, 'b c\n');
  assert.ok(json.phases.some((p) => p.phase === 'create'));
  assert.deepEqual(containersLabelled(label), []);
});

dockerTest('exec-test: a missing image with Never fails fast with its code and exit 125 (cssh failed, as docker run)', async () => {
  const label = randomBytes(6).toString('hex');
  const r = await finish(cssh(['--config', writeConfig(label), '--image', 'cssh-test/absent:nope', '--', 'true']));
  assert.equal(r.code, 125);
  assert.match(r.stderr, /DOCKER_IMAGE_NOT_FOUND/);
  assert.deepEqual(containersLabelled(label), []);
});

dockerTest('exec-test: Ctrl-C during the program removes the container', async () => {
  const label = randomBytes(6).toString('hex');
  const child = cssh(['--config', writeConfig(label), '--', 'echo running; sleep 60']);
  const done = finish(child);
  let seen = '';
  child.stdout?.on('data', (d: Buffer) => { seen += d.toString(); });
  for (let i = 0; i < 300 && !seen.includes('running'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(seen.includes('running'), 'the program started');
  assert.equal(containersLabelled(label).length, 1);
  child.kill('SIGINT');
  const r = await done;
  assert.equal(r.code, 130, r.stderr);
  assert.deepEqual(containersLabelled(label), []);
});

dockerTest('exec-test: SIGTERM during a session-mode program removes the container', async () => {
  const label = randomBytes(6).toString('hex');
  const child = cssh(['--config', writeConfig(label, 'session'), '--', 'echo running; sleep 60']);
  const done = finish(child);
  let seen = '';
  child.stdout?.on('data', (d: Buffer) => { seen += d.toString(); });
  for (let i = 0; i < 300 && !seen.includes('running'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(seen.includes('running'), 'the program started');
  child.kill('SIGTERM');
  const r = await done;
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /interrupted/);
  assert.deepEqual(containersLabelled(label), []);
});

dockerTest('exec-test: an unreadable config gives exit 125 and names the problem', async () => {
  const r = await finish(cssh(['--config', '/nonexistent/cssh.yaml']));
  assert.equal(r.code, 125);
  assert.match(r.stderr, /CONFIG_UNREADABLE/);
});

dockerTest('exec-test: 127 when the program is not found, 126 when it cannot be run, any other status passed through', async () => {
  const label = randomBytes(6).toString('hex');
  for (const mode of ['connection', 'session']) {
    const config = writeConfig(label, mode);
    const missing = await finish(cssh(['--config', config, '--', '/no/such/program']));
    assert.equal(missing.code, 127, `${mode}: ${missing.stderr}`);
    const notExecutable = await finish(cssh(['--config', config, '--', '/etc/passwd']));
    assert.equal(notExecutable.code, 126, `${mode}: ${notExecutable.stderr}`);
    // The codes cssh keeps for itself elsewhere (1, 2, 64) are the program's own here.
    const own = await finish(cssh(['--config', config, '--json', '--', 'exit 64']));
    assert.equal(own.code, 64, own.stderr);
    const json = JSON.parse(own.stdout) as { ok: boolean; command: string; exitCode: number; program: string; programExitCode: number };
    assert.deepEqual([json.command, json.exitCode, json.program, json.programExitCode], ['exec-test', 64, 'exit 64', 64]);
  }
  assert.deepEqual(containersLabelled(label), []);
});

dockerTest('exec-test: its own usage errors are 125, never a status a program could mean', async () => {
  const badEnv = await finish(cssh(['--env', 'NOEQUALS', '--', 'true']));
  assert.equal(badEnv.code, 125);
  assert.match(badEnv.stderr, /--env expects NAME=VALUE, got "NOEQUALS"/);
  const badFlag = await finish(cssh(['--no-such-flag', '--json', '--', 'true']));
  assert.equal(badFlag.code, 125);
  assert.deepEqual((JSON.parse(badFlag.stdout) as { error: { code: string } }).error.code, 'USAGE');
  const badMode = await finish(cssh(['--mode', 'pod', '--', 'true']));
  assert.equal(badMode.code, 125);
});
