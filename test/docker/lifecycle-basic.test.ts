// The backend end to end in both modes: echo, exit codes, env, stdin EOF, stderr separation, no containers left.
import assert from 'node:assert/strict';
import { createDockerBackend } from '../../src/backend/docker/index.js';
import type { ExecutionMode } from '../../src/config/types.js';
import { containersOf, eventually, runOnce, testConfig, testContext } from '../support/backend.js';
import { dockerTest } from '../support/docker.js';

for (const mode of ['connection', 'session'] as ExecutionMode[]) {
  dockerTest(`${mode} mode: echo, exit codes, env, stdin, stderr; nothing left behind`, async () => {
    const backend = createDockerBackend({ instanceId: 'test-basic' });
    const ctx = testContext(testConfig(mode));
    const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
    try {
      assert.deepEqual(await runOnce(conn, { kind: 'exec', command: 'echo "Hello world!"' }), { code: 0, stdout: 'Hello world!\n', stderr: '' });
      for (const code of [0, 1, 42, 255]) {
        assert.equal((await runOnce(conn, { kind: 'exec', command: `exit ${code}` })).code, code);
      }
      const env = await runOnce(conn, { kind: 'exec', command: 'echo "$FOO"' }, { env: { FOO: 'Hello world!' } });
      assert.equal(env.stdout, 'Hello world!\n');
      const cat = await runOnce(conn, { kind: 'exec', command: '/bin/cat' }, { stdin: 'line one\nline two' });
      assert.deepEqual(cat, { code: 0, stdout: 'line one\nline two', stderr: '' });
      const split = await runOnce(conn, { kind: 'exec', command: 'echo out; echo err >&2; exit 3' });
      assert.deepEqual(split, { code: 3, stdout: 'out\n', stderr: 'err\n' });
    } finally {
      await conn.close();
    }
    assert.deepEqual(containersOf(ctx.info.connectionId), []);
  });
}

dockerTest('connection mode writes the files supplied at authentication, with nested and long paths', async () => {
  const backend = createDockerBackend({ instanceId: 'test-files' });
  const ctx = testContext(testConfig('connection'));
  const long = `/tmp/${'d'.repeat(90)}/${'f'.repeat(60)}.txt`;
  ctx.info.files = {
    '/etc/cssh/hello.txt': { value: Buffer.from('hello file\n').toString('base64'), sensitive: false },
    [long]: { value: Buffer.from([0, 1, 2, 255]).toString('base64'), sensitive: false },
  };
  const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
  try {
    assert.equal((await runOnce(conn, { kind: 'exec', command: 'cat /etc/cssh/hello.txt' })).stdout, 'hello file\n');
    assert.equal((await runOnce(conn, { kind: 'exec', command: `od -An -tu1 ${long}` })).stdout.trim().split(/\s+/).join(','), '0,1,2,255');
  } finally {
    await conn.close();
  }
  assert.deepEqual(containersOf(ctx.info.connectionId), []);
});

dockerTest('connection mode: when the container has died, a new program fails at once with its code', async () => {
  const backend = createDockerBackend({ instanceId: 'test-dead' });
  const ctx = testContext(testConfig('connection', undefined, { idleCommand: ['/bin/sh', '-c', 'sleep 1'] }));
  const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
  try {
    const { execFileSync } = await import('node:child_process');
    const exited = (): boolean => execFileSync('docker', ['ps', '-q', '--filter', `label=cssh.connection=${ctx.info.connectionId}`, '--filter', 'status=exited'], { encoding: 'utf8' }).trim() !== '';
    await eventually(exited);
    const session = await conn.openSession({ channelId: 9 });
    const { PassThrough } = await import('node:stream');
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
    await assert.rejects(session.start({ kind: 'exec', command: 'true' }, io, AbortSignal.timeout(60_000)), { code: 'DOCKER_EXEC_CREATE_FAILED' });
    await session.close();
  } finally {
    await conn.close();
  }
  assert.deepEqual(containersOf(ctx.info.connectionId), []);
}, { timeout: 30_000 });
