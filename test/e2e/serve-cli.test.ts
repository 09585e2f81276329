// `cssh serve` as a command: start-up refusals with their exit codes and no stack trace, and the --json summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest } from '../support/docker.js';
import { run } from '../support/serve-harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const ENTRY = `const { default: Serve } = await import(${JSON.stringify(join(ROOT, 'src/commands/serve.ts'))});
await Serve.run(process.argv.slice(1), ${JSON.stringify(join(ROOT, 'package.json'))});`;

function serveWith(yaml: string, extra: string[] = []): Promise<{ code: number | null; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-cli-'));
  writeFileSync(join(dir, 'cssh.yaml'), yaml);
  const args = ['--import', 'tsx', '--input-type=module', '-e', ENTRY, '--', '--config', join(dir, 'cssh.yaml'), '--state-dir', join(dir, 'state'), ...extra];
  return run(process.execPath, args, { timeoutMs: 60_000 }).then((r) => ({ code: r.code, out: r.stdout.toString() + r.stderr }));
}

test('a backend other than docker is refused with exit 1 and a readable message', async () => {
  const { code, out } = await serveWith('backend: kubernetes\n');
  assert.equal(code, 1, out);
  assert.match(out, /cssh\.yaml:1:10: backend: cssh does not implement the kubernetes backend; .*hint: use backend: docker/);
  assert.doesNotMatch(out, /\n\s+at /);
});

test('a key exchange ssh2 cannot do stops the start with exit 1, naming the option', async () => {
  const { code, out } = await serveWith('ssh:\n  kex: [sntrup761x25519-sha512@openssh.com]\n');
  assert.equal(code, 1, out);
  assert.match(out, /ssh\.kex/);
  assert.doesNotMatch(out, /\n\s+at /);
});

dockerTest('--json prints the start-up summary as one JSON object; SIGTERM then exits 0', async () => {
  const yaml = 'ssh:\n  listen: 127.0.0.1:0\nlog:\n  level: warning\nauth:\n  publicKey:\n    method: authorizedkeys\n    authorizedKeys: { path: "/nonexistent/{username}" }\n';
  const dir = mkdtempSync(join(tmpdir(), 'cssh-cli-'));
  writeFileSync(join(dir, 'cssh.yaml'), yaml);
  const { spawn } = await import('node:child_process');
  const args = ['--import', 'tsx', '--input-type=module', '-e', ENTRY, '--', '--json', '--config', join(dir, 'cssh.yaml'), '--state-dir', join(dir, 'state'), '--image', 'cssh-test/busybox:latest'];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 240 && child.exitCode === null && !out.includes('"listen"'); i++) await new Promise((resolve) => setTimeout(resolve, 250));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, out);
  assert.equal(out.split('\n').filter((l) => l.includes('"listen"')).length, 1, `the summary is printed once:\n${out}`);
  const line = out.split('\n').find((l) => l.includes('"listen"')) ?? '{}';
  const summary = JSON.parse(line) as Record<string, unknown>;
  assert.match(String(summary.listen), /^127\.0\.0\.1:\d+$/);
  assert.match(String((summary.hostKeys as { fingerprint: string }[])[0]?.fingerprint), /^SHA256:/);
  assert.equal(summary.image, 'cssh-test/busybox:latest');
  assert.equal(summary.dockerApiVersion, '1.41');
  assert.deepEqual(summary.authMethods, ['publickey']);
}, { timeout: 120_000 });

dockerTest('without --json, stdout carries only JSON log lines (the human summary goes to stderr)', async () => {
  const yaml = 'ssh:\n  listen: 127.0.0.1:0\nlog:\n  level: info\n  format: ljson\nauth:\n  publicKey:\n    method: authorizedkeys\n    authorizedKeys: { path: "/nonexistent/{username}" }\n';
  const dir = mkdtempSync(join(tmpdir(), 'cssh-cli-'));
  writeFileSync(join(dir, 'cssh.yaml'), yaml);
  const { spawn } = await import('node:child_process');
  const args = ['--import', 'tsx', '--input-type=module', '-e', ENTRY, '--', '--config', join(dir, 'cssh.yaml'), '--state-dir', join(dir, 'state'), '--image', 'cssh-test/busybox:latest'];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 240 && child.exitCode === null && !/\n {2}instance/.test(err); i++) await new Promise((resolve) => setTimeout(resolve, 250));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, out + err);
  assert.match(err, /cssh serve listening on 127\.0\.0\.1:\d+/);
  const lines = out.split('\n').filter(Boolean);
  assert.ok(lines.some((l) => l.includes('SSH_LISTEN')), out);
  for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `stdout line is not JSON: ${l}`);
}, { timeout: 120_000 });
