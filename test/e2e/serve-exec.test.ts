// `cssh serve` with the real OpenSSH client, both modes: exec output and status, stderr, SetEnv, stdin EOF, 64 MiB
// each way, and several sessions over one ControlMaster connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest } from '../support/docker.js';
import { run, startServe, type ServeHandle } from '../support/serve-harness.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function execChecks(srv: ServeHandle): Promise<void> {
  const hello = await srv.ssh(['echo "Hello world!"; echo oops >&2; exit 42']);
  assert.deepEqual([hello.code, hello.stdout.toString(), hello.stderr], [42, 'Hello world!\n', 'oops\n']);
  const env = await srv.ssh(['echo "$FOO"'], { extra: ['-o', 'SetEnv=FOO=Hello-env'] });
  assert.equal(env.stdout.toString(), 'Hello-env\n');
  const eof = await srv.ssh(['cat'], { input: 'x' });
  assert.deepEqual([eof.code, eof.stdout.toString()], [0, 'x']);
}

async function bulkChecks(srv: ServeHandle): Promise<void> {
  const size = 64 * 1024 * 1024;
  const up = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) up.writeUInt32LE((i * 2654435761) >>> 0, i);
  const uploaded = await srv.ssh(['sha256sum'], { input: up, timeoutMs: 300_000 });
  assert.equal(uploaded.code, 0, `upload: ${uploaded.stderr}\n${srv.output().split('\n').filter((l) => /EXIT|warn|error|PROGRAM/.test(l)).join('\n')}`);
  assert.equal(uploaded.stdout.toString().split(' ')[0], sha256(up));
  const down = await srv.ssh([`head -c ${size} /dev/urandom | tee /tmp/down | sha256sum >&2; cat /tmp/down`], { timeoutMs: 300_000 });
  assert.equal(down.code, 0, `download: ${down.stderr}`);
  assert.equal(down.stdout.length, size);
  assert.equal(down.stderr.split(' ')[0], sha256(down.stdout));
}

/** Three sessions over one master connection; returns the hostname (container id) each saw. */
async function multiplexed(srv: ServeHandle): Promise<string[]> {
  const socket = join(mkdtempSync(join(tmpdir(), 'cssh-mux-')), 'mux');
  const mux = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${socket}`, '-o', 'ControlPersist=60'];
  const names: string[] = [];
  try {
    for (let i = 0; i < 3; i++) names.push((await srv.ssh(['hostname'], { extra: mux })).stdout.toString().trim());
  } finally {
    await run('ssh', [...mux, '-O', 'exit', ...srv.sshArgs()]);
  }
  return names;
}

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`serve (${mode} mode): exec, stderr, SetEnv, stdin EOF, 64 MiB both ways, multiplexed sessions`, async () => {
    const srv = await startServe({ mode });
    let stopped: number | null = null;
    try {
      await execChecks(srv);
      await bulkChecks(srv);
      const names = await multiplexed(srv);
      assert.equal(names.length, 3);
      assert.ok(names.every((name) => name.length > 0));
      if (mode === 'connection') assert.equal(new Set(names).size, 1, `one container for the connection: ${names.join(' ')}`);
      else assert.equal(new Set(names).size, 3, `one container per session: ${names.join(' ')}`);
    } finally {
      stopped = await srv.stop();
    }
    assert.equal(stopped, 0, srv.output().slice(-2000));
    assert.deepEqual(srv.containers(), []);
  }, { timeout: 600_000 });
}

test('the harness helpers are importable without Docker', () => {
  assert.equal(typeof startServe, 'function');
});
