// What `cssh serve` writes on stdout is log lines only, in ContainerSSH's formats: with log.format ljson every line is
// one JSON object {timestamp, level, code, message, details}; with text every line is TIMESTAMP<TAB>LEVEL<TAB>MESSAGE.
// The start-up summary, warnings and oclif's output go to stderr.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { makeClientKey, run, spawnServeProcess } from '../support/serve-harness.js';

async function serveAndCollect(format: 'ljson' | 'text'): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-stdout-'));
  const { keyPath, publicKey } = makeClientKey(dir);
  writeFileSync(join(dir, 'authorized_keys'), `${publicKey}\n`);
  // A config that makes serve warn at load (an unknown Docker field) and log at every level it uses.
  writeFileSync(join(dir, 'cssh.yaml'), [
    'ssh:', '  listen: 127.0.0.1:0', '  shutdownTimeout: 10s',
    'auth:', '  publicKey:', '    method: authorizedkeys', '    authorizedKeys:', `      path: ${join(dir, 'authorized_keys')}`,
    'docker:', '  execution:', '    imagePullPolicy: Never', '    container:', `      image: ${TEST_IMAGES.sftp}`, '      notadockerfield: 1',
    '    host:', '      networkmode: none',
    'log:', '  level: debug', `  format: ${format}`, '',
  ].join('\n'));
  const child = spawnServeProcess(['--config', join(dir, 'cssh.yaml'), '--state-dir', join(dir, 'state')]);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    void exited.then((code) => reject(new Error(`serve exited ${code} before listening:\n${stderr}\n${stdout}`)));
  });
  const ssh = ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR', '-i', keyPath, '-p', String(port), 'tester@127.0.0.1'];
  const hello = await run('ssh', [...ssh, 'echo hello; echo oops >&2']);
  assert.equal(hello.stdout.toString(), 'hello\n', hello.stderr);
  assert.equal((await run('ssh', [...ssh, '-s', '--', 'nosuch'])).code, 255);
  child.kill('SIGTERM');
  const code = await exited;
  return { stdout, stderr, code };
}

dockerTest('log.format ljson: stdout is JSON lines only, each with timestamp, level, code, message and details', async () => {
  const { stdout, stderr, code } = await serveAndCollect('ljson');
  assert.equal(code, 0, stderr);
  const lines = stdout.split('\n').filter((line) => line !== '');
  assert.ok(lines.length >= 5, stdout);
  for (const line of lines) {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      assert.fail(`not a JSON line on stdout: ${line}`);
    }
    assert.deepEqual(Object.keys(entry).sort(), ['code', 'details', 'level', 'message', 'timestamp'], line);
    assert.equal(typeof entry.details, 'object', line);
  }
  assert.ok(lines.some((line) => line.includes('"SSH_REQUEST_FAILED"')), 'the refused subsystem is logged');
  assert.match(stderr, /cssh serve listening on/, 'the summary is on stderr');
  assert.match(stderr, /warning: .*notadockerfield/, 'load warnings are on stderr');
}, { timeout: 120_000 });

dockerTest('log.format text: stdout lines are ContainerSSH\'s TIMESTAMP<TAB>LEVEL<TAB>MESSAGE (labels)', async () => {
  const { stdout, stderr, code } = await serveAndCollect('text');
  assert.equal(code, 0, stderr);
  const lines = stdout.split('\n').filter((line) => line !== '');
  assert.ok(lines.length >= 5, stdout);
  for (const line of lines) {
    assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\t(debug|info|notice|warning|error|crit|alert|emerg)\t[^\t]+$/, line);
  }
  assert.ok(lines.some((line) => /\(.*connectionId=[0-9a-f]{32}/.test(line)), 'labels in parentheses');
}, { timeout: 120_000 });
