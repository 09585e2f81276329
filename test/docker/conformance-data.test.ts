// Conformance: 64 MiB each way through `cat` with matching sha256, and every byte value unchanged, in both modes.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { createDockerBackend } from '../../src/backend/docker/index.js';
import type { ExecutionMode } from '../../src/config/types.js';
import { Collector, containersOf, runOnce, testConfig, testContext } from '../support/backend.js';
import { dockerTest } from '../support/docker.js';

const MiB = 1024 * 1024;

/** Hashes what is written, without keeping it. */
class HashSink extends Writable {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb();
  }
}

for (const mode of ['connection', 'session'] as ExecutionMode[]) {
  dockerTest(`${mode} mode: 64 MiB in and out with matching sha256; binary bytes unchanged`, async () => {
    const backend = createDockerBackend({ instanceId: 'test-data' });
    const ctx = testContext(testConfig(mode));
    const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
    try {
      const session = await conn.openSession({ channelId: 1 });
      const stdin = new PassThrough();
      const stdout = new HashSink();
      const stderr = new Collector();
      const program = await session.start({ kind: 'exec', command: '/bin/cat' }, { stdin, stdout, stderr }, AbortSignal.timeout(60_000));
      const sent = createHash('sha256');
      const block = randomBytes(MiB);
      for (let i = 0; i < 64; i++) {
        const chunk = Buffer.from(block.map((b) => b ^ i));
        sent.update(chunk);
        if (!stdin.write(chunk)) await new Promise((r) => stdin.once('drain', r));
      }
      stdin.end();
      assert.equal((await program.exited).code, 0);
      assert.equal(stdout.bytes, 64 * MiB);
      assert.equal(stdout.hash.digest('hex'), sent.digest('hex'));
      assert.equal(stderr.text, '');
      await session.close();

      const all = Buffer.from(Array.from({ length: 256 * 4 }, (_, i) => i % 256));
      const binary = await runOnce(conn, { kind: 'exec', command: '/bin/cat' }, { stdin: all });
      assert.equal(binary.code, 0);
      assert.equal(Buffer.from(binary.stdout, 'latin1').length > 0, true);
      const out = await runBinary(conn, all);
      assert.ok(out.equals(all), 'every byte value comes back unchanged');
    } finally {
      await conn.close();
    }
    assert.deepEqual(containersOf(ctx.info.connectionId), []);
  }, { timeout: 240_000 });
}

async function runBinary(conn: Awaited<ReturnType<ReturnType<typeof createDockerBackend>['connect']>>, data: Buffer): Promise<Buffer> {
  const session = await conn.openSession({ channelId: 3 });
  const stdin = new PassThrough();
  const stdout = new Collector();
  const program = await session.start({ kind: 'exec', command: '/bin/cat' }, { stdin, stdout, stderr: new Collector() }, AbortSignal.timeout(60_000));
  stdin.end(data);
  await program.exited;
  await session.close();
  return stdout.buffer;
}
